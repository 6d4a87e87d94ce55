/**
 * Links and monitors by hand: the exit signals every supervisor is built from.
 *
 * - A monitor watches one way and reports every end, `normal` included, as a `DOWN` message.
 * - A link ties two fates together: an abnormal exit of one ends the other, with the same reason.
 * - A process that traps exits gets a linked process's end as an `EXIT` message and lives on.
 * - `'shutdown'` can be trapped; `'kill'` cannot, and the target ends as `'killed'`.
 */
import {
  type DownMessage,
  type ExitMessage,
  type ExitReason,
  isNormalExit,
  type Pid,
  type ProcessBody,
  type ProcessContext,
  type Ref,
  spawn,
  TIMEOUT,
} from 'letitcrash'

// --- 1. Watch a worker ------------------------------------------------------------------------

/** What a watchdog sends when its worker has ended: `{:down, worker, reason}`. */
export type DownReport = readonly [tag: 'down', worker: Pid, reason: ExitReason]

/**
 * Starts a watchdog: a process that monitors `worker` and, when the worker ends, sends
 * `['down', worker, reason]` to `reportTo`, then finishes.
 */
export function startWatchdog(worker: Pid, reportTo: Pid): Pid {
  return spawn(async (ctx) => {
    // A monitor, not a link: the watchdog hears of every end (even `normal`, even a worker that
    // was already gone: `noproc`) and the worker's crash does not take the watchdog down.
    const ref = ctx.monitor(worker)
    const down = await ctx.receive(isDownOf(ref))
    ctx.send(reportTo, ['down', worker, down.reason] satisfies DownReport)
  })
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
  const first = spawn(member)
  const second = spawn((ctx) => {
    // One link is enough: links go both ways. Had `first` already died, `link` would throw
    // `noproc` and `second` would end too: the pair still shares its fate.
    ctx.link(first)
    return member(ctx)
  })
  return [first, second]
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
  return spawn(async (ctx) => {
    // Trapping turns the worker's exit signal into a message, so its crash cannot end us.
    ctx.trapExit(true)
    let worker = ctx.spawnLink(work)
    for (;;) {
      const exit = await ctx.receive(isExitMessage)
      // Not our worker: whoever sent it wants us gone. Our exit reaches the worker by the link.
      if (exit.from !== worker) ctx.exit(exit.reason)
      if (isNormalExit(exit.reason)) {
        ctx.send(reportTo, ['done', worker] satisfies KeeperReport)
        return
      }
      const fresh = ctx.spawnLink(work)
      ctx.send(reportTo, ['restarted', worker, exit.reason, fresh] satisfies KeeperReport)
      worker = fresh
    }
  })
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
  // Monitor before signalling, so the end cannot slip by; a link would end us with the worker.
  const ref = ctx.monitor(worker)
  ctx.exit(worker, 'shutdown')
  const down = await ctx.receive(isDownOf(ref), { timeout })
  if (down !== TIMEOUT) return down.reason
  // `'kill'` is the one signal a process cannot trap: it ends as `'killed'`.
  ctx.exit(worker, 'kill')
  return (await ctx.receive(isDownOf(ref))).reason
}

// --- Helpers ----------------------------------------------------------------------------------

/** Matches the `DOWN` of the monitor `ref`, and nothing else in the mailbox. */
function isDownOf(ref: Ref) {
  return (message: unknown): message is DownMessage =>
    (message as DownMessage | null)?.type === 'DOWN' && (message as DownMessage).ref === ref
}

function isExitMessage(message: unknown): message is ExitMessage {
  return (message as ExitMessage | null)?.type === 'EXIT'
}
