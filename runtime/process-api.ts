/**
 * Process functions for code outside or inside processes: Elixir's `Kernel.spawn/1`,
 * `Kernel.send/2` and the `Process` module. Functions on a pid act on the pid's node; functions
 * on a name act on the default node (see `setDefaultNode`).
 *
 * None of them acts *as* a process: code outside any process has no mailbox, so it cannot
 * `receive`, link or monitor. Inside a process, use its context instead (`ctx.send`,
 * `ctx.link`, `ctx.monitor`, ...): those act on behalf of that process.
 *
 * @example
 * const pid = spawn(async (ctx) => console.log(await ctx.receive()))
 * send(pid, 'hello')
 * Process.isAlive(pid) // true until it has run
 */
import type { ExitReason } from './exit-reason.ts'
import type { Dest } from './names.ts'
import { getDefaultNode, nodeOf, type ProcessInfo } from './node.ts'
import { Pid, type Ref } from './pid.ts'
import type { ProcessBody } from './process-context.ts'

/**
 * Starts a process on the default node, neither linked nor monitored. `Kernel.spawn/1`
 * @example const pid = spawn(async (ctx) => console.log(await ctx.receive()))
 */
export function spawn<M = unknown>(body: ProcessBody<M>): Pid {
  return getDefaultNode().spawn(body)
}

/**
 * Sends `message` to a pid or registered name. A message to a dead pid is dropped; a name no
 * process holds throws `NoProcError`. `Kernel.send/2`
 * @example send('logger', ['info', 'started'])
 */
export function send(dest: Dest, message: unknown): void {
  nodeFor(dest).send(dest, message)
}

/**
 * Sends an exit signal to `pid` from outside any process (it comes from the node's `host`
 * pid). `'kill'` cannot be trapped and ends the target as `'killed'`. `Process.exit/2`
 * @example exit(pid, 'shutdown')
 */
export function exit(pid: Pid, reason: ExitReason): void {
  nodeFor(pid).exit(pid, reason)
}

/**
 * True while `pid` runs. `Process.alive?/1`
 * @example if (!Process.isAlive(pid)) console.log(`${pid} has exited`)
 */
export function isAlive(pid: Pid): boolean {
  return nodeFor(pid).isAlive(pid)
}

/**
 * Registers `pid` under `name` on its node; throws if either is taken. `Process.register/2`
 * @example Process.register(pid, 'logger')
 */
export function register(pid: Pid, name: string): void {
  nodeFor(pid).register(pid, name)
}

/**
 * Removes `name` from the default node; false if no process had it. `Process.unregister/1`
 * @example Process.unregister('logger')
 */
export function unregister(name: string): boolean {
  return getDefaultNode().unregister(name)
}

/**
 * The pid registered as `name` on the default node, or undefined. `Process.whereis/1`
 * @example const logger = Process.whereis('logger')
 */
export function whereis(name: string): Pid | undefined {
  return getDefaultNode().whereis(name)
}

/**
 * The registered names of the default node. `Process.registered/0`
 * @example Process.registered() // ['logger']
 */
export function registered(): string[] {
  return getDefaultNode().registered()
}

/**
 * Information about a live process (status, links, mailbox length, ...); undefined once it has
 * exited. `Process.info/1`
 * @example Process.processInfo(pid)?.messageQueueLength // 0
 */
export function processInfo(pid: Pid): ProcessInfo | undefined {
  return nodeFor(pid).processInfo(pid)
}

/**
 * Sends `message` after `ms` milliseconds of the destination node's clock. `Process.send_after/3`
 * @example const timer = Process.sendAfter(pid, 'tick', 1000)
 */
export function sendAfter(dest: Dest, message: unknown, ms: number): Ref {
  return nodeFor(dest).sendAfter(dest, message, ms)
}

/**
 * Cancels a `sendAfter` timer; returns the milliseconds that were left, or false if it already
 * fired or was cancelled. `Process.cancel_timer/1`
 * @example Process.cancelTimer(timer) // 400, if 600 of its 1000 ms have passed
 */
export function cancelTimer(ref: Ref): number | false {
  return getDefaultNode().cancelTimer(ref)
}

/**
 * Milliseconds left on a `sendAfter` timer, or false once it fired or was cancelled.
 * `Process.read_timer/1`
 * @example Process.readTimer(timer) // 400, if 600 of its 1000 ms have passed
 */
export function readTimer(ref: Ref): number | false {
  return getDefaultNode().readTimer(ref)
}

/**
 * The name of the node `pid` lives on (the default node's without a pid). `Kernel.node/1`
 * @example Process.node(pid) // 'b@127.0.0.1'
 */
export function node(pid?: Pid): string {
  return (pid === undefined ? getDefaultNode() : nodeFor(pid)).name
}

/**
 * The live processes of the default node. `Process.list/0`
 * @example Process.list().length
 */
export function list(): Pid[] {
  return getDefaultNode().list()
}

function nodeFor(dest: Dest) {
  return (dest instanceof Pid ? nodeOf(dest) : undefined) ?? getDefaultNode()
}
