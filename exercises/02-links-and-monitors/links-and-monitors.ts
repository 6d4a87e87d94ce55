/**
 * Links and monitors by hand: the exit signals every supervisor is built from.
 *
 * - A monitor watches one way and reports every end, `normal` included, as a `DOWN` message.
 * - A link ties two fates together: an abnormal exit of one ends the other, with the same reason.
 * - A process that traps exits gets a linked process's end as an `EXIT` message and lives on.
 * - `'shutdown'` can be trapped; `'kill'` cannot, and the target ends as `'killed'`.
 *
 * Replace each `throw new Error('TODO: ...')` with your code. The README has the tasks and hints.
 */
import type { ExitReason, Pid, ProcessBody, ProcessContext } from 'letitcrash'

// --- 1. Watch a worker ------------------------------------------------------------------------

/** What a watchdog sends when its worker has ended: `{:down, worker, reason}`. */
export type DownReport = readonly [tag: 'down', worker: Pid, reason: ExitReason]

/**
 * Starts a watchdog: a process that monitors `worker` and, when the worker ends, sends
 * `['down', worker, reason]` to `reportTo`, then finishes.
 */
export function startWatchdog(worker: Pid, reportTo: Pid): Pid {
  // TODO: spawn a process that monitors `worker`, receives the `DOWN` message of that monitor
  // (match it by its `ref`) and sends `['down', worker, reason]` to `reportTo`.
  throw new Error(`TODO: startWatchdog(${worker}, ${reportTo})`)
}

// --- 2. Share a fate --------------------------------------------------------------------------

/** A member of a pair: `'crash'` makes it crash, `'stop'` makes it finish normally. */
export async function member(ctx: ProcessContext): Promise<void> {
  for (;;) {
    const order = await ctx.receive()
    if (order === 'crash') throw new Error('crashed on purpose')
    if (order === 'stop') return
  }
}

/** Starts two members linked to each other: when one crashes, the other goes down with it. */
export function startPair(): readonly [first: Pid, second: Pid] {
  // TODO: spawn two processes that both run `member`, and link them to each other.
  throw new Error('TODO: startPair()')
}

// --- 3. Trap exits ----------------------------------------------------------------------------

/** What a keeper sends when its worker has ended. */
export type KeeperReport =
  | readonly [tag: 'restarted', old: Pid, reason: ExitReason, fresh: Pid]
  | readonly [tag: 'done', worker: Pid]

/**
 * Starts a keeper: it runs `work` in a linked worker and, when the worker crashes, starts a
 * fresh one and reports `['restarted', old, reason, fresh]` to `reportTo`. When the worker
 * finishes (`normal` or `shutdown`), the keeper reports `['done', worker]` and finishes too.
 * An exit signal from anyone else is an order to stop: the keeper exits with its reason.
 */
export function startKeeper(work: ProcessBody, reportTo: Pid): Pid {
  // TODO: spawn a process that traps exits, starts `work` linked to itself, then loops:
  // receive an `EXIT` message and decide, by who sent it and why, what to do.
  throw new Error(`TODO: startKeeper(${work.name || 'work'}, ${reportTo})`)
}

// --- 4. Stop politely, then kill --------------------------------------------------------------

/**
 * Stops `worker` the way a supervisor does: an exit signal `'shutdown'` first; if the worker
 * has not ended within `timeout` ms (it traps exits and takes too long, or ignores it), `'kill'`.
 * Resolves with the reason the worker ended with.
 */
export async function stopWorker(
  ctx: ProcessContext,
  worker: Pid,
  timeout: number,
): Promise<ExitReason> {
  // TODO: watch `worker` (so you learn how it ended), send it the exit signal 'shutdown', wait
  // up to `timeout` ms; if it is still running, send 'kill' and wait again.
  throw new Error(`TODO: stopWorker(${ctx.self}, ${worker}, ${timeout})`)
}
