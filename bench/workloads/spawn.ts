/**
 * Spawn 100,000 idle processes (each waits in `receive`): the time until every one of them has
 * started and is waiting, and the heap each one keeps (after a forced GC, minus the baseline).
 */
import { type Pid, Process, type ProcessContext, spawn } from 'letitcrash'
import { heapAfterGc, report, SIZES } from './common.ts'

const count = SIZES.spawn.processes

let waiting = 0
let allWaiting: () => void = () => {}
const done = new Promise<void>((resolve) => (allWaiting = resolve))

// One body for every process, so no closure per process is counted.
const idle = async (ctx: ProcessContext) => {
  if (++waiting === count) allWaiting()
  await ctx.receive()
}

const baseline = heapAfterGc()
const start = performance.now()
let last: Pid | undefined
for (let i = 0; i < count; i++) last = spawn(idle)
await done
const ms = performance.now() - start

// The scheduler runs processes in spawn order, so the last one waiting means all are.
if (Process.processInfo(last!)?.status !== 'waiting')
  throw new Error('the last process is not waiting')
const bytesPerProcess = (heapAfterGc() - baseline) / count
if (Process.list().length !== count) throw new Error('some processes are missing')

report({ processes: count, ms, bytesPerProcess })
