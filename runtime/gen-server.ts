/**
 * GenServer: a process that keeps state and answers requests, one message at a time.
 *
 * You write the *server* part as a behaviour, an object of callbacks checked against
 * {@link Behaviour}; the *client* part is a few functions that call `GenServer.call` (wait for a
 * reply) and `GenServer.cast` (fire and forget). Plain messages go to `handleInfo`.
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
 * When not to use one: a GenServer serialises every request. For work that needs no state,
 * use a Task; for a bit of shared state with no logic, an Agent.
 *
 * @see https://hexdocs.pm/elixir/GenServer.html
 */
import { CallTimeoutError, ExitError, type FailedCall, NoProcError } from './errors.ts'
import type { ExitReason } from './exit-reason.ts'
import { serve } from './gen-server-loop.ts'
import { assertName, type Dest, formatName, isViaName, type Name } from './names.ts'
import { getDefaultNode, Node, nodeOf, startingParent } from './node.ts'
import { Pid, type Ref } from './pid.ts'
import { assertContext, type Process, type ProcessContext } from './process.ts'
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
export function start<TState, TArg>(
  behaviour: Behaviour<TState, TArg, any, any, any, any>,
  arg: TArg,
  options: StartOptions = {},
): Promise<OnStart> {
  return startServer(behaviour, arg, options, false)
}

/**
 * Starts a GenServer process linked to the caller (the supervisor starting it, or
 * `options.parent`). `GenServer.start_link/3`
 * @example children: [{ id: 'counter', start: () => GenServer.startLink(Counter, 0) }]
 */
export function startLink<TState, TArg>(
  behaviour: Behaviour<TState, TArg, any, any, any, any>,
  arg: TArg,
  options: StartOptions = {},
): Promise<OnStart> {
  return startServer(behaviour, arg, options, true)
}

/**
 * Sends `request` and waits for the reply. Rejects with `CallTimeoutError` after `timeout` ms
 * (default 5000), with `NoProcError` if the server is not running, and with an `ExitError`
 * carrying the server's reason if it exits first. `GenServer.call/3`
 * @example const count = await GenServer.call<number>('counter', 'get')
 */
export function call<TReply = any>(
  server: Server,
  request: unknown,
  timeout: Timeout = 5000,
): Promise<TReply> {
  assertTimeout(timeout)
  const failed: FailedCall = { fn: 'GenServer.call', args: [server, request, timeout] }
  const target = lookup(server)
  if (target === undefined) return Promise.reject(new NoProcError(failed))
  const node = target.node
  return new Promise<TReply>((resolve, reject) => {
    let timer: ReturnType<typeof node.clock.setTimer> | undefined
    const finish = () => {
      from.cancel()
      node.unwatch(target, watch)
      if (timer !== undefined) node.clock.cancelTimer(timer)
    }
    const watch = node.watch(target, target.pid, (down) => {
      finish()
      reject(
        down.reason === 'noproc' ? new NoProcError(failed) : new ExitError(down.reason, failed),
      )
    })
    const from = new From<TReply>(node.host, watch, (reply) => {
      finish()
      resolve(reply)
    })
    if (timeout !== 'infinity') {
      timer = node.clock.setTimer(timeout, () => {
        finish()
        reject(new CallTimeoutError(failed))
      })
    }
    target.deliver({ type: '$gen_call', from, request } satisfies CallMessage)
  })
}

/** Sends `request` without waiting. Never fails, even if the server does not exist. `GenServer.cast/2` */
export function cast(server: Server, request: unknown): void {
  lookup(server)?.deliver({ type: '$gen_cast', request } satisfies CastMessage)
}

/**
 * Answers a call whose `handleCall` returned `'noreply'`. A reply to a caller that gave up is
 * dropped. `GenServer.reply/2`
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

/** The pid behind a server name, if it is running. `GenServer.whereis/1` */
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
  return name.via.registerName(name.key, process.pid)
}

function unregisterOwnName(process: Process, name: Name): void {
  if (typeof name === 'string') {
    if (process.node.names.get(name) === process) process.node.unregister(name)
  } else if (name.via.whereisName(name.key) === process.pid) {
    name.via.unregisterName(name.key)
  }
}

function lookupName(node: Node, name: Name): Process | undefined {
  return node.resolve(name)
}

/** @internal The live process behind a server reference, if any. */
export function lookup(server: Server): Process | undefined {
  if (server instanceof Pid) return nodeOf(server)?.processes.get(server.id)
  if (typeof server === 'string' || isViaName(server)) return getDefaultNode().resolve(server)
  throw new TypeError(
    `Expected \`server\` to be a pid, a registered name or a via name, ${describeGot(server)}`,
  )
}

/** @internal */
export function describeServer(server: Server): string {
  return formatName(server)
}
