/**
 * What every workload script shares, whichever library it measures: the sizes, the way it
 * reports, heap and stall measurement. Each script runs in a fresh Node process started by
 * `bench/runtime.ts` and prints its result as one JSON line: numbers, or `{ "unsupported": why }`
 * when the library has no such feature. Keep this file free of any library's imports.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'

/** `--quick`: smaller sizes, for a smoke test. */
export const quick = process.argv.includes('--quick')

/** The same sizes for every library (and for the BEAM script, which repeats them). */
export const SIZES = {
  spawn: { processes: quick ? 10_000 : 100_000 },
  pingPong: { messages: quick ? 100_000 : 1_000_000 },
  call: { calls: quick ? 20_000 : 200_000 },
  fanOut: { processes: quick ? 1_000 : 10_000, rounds: quick ? 5 : 20 },
  restart: { kills: quick ? 100 : 1_000 },
  registry: { keys: quick ? 1_000 : 10_000, lookups: quick ? 100_000 : 1_000_000 },
  dynamicSupervisor: { children: quick ? 1_000 : 10_000 },
} as const

/** The keys the registry workload registers and looks up, made before the clock starts. */
export const registryKeys = (count: number) =>
  Array.from({ length: count }, (_, i) => `worker-${i}`)

/** Prints the workload's result for the runner; every value must be a number. */
export function report(result: Record<string, number>): void {
  console.log(JSON.stringify(result))
}

/** Prints that the library cannot run this workload, and why (shown in the table). */
export function unsupported(why: string): void {
  console.log(JSON.stringify({ unsupported: why }))
}

/** Heap bytes in use after full garbage collections (needs `--expose-gc`). */
export function heapAfterGc(): number {
  if (typeof global.gc !== 'function') throw new Error('run with node --expose-gc')
  for (let i = 0; i < 3; i++) global.gc()
  return process.memoryUsage().heapUsed
}

/**
 * Times `work` and watches the event loop meanwhile: the longest a 1 ms timer fired late, in
 * ms, is how long timers and I/O had to wait. Work that never yields is one long stall, seen
 * when the timer finally fires, so the watch lasts a few ms longer than the timing.
 */
export async function timeWithStalls(
  work: () => Promise<void>,
): Promise<[ms: number, stall: number]> {
  const stalls = monitorEventLoopDelay({ resolution: 1 })
  stalls.enable()
  // The histogram starts counting at its timer's first tick: let that pass first.
  await new Promise((resolve) => setTimeout(resolve, 5))
  const start = performance.now()
  await work()
  const ms = performance.now() - start
  await new Promise((resolve) => setTimeout(resolve, 5))
  stalls.disable()
  // The histogram is in nanoseconds.
  return [ms, stalls.max / 1e6]
}

/** The median of some numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** A promise and the function that resolves it, for "tell me when the last one is done". */
export function signal<T = void>(): { done: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void
  const done = new Promise<T>((r) => (resolve = r))
  return { done, resolve }
}

export type WorkloadName =
  | 'spawn'
  | 'ping-pong'
  | 'call'
  | 'fan-out'
  | 'restart'
  | 'registry'
  | 'dynamic-supervisor'

/**
 * For a peer's script (one file per library): runs the workload named on the command line. A
 * workload the library lacks is a string saying why.
 */
export async function runPeer(
  workloads: Record<WorkloadName, (() => Promise<Record<string, number>>) | string>,
): Promise<void> {
  const name = process.argv[2] as WorkloadName
  const workload = workloads[name]
  if (workload === undefined) throw new Error(`Unknown workload ${name}`)
  if (typeof workload === 'string') unsupported(workload)
  else report(await workload())
  // Some libraries keep timers or handles alive; the result is out, so stop here.
  process.exit(0)
}
