/**
 * Process functions for code outside or inside processes: Elixir's `Kernel.spawn/1`,
 * `send/2` and the `Process` module. Functions on a pid act on the pid's node; functions on a
 * name act on the default node (see `setDefaultNode`).
 *
 * Inside a process, prefer its context (`ctx.receive`, `ctx.link`, `ctx.monitor`, ...): those
 * act on behalf of that process.
 *
 * @example
 * const pid = spawn(async (ctx) => console.log(await ctx.receive()))
 * send(pid, 'hello')
 */
import type { ExitReason } from './exit-reason.ts'
import type { Dest } from './names.ts'
import { getDefaultNode, nodeOf, type ProcessInfo } from './node.ts'
import { Pid, type Ref } from './pid.ts'
import type { ProcessBody } from './process.ts'

/** Starts a process on the default node. Elixir's `spawn/1`. */
export function spawn<M = unknown>(body: ProcessBody<M>): Pid {
  return getDefaultNode().spawn(body)
}

/** Sends `message` to a pid or registered name. Elixir's `send/2`. */
export function send(dest: Dest, message: unknown): void {
  nodeFor(dest).send(dest, message)
}

/**
 * Sends an exit signal to `pid` from outside any process. Elixir's `Process.exit/2`.
 * `'kill'` cannot be trapped and ends the target as `'killed'`.
 */
export function exit(pid: Pid, reason: ExitReason): void {
  nodeFor(pid).exit(pid, reason)
}

/** True while `pid` runs. `Process.alive?/1` */
export function isAlive(pid: Pid): boolean {
  return nodeFor(pid).isAlive(pid)
}

/** Registers `pid` under `name` on its node. `Process.register/2` */
export function register(pid: Pid, name: string): void {
  nodeFor(pid).register(pid, name)
}

/** Removes `name` from the default node. `Process.unregister/1` */
export function unregister(name: string): boolean {
  return getDefaultNode().unregister(name)
}

/** The pid registered as `name` on the default node. `Process.whereis/1` */
export function whereis(name: string): Pid | undefined {
  return getDefaultNode().whereis(name)
}

/** The registered names of the default node. `Process.registered/0` */
export function registered(): string[] {
  return getDefaultNode().registered()
}

/** Information about a live process. `Process.info/1` */
export function processInfo(pid: Pid): ProcessInfo | undefined {
  return nodeFor(pid).processInfo(pid)
}

/** Sends `message` after `ms` milliseconds of the destination node's clock. `Process.send_after/3` */
export function sendAfter(dest: Dest, message: unknown, ms: number): Ref {
  return nodeFor(dest).sendAfter(dest, message, ms)
}

/** Cancels a `sendAfter` timer; the milliseconds that were left, or false. `Process.cancel_timer/1` */
export function cancelTimer(ref: Ref): number | false {
  return getDefaultNode().cancelTimer(ref)
}

/** The live processes of the default node. `Process.list/0` */
export function list(): Pid[] {
  return getDefaultNode().list()
}

function nodeFor(dest: Dest) {
  return (dest instanceof Pid ? nodeOf(dest) : undefined) ?? getDefaultNode()
}
