/**
 * GenServer: a process that keeps state and answers requests, one message at a time.
 *
 * You write the *server* part as a behaviour, an object of callbacks checked against
 * {@link Behaviour}; the *client* part is a few functions that call `GenServer.call` (wait for a
 * reply) and `GenServer.cast` (fire and forget). Plain messages go to `handleInfo`. Inside a
 * callback, `this` is the server's process context (`this.monitor(pid)`, `this.trapExit(true)`).
 * Start it under a supervisor with `startLink`; give it a `name` so clients need no pid.
 *
 * When not to use one: a GenServer serialises every request. For work that needs no state,
 * use a Task; for a bit of shared state with no logic, an Agent.
 *
 * @example
 * type Call = 'get'
 * type Cast = 'increment'
 *
 * // Server (callbacks)
 * const Counter = {
 *   init: (start: number) => ['ok', start],
 *   handleCall: (_request, _from, count) => ['reply', count, count],
 *   handleCast: (_request, count) => ['noreply', count + 1],
 * } satisfies GenServer.Behaviour<number, number, Call, Cast, number>
 *
 * // Client
 * const [, pid] = await GenServer.start(Counter, 0, { name: 'counter' })
 * GenServer.cast('counter', 'increment')
 * await GenServer.call('counter', 'get') // 1
 *
 * @see https://hexdocs.pm/elixir/GenServer.html
 */
import { copyMessage } from './copy.ts'
import { CallTimeoutError, ExitError, type FailedCall, NoProcError } from './errors.ts'
import type { ExitReason } from './exit-reason.ts'
import { serve } from './gen-server-loop.ts'
import { isGlobalName } from './global.ts'
import { assertName, type Dest, formatName, isRemoteName, isViaName, type Name } from './names.ts'
import { getDefaultNode, liveProcess, Node, nodeOf, startingParent } from './node.ts'
import { Pid, Ref } from './pid.ts'
import { assertContext, type Process } from './process.ts'
import type { ProcessContext } from './process-context.ts'
import { active as telemetryOn, traceCall } from './telemetry.ts'
import type { Timeout } from './validate.ts'
import {
  assertFunction,
  assertKnownKeys,
  assertObject,
  assertOptionalFunction,
  assertTimeout,
  describeGot,
} from './validate.ts'

// --- Types ---------------------------------------------------------------------------------

type Awaitable<T> = T | Promise<T>

/** `{:continue, arg}`: run `handleContinue(arg)` before the next message. */
export type Continue<TArg = unknown> = readonly [tag: 'continue', arg: TArg]

/** `{:ok, state}`, `{:ok, state, {:continue, arg}}`, `:ignore` and `{:stop, reason}` */
export type InitResult<TState> =
  | readonly [tag: 'ok', state: TState]
  | readonly [tag: 'ok', state: TState, next: Continue]
  | readonly [tag: 'ignore']
  | readonly [tag: 'stop', reason: ExitReason]

/** `{:reply, reply, new_state}` and friends */
export type CallResult<TReply, TState> =
  | readonly [tag: 'reply', reply: TReply, state: TState]
  | readonly [tag: 'reply', reply: TReply, state: TState, next: Continue]
  | readonly [tag: 'noreply', state: TState]
  | readonly [tag: 'noreply', state: TState, next: Continue]
  | readonly [tag: 'stop', reason: ExitReason, reply: TReply, state: TState]
  | readonly [tag: 'stop', reason: ExitReason, state: TState]

/** `{:noreply, new_state}`, `{:noreply, new_state, {:continue, arg}}` and `{:stop, reason, new_state}` */
export type NoReplyResult<TState> =
  | readonly [tag: 'noreply', state: TState]
  | readonly [tag: 'noreply', state: TState, next: Continue]
  | readonly [tag: 'stop', reason: ExitReason, state: TState]

/** `{:ok, pid}`, `:ignore` or `{:error, reason}`: what every start function returns. */
export type OnStart =
  | readonly [tag: 'ok', pid: Pid]
  | readonly [tag: 'ignore']
  | readonly [tag: 'error', reason: ExitReason]

/**
 * The callbacks of a GenServer. Only `init` is required. Type parameters: the state, the
 * argument of `init`, call requests, cast requests, replies, other messages.
 * Inside a callback written as a method, `this` is the server's process context.
 */
export interface Behaviour<
  TState,
  TArg = unknown,
  TCall = unknown,
  TCast = unknown,
  TReply = unknown,
  TInfo = unknown,
> {
  /** Sets up the state. Runs inside the new process; `start` waits for it. */
  init(this: ProcessContext, arg: TArg): Awaitable<InitResult<TState>>
  /** Answers a `call`. Reply now (`'reply'`), or later with `GenServer.reply(from, ...)` (`'noreply'`). */
  handleCall?(
    this: ProcessContext,
    request: TCall,
    from: From<TReply>,
    state: TState,
  ): Awaitable<CallResult<TReply, TState>>
  /** Handles a `cast`. */
  handleCast?(this: ProcessContext, request: TCast, state: TState): Awaitable<NoReplyResult<TState>>
  /** Handles any other message: timers, `DOWN`, `EXIT` when trapping exits, plain sends. */
  handleInfo?(this: ProcessContext, message: TInfo, state: TState): Awaitable<NoReplyResult<TState>>
  /** Runs right after the callback that returned `['continue', arg]`, before any other message. */
  handleContinue?(this: ProcessContext, arg: any, state: TState): Awaitable<NoReplyResult<TState>>
  /** Runs before the server stops on purpose, or crashes; on a supervisor's shutdown only when trapping exits. */
  terminate?(this: ProcessContext, reason: ExitReason, state: TState): unknown
}

/**
 * The argument a behaviour's `init` takes. `start` is typed by the whole behaviour rather than
 * by a state type inferred from `init`, so callbacks may use a wider state type than `init`
 * returns (a `Map` from init, a `ReadonlyMap` in handleInfo).
 */
export type InitArg<B extends Behaviour<any, any, any, any, any, any>> =
  Parameters<B['init']> extends [] ? unknown : Parameters<B['init']>[0]

/** Anything a server can be reached by: a pid, a registered name, a via name. */
export type Server = Dest

export interface StartOptions {
  /** Register the server under this name (a string, or `Registry.via(registry, key)`). */
  readonly name?: Name
  /** How long `init` may take, in ms (default `'infinity'`); on timeout the start fails with `'timeout'`. */
  readonly timeout?: Timeout
  /**
   * For `startLink` from inside a process: the process to link to (its context). A supervisor
   * starting children is found automatically.
   */
  readonly parent?: ProcessContext
  /** The node to start on, when not starting from inside a process. */
  readonly node?: Node
}

/**
 * Who is waiting for a reply: the second argument of `handleCall`. Pass it to
 * `GenServer.reply` to answer later. A reply after the caller gave up is discarded.
 */
export class From<TReply = unknown> {
  /** @internal */
  constructor(
    /** The caller, or the node's host pid when the call came from outside any process. */
    readonly pid: Pid,
    /** Identifies this call. */
    readonly ref: Ref,
    private waiter: ((reply: TReply) => void) | null,
  ) {}

  /** @internal Delivers the reply once; afterwards (or after the caller gave up) it is dropped. */
  deliver(reply: TReply): void {
    const waiter = this.waiter
    this.waiter = null
    waiter?.(reply)
  }

  /** @internal The caller stopped waiting. */
  cancel(): void {
    this.waiter = null
  }

  /** @internal True until the reply is delivered or the caller gave up. */
  isWaiting(): boolean {
    return this.waiter !== null
  }

  toString(): string {
    return `From<${this.pid}, ${this.ref}>`
  }
}

/** @internal The messages the client functions put in a server's mailbox. */
export interface CallMessage {
  readonly type: '$gen_call'
  readonly from: From<any>
  readonly request: unknown
}
/** @internal */
export interface CastMessage {
  readonly type: '$gen_cast'
  readonly request: unknown
}
/** @internal */
export interface StopMessage {
  readonly type: '$gen_stop'
  readonly reason: ExitReason
}

// --- Client --------------------------------------------------------------------------------

/**
 * Starts a GenServer process without a link and waits for its `init`. `GenServer.start/3`
 * @example const [tag, pid] = await GenServer.start(Counter, 0)
 */
export function start<B extends Behaviour<any, any, any, any, any, any>>(
  behaviour: B,
  arg: InitArg<B>,
  options: StartOptions = {},
): Promise<OnStart> {
  return startServer(behaviour, arg, options, false)
}

/**
 * Starts a GenServer process linked to the caller (the supervisor starting it, or
 * `options.parent`). `GenServer.start_link/3`; as there is no implicit `self()`, a process
 * that is not a supervisor passes `{ parent: ctx }`, and without either it links to nothing.
 * @example children: [{ id: 'counter', start: () => GenServer.startLink(Counter, 0) }]
 */
export function startLink<B extends Behaviour<any, any, any, any, any, any>>(
  behaviour: B,
  arg: InitArg<B>,
  options: StartOptions = {},
): Promise<OnStart> {
  return startServer(behaviour, arg, options, true)
}

/**
 * Sends `request` and waits for the reply. Rejects with `CallTimeoutError` after `timeout` ms
 * (default 5000), with `NoProcError` if the server is not running, and with an `ExitError`
 * carrying the server's reason if it exits first. `GenServer.call/3`; the third argument may
 * also be `{ timeout, caller: ctx }`, since there is no implicit `self()` to call from (see
 * {@link CallOptions}). Works from anywhere: the reply does not go through a mailbox.
 * @example const count = await GenServer.call<number>('counter', 'get')
 */
export function call<TReply = any>(
  server: Server,
  request: unknown,
  timeoutOrOptions: Timeout | CallOptions = 5000,
): Promise<TReply> {
  const { timeout = 5000, caller } =
    typeof timeoutOrOptions === 'object' ? timeoutOrOptions : { timeout: timeoutOrOptions }
  assertTimeout(timeout)
  const failed: FailedCall = { fn: 'GenServer.call', args: [server, request, timeout] }
  const origin = originOf(server, caller)
  const target = lookup(server, origin)
  if (target === undefined) return Promise.reject(new NoProcError(failed))
  const remote = target.node !== origin
  const reply = new Promise<TReply>((resolve, reject) => {
    let timer: ReturnType<typeof origin.clock.setTimer> | undefined
    let watch: Ref | undefined
    const finish = () => {
      from.cancel()
      if (watch !== undefined) origin.unwatch(target, watch)
      if (timer !== undefined) origin.clock.cancelTimer(timer)
    }
    const settle = (value: TReply) => {
      finish()
      resolve(value)
    }
    // A reply from another node is copied and travels back over the network.
    const from = new From<TReply>(
      caller?.self ?? origin.host,
      new Ref(),
      remote
        ? (value) => {
            const copy = copyMessage(value)
            target.node.route(origin, () => settle(copy))
          }
        : settle,
    )
    watch = origin.watch(target, target.pid, (down) => {
      finish()
      reject(
        down.reason === 'noproc' ? new NoProcError(failed) : new ExitError(down.reason, failed),
      )
    })
    if (!from.isWaiting()) return
    if (timeout !== 'infinity') {
      timer = origin.clock.setTimer(timeout, () => {
        finish()
        reject(new CallTimeoutError(failed))
      })
    }
    const message: CallMessage = {
      type: '$gen_call',
      from,
      request: remote ? copyMessage(request) : request,
    }
    origin.route(target.node, () => target.deliver(message))
  })
  return telemetryOn ? traceCall(target, server, request, reply) : reply
}

/**
 * Options of `call` and `cast` beyond the timeout. In a cluster, pass `caller: ctx` from
 * inside a process so the request travels from that process's node (names resolve there too);
 * without it, a call by pid starts on the server's node and a call by name on the default node.
 */
export interface CallOptions {
  readonly timeout?: Timeout
  readonly caller?: ProcessContext
}

/**
 * Sends `request` without waiting. Never fails, even if the server does not exist.
 * `GenServer.cast/2`; in a cluster, pass `{ caller: ctx }` as for {@link call}.
 * @example GenServer.cast('counter', 'increment')
 */
export function cast(
  server: Server,
  request: unknown,
  options: { caller?: ProcessContext } = {},
): void {
  const origin = originOf(server, options.caller)
  const target = lookup(server, origin)
  if (target === undefined) return
  const message: CastMessage = {
    type: '$gen_cast',
    request: target.node === origin ? request : copyMessage(request),
  }
  origin.route(target.node, () => target.deliver(message))
}

/**
 * Answers a call whose `handleCall` returned `'noreply'`. A reply to a caller that gave up is
 * dropped. `GenServer.reply/2`
 * @example
 * handleCall: (_job, from, state) => ['noreply', { ...state, waiting: from }], // answer later
 * handleInfo(result, state) {
 *   GenServer.reply(state.waiting, result)
 *   return ['noreply', { ...state, waiting: undefined }]
 * },
 */
export function reply<TReply>(from: From<TReply>, value: TReply): void {
  if (!(from instanceof From)) {
    throw new TypeError(
      `Expected \`from\` to be the From given to handleCall, ${describeGot(from)}`,
    )
  }
  from.deliver(value)
}

/**
 * Stops the server with `reason` (default `'normal'`): it runs `terminate` and exits. Resolves
 * once it has exited; rejects if it was not running or exited with another reason.
 * `GenServer.stop/3`
 * @example await GenServer.stop('counter', 'shutdown')
 */
export function stop(
  server: Server,
  reason: ExitReason = 'normal',
  timeout: Timeout = 'infinity',
): Promise<void> {
  assertTimeout(timeout)
  const failed: FailedCall = { fn: 'GenServer.stop', args: [server, reason, timeout] }
  const target = lookup(server)
  if (target === undefined) return Promise.reject(new NoProcError(failed))
  const node = target.node
  return new Promise<void>((resolve, reject) => {
    let timer: ReturnType<typeof node.clock.setTimer> | undefined
    const watch = node.watch(target, target.pid, (down) => {
      if (timer !== undefined) node.clock.cancelTimer(timer)
      if (down.reason === reason) resolve()
      else
        reject(
          down.reason === 'noproc' ? new NoProcError(failed) : new ExitError(down.reason, failed),
        )
    })
    if (timeout !== 'infinity') {
      timer = node.clock.setTimer(timeout, () => {
        node.unwatch(target, watch)
        reject(new CallTimeoutError(failed))
      })
    }
    target.deliver({ type: '$gen_stop', reason } satisfies StopMessage)
  })
}

/**
 * The pid behind a server name (or pid), if it is running. `GenServer.whereis/1`
 * @example const pid = GenServer.whereis('counter') // undefined if it is not running
 */
export function whereis(server: Server): Pid | undefined {
  return lookup(server)?.pid
}

// --- Starting ------------------------------------------------------------------------------

const CALLBACKS = [
  'init',
  'handleCall',
  'handleCast',
  'handleInfo',
  'handleContinue',
  'terminate',
] as const

/** @internal Checks that `behaviour` is an object whose callbacks are functions. */
export function assertBehaviour(behaviour: unknown, argument = 'behaviour'): void {
  assertObject(behaviour, argument)
  const callbacks = behaviour as Record<string, unknown>
  assertFunction(callbacks.init, `${argument}.init`)
  for (const callback of CALLBACKS)
    assertOptionalFunction(callbacks[callback], `${argument}.${callback}`)
}

function startServer(
  behaviour: Behaviour<any, any>,
  arg: unknown,
  options: StartOptions,
  link: boolean,
): Promise<OnStart> {
  assertBehaviour(behaviour)
  assertObject(options, 'options')
  assertKnownKeys(options, ['name', 'timeout', 'parent', 'node'])
  if (options.name !== undefined) assertName(options.name, 'options.name')
  const timeout = options.timeout ?? 'infinity'
  assertTimeout(timeout, 'options.timeout')
  if (options.parent !== undefined) assertContext(options.parent, 'options.parent')
  if (options.node !== undefined && !(options.node instanceof Node))
    throw new TypeError(`Expected \`options.node\` to be a Node, ${describeGot(options.node)}`)
  const parent = link ? ((options.parent as Process | undefined) ?? startingParent()) : undefined
  // A dead parent could never be told of the server's exit, nor it of the parent's.
  parent?.assertAlive()
  const node = parent?.node ?? options.node ?? getDefaultNode()
  return startProcess(node, parent, options.name, timeout, 'GenServer', (process, ack) =>
    serve(process, behaviour, arg, ack),
  )
}

/**
 * @internal Starts a process that registers `name`, runs `init` and acknowledges, the way
 * every behaviour starts (Erlang's `proc_lib:start_link`). Resolves with the acknowledgement,
 * or with `['error', reason]` if the process dies or `timeout` passes first.
 */
export function startProcess(
  node: Node,
  parent: Process | undefined,
  name: Name | undefined,
  timeout: Timeout,
  behaviourName: string,
  body: (process: Process, ack: (result: OnStart) => void) => unknown,
): Promise<OnStart> {
  const existing = name === undefined ? undefined : lookupName(node, name)
  if (existing !== undefined) return Promise.resolve(['error', ['already_started', existing.pid]])
  return new Promise<OnStart>((resolve) => {
    let settled = false
    let timer: ReturnType<typeof node.clock.setTimer> | undefined
    const ack = (result: OnStart) => {
      if (settled) return
      settled = true
      if (timer !== undefined) node.clock.cancelTimer(timer)
      node.unwatch(process, watch)
      // Like gen_server: a failed start frees its name before the starter hears of it, so an
      // immediate retry does not get `already_started`.
      if (result[0] !== 'ok' && name !== undefined) unregisterOwnName(process, name)
      resolve(result)
    }
    const process = node.spawnProcess(
      (ctx) => {
        const self = ctx as Process
        if (name !== undefined && !registerName(self, name)) {
          ack(['error', ['already_started', lookupName(node, name)!.pid]])
          return
        }
        return body(self, ack)
      },
      { link: parent, behaviour: behaviourName },
    )
    const watch = node.watch(process, process.pid, (down) => ack(['error', down.reason]))
    if (timeout !== 'infinity') {
      timer = node.clock.setTimer(timeout, () => {
        ack(['error', 'timeout'])
        // Like proc_lib: unlink first, so the starter gets the error rather than the kill.
        if (parent !== undefined) {
          parent.links?.delete(process)
          process.links?.delete(parent)
        }
        process.terminate('killed')
      })
    }
  })
}

function registerName(process: Process, name: Name): boolean {
  if (typeof name === 'string') {
    if (process.node.names.has(name)) return false
    process.node.register(process.pid, name)
    return true
  }
  if (isGlobalName(name)) return process.node.global.register(process.node, name.global, process)
  return name.via.registerName(name.key, process.pid)
}

function unregisterOwnName(process: Process, name: Name): void {
  if (typeof name === 'string') {
    if (process.node.names.get(name) === process) process.node.unregister(name)
  } else if (isGlobalName(name)) {
    if (process.node.global.whereis(process.node, name.global) === process) {
      process.node.global.unregister(process.node, name.global)
    }
  } else if (name.via.whereisName(name.key) === process.pid) {
    name.via.unregisterName(name.key)
  }
}

function lookupName(node: Node, name: Name): Process | undefined {
  return node.resolve(name)
}

/** The node a request starts from: the caller's, else the server's (by pid) or the default node. */
function originOf(server: Server, caller: ProcessContext | undefined): Node {
  if (caller !== undefined) {
    assertContext(caller, 'options.caller')
    return caller.node
  }
  return (server instanceof Pid ? nodeOf(server) : undefined) ?? getDefaultNode()
}

/** @internal The live process behind a server reference, seen from `origin`, if any. */
export function lookup(server: Server, origin: Node = getDefaultNode()): Process | undefined {
  if (server instanceof Pid) return liveProcess(server)
  if (
    typeof server === 'string' ||
    isViaName(server) ||
    isGlobalName(server) ||
    isRemoteName(server)
  ) {
    return origin.resolve(server)
  }
  throw new TypeError(
    `Expected \`server\` to be a pid, a registered name, { name, node }, { global: name } or a via name, ${describeGot(server)}`,
  )
}

/** @internal */
export function describeServer(server: Server): string {
  return formatName(server)
}
