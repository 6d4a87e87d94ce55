/**
 * What a process can do, as its code sees it: the context its body gets (`ctx`) and behaviour
 * callbacks get as `this`, and the system messages it can receive. The implementation is
 * `process.ts`.
 */
import type { ExitReason } from './exit-reason.ts'
import type { Dest, RegisteredName } from './names.ts'
import type { Node } from './node.ts'
import type { Pid, Ref } from './pid.ts'
import type { Timeout } from './validate.ts'

/** What `receive` resolves to when its timeout passes first (Elixir's `after` clause). */
export const TIMEOUT: unique symbol = Symbol('timeout')
export type TIMEOUT = typeof TIMEOUT

/** Delivered instead of dying when a process traps exits: Erlang's `{'EXIT', from, reason}`. */
export interface ExitMessage {
  readonly type: 'EXIT'
  readonly from: Pid
  readonly reason: ExitReason
}

/** Delivered once when a monitored process ends: Erlang's `{'DOWN', ref, :process, pid, reason}`. */
export interface DownMessage {
  readonly type: 'DOWN'
  readonly ref: Ref
  /** The pid, or `{ name, node }` when the monitor was set up by registered name. */
  readonly pid: Pid | RegisteredName
  readonly reason: ExitReason
}

/** A process body: `ctx` is how the process acts. */
export type ProcessBody<M = unknown> = (ctx: ProcessContext<M>) => unknown

export interface ReceiveOptions {
  /** Milliseconds to wait for a matching message, or `'infinity'` (the default). 0 checks once. */
  readonly timeout?: Timeout
}

export type ProcessStatus = 'runnable' | 'running' | 'waiting' | 'exited'

/**
 * What a process can do on its own behalf. The body of a process gets it as its argument;
 * behaviour callbacks get it as `this`. It plays the part of Elixir's implicit `self()`.
 */
export interface ProcessContext<M = unknown> {
  /** This process's pid (Elixir's `self()`). */
  readonly self: Pid
  /** The node this process runs on. */
  readonly node: Node
  /**
   * Waits for the first message `match` accepts (any message without `match`), leaving the
   * others in the mailbox in their order. With a `timeout`, resolves to `TIMEOUT` if nothing
   * matched in time; a timeout of 0 checks the mailbox once.
   * `Kernel.SpecialForms.receive/1` (`receive do ... after timeout -> ... end`); the pattern is a
   * function, and a message it throws on crashes the process.
   * @example
   * const reply = await ctx.receive((m) => m === 'pong', { timeout: 1000 })
   * if (reply === TIMEOUT) ctx.exit('no_pong')
   */
  receive(): Promise<M>
  receive<T extends M>(match: (message: M) => message is T): Promise<T>
  receive(match: (message: M) => boolean): Promise<M>
  receive(options: ReceiveOptions): Promise<M | TIMEOUT>
  receive<T extends M>(
    match: (message: M) => message is T,
    options: ReceiveOptions,
  ): Promise<T | TIMEOUT>
  receive(match: (message: M) => boolean, options: ReceiveOptions): Promise<M | TIMEOUT>
  /**
   * Sends `message` to a pid or a name; a message to a dead pid is dropped. `Kernel.send/2`
   * @example ctx.send(from, ['pong', ctx.self])
   */
  send(dest: Dest, message: unknown): void
  /**
   * Sets whether exit signals arrive as `EXIT` messages; returns the previous setting.
   * `Process.flag/2` with `:trap_exit`
   * @example
   * ctx.trapExit(true)
   * const exit = await ctx.receive((m): m is ExitMessage => (m as ExitMessage)?.type === 'EXIT')
   */
  trapExit(flag: boolean): boolean
  /**
   * Links this process and `pid` both ways: when one exits abnormally, the other gets an exit
   * signal. `Process.link/1`
   * @example ctx.link(worker)
   */
  link(pid: Pid): void
  /**
   * Removes a link, both ways. `Process.unlink/1`
   * @example ctx.unlink(worker)
   */
  unlink(pid: Pid): void
  /**
   * Watches `target` (a pid or a registered name) one way; a `DOWN` message with the returned
   * ref arrives when it ends. `Process.monitor/1`
   * @example
   * const ref = ctx.monitor(worker)
   * const down = await ctx.receive((m): m is DownMessage => (m as DownMessage)?.ref === ref)
   */
  monitor(target: Pid | string): Ref
  /**
   * Stops a monitor; with `flush`, also removes its `DOWN` if it already arrived. Returns false
   * if the monitor was already gone (like Erlang's `info` option). `Process.demonitor/2`
   * @example ctx.demonitor(ref, { flush: true })
   */
  demonitor(ref: Ref, options?: { flush?: boolean }): boolean
  /**
   * Ends this process with `reason`. `Kernel.exit/1`: it throws an `ExitError` to unwind the
   * caller's code (`finally` blocks run, and a `catch` may stop it, as in Erlang); the process
   * then exits with `reason`, without a crash report. In a GenServer callback, `terminate` runs
   * first.
   * @example if (config === undefined) ctx.exit('no_config')
   */
  exit(reason: ExitReason): never
  /**
   * Sends an exit signal to `pid`, from this process. `Process.exit/2`
   * @example ctx.exit(worker, 'kill') // cannot be trapped: the worker ends as 'killed'
   */
  exit(pid: Pid, reason: ExitReason): void
  /**
   * Starts a process linked to this one. `Kernel.spawn_link/1`
   * @example const worker = ctx.spawnLink(async (w) => console.log(await w.receive()))
   */
  spawnLink<N = unknown>(body: ProcessBody<N>): Pid
  /**
   * Starts a process and monitors it; returns its pid and the monitor's ref.
   * `Kernel.spawn_monitor/1`
   * @example const [pid, ref] = ctx.spawnMonitor(async () => riskyWork())
   */
  spawnMonitor<N = unknown>(body: ProcessBody<N>): [pid: Pid, ref: Ref]
  /**
   * Starts a process on this node, neither linked nor monitored. `Kernel.spawn/1`
   * @example ctx.spawn(async () => sendWelcomeEmail(user))
   */
  spawn<N = unknown>(body: ProcessBody<N>): Pid
  /**
   * Registers this process under `name` on its node. `Process.register/2` with `self()`
   * @example ctx.register('logger') // now send('logger', message) reaches it
   */
  register(name: string): void
  /**
   * Asks for one `{ type: 'nodedown', node }` message when this node loses `node` (at once if
   * they cannot connect). Needs a cluster. `Node.monitor/2`
   * @example
   * ctx.monitorNode('b@127.0.0.1')
   * await ctx.receive((m) => (m as NodeMessage)?.type === 'nodedown')
   */
  monitorNode(node: string): void
  /**
   * Subscribes to `{ type: 'nodeup' | 'nodedown', node }` for every node; `false` unsubscribes.
   * Needs a cluster. `:net_kernel.monitor_nodes/1`
   * @example ctx.monitorNodes(true)
   */
  monitorNodes(flag: boolean): void
}
