/**
 * `npm run demo`: a supervisor keeps two workers alive while the demo crashes one of them every
 * second, until the crashes come too fast for the supervisor's restart intensity and it gives
 * up. Real clock, public API only; it ends by itself after about four seconds.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import {
  type DownMessage,
  type ExitReason,
  GenServer,
  Process,
  Supervisor,
  setLogger,
  spawn,
} from 'letitcrash'

const startedAt = performance.now()

/** Prints a line with the seconds since the demo started. */
function log(line: string): void {
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1)
  console.log(`${seconds.padStart(4)}s  ${line}`)
}

// A worker that says when it starts and stops, so restarts are visible. It traps exits so
// that its `terminate` runs when the supervisor shuts it down.
const Worker = {
  init(name: string) {
    this.trapExit(true)
    log(`${name} started as ${this.self}`)
    return ['ok', name]
  },
  handleCall(_request, _from, name) {
    throw new Error(`${name} hit a bug`)
  },
  terminate(reason, name) {
    log(`${name} terminate(${typeof reason === 'string' ? `'${reason}'` : reason})`)
  },
} satisfies GenServer.Behaviour<string, string, 'crash', never, never>

// Crash reports as one line each, instead of a stack trace.
setLogger((report) => log(report.message))

log('A one_for_one supervisor with two workers; it allows 3 restarts within 5 seconds.')
const started = await Supervisor.startLink(
  [
    { id: 'alpha', start: () => GenServer.startLink(Worker, 'alpha', { name: 'alpha' }) },
    { id: 'beta', start: () => GenServer.startLink(Worker, 'beta', { name: 'beta' }) },
  ],
  { strategy: 'one_for_one', maxRestarts: 3, maxSeconds: 5 },
)
if (started[0] !== 'ok') throw new Error(`the supervisor did not start: ${started}`)
const supervisor = started[1]

// An observer process monitors the supervisor and reports how it ends.
const supervisorDown = new Promise<ExitReason>((resolve) => {
  spawn(async (ctx) => {
    ctx.monitor(supervisor)
    const down = (await ctx.receive()) as DownMessage
    resolve(down.reason)
  })
})

const crashes = [
  { worker: 'alpha', how: 'kill' },
  { worker: 'beta', how: 'crash' },
  { worker: 'alpha', how: 'kill' },
  { worker: 'beta', how: 'crash' },
] as const

for (const [i, { worker, how }] of crashes.entries()) {
  await sleep(1000)
  const pid = Process.whereis(worker)!
  console.log()
  if (i === crashes.length - 1) {
    log(`Crash ${i + 1} within 5 seconds: one more than the supervisor allows.`)
  }
  if (how === 'kill') {
    log(`Process.exit(${pid}, 'kill'): ${worker} is killed; a kill cannot be trapped.`)
    Process.exit(pid, 'kill')
  } else {
    log(`GenServer.call('${worker}', 'crash'): ${worker} throws inside handleCall.`)
    await GenServer.call(worker, 'crash').catch(() => {})
  }
  await sleep(10) // the restart happens meanwhile, and prints its own line
}

const reason = await supervisorDown
log(`The supervisor ${supervisor} exited with reason '${String(reason)}'.`)
log(`Its own supervisor, if it had one, would now decide what to do: failure climbs the tree.`)
log(`Process.whereis('alpha') is now ${Process.whereis('alpha')}.`)
