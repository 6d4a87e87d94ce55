/**
 * Chapter 2's samples: a crash stays in its process; monitors and links carry
 * the news to whoever asked. `links.test.ts` runs every region the chapter
 * shows.
 */
import {
  type DownMessage,
  type ExitMessage,
  type ExitReason,
  type Pid,
  type ProcessContext,
  spawn,
} from 'letitcrash'

/** What `watch` and `startGuardian` report. */
export type Report =
  | readonly [tag: 'down', worker: Pid, reason: ExitReason]
  | readonly [tag: 'exited', worker: Pid, reason: ExitReason]

// #region isolated
/** A process that fails on its first message. Its crash ends only itself. */
export function startFragile(): Pid {
  return spawn(async (ctx) => {
    const order = await ctx.receive()
    throw new Error(`cannot handle ${String(order)}`)
  })
}
// #endregion isolated

// #region monitor
/**
 * Watches `worker` from a new process, and sends `['down', worker, reason]`
 * to `reportTo` when it ends, however it ends. Its crash does not harm the
 * watcher.
 */
export function watch(worker: Pid, reportTo: Pid): Pid {
  return spawn(async (ctx) => {
    const ref = ctx.monitor(worker)
    const isDown = (m: unknown): m is DownMessage =>
      (m as DownMessage)?.ref === ref
    const down = await ctx.receive(isDown)
    ctx.send(reportTo, ['down', worker, down.reason] satisfies Report)
  })
}
// #endregion monitor

// #region link
/**
 * A worker linked to a partner: the two share one fate. If either ends with
 * a reason other than `'normal'`, the exit signal ends the other one too,
 * with the same reason.
 */
export function startLinkedPair(): [partner: Pid, worker: Pid] {
  const partner = spawn(async (ctx) => {
    await ctx.receive() // waits forever: only an exit signal ends it
  })
  const worker = spawn(async (ctx) => {
    ctx.link(partner)
    const order = await ctx.receive()
    if (order === 'crash') throw new Error('worker crashed')
  })
  return [partner, worker]
}
// #endregion link

// #region trap
/**
 * A guardian traps exits: exit signals from its linked workers arrive as
 * `EXIT` messages instead of ending it. It reports each one and carries on.
 */
export function startGuardian(
  reportTo: Pid,
  work: (ctx: ProcessContext) => unknown,
): Pid {
  return spawn(async (ctx) => {
    ctx.trapExit(true)
    for (let i = 0; i < 3; i++) ctx.spawnLink(work)
    const isExit = (m: unknown): m is ExitMessage =>
      (m as ExitMessage)?.type === 'EXIT'
    for (;;) {
      const exit = await ctx.receive(isExit)
      ctx.send(reportTo, ['exited', exit.from, exit.reason] satisfies Report)
    }
  })
}
// #endregion trap
