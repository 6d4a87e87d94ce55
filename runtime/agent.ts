/**
 * Agent: a process that only holds state (Elixir's `Agent`). Other processes read and change
 * it by sending it functions.
 *
 * @example
 * const [, counter] = await Agent.start(() => 0, { name: 'counter' })
 * await Agent.update('counter', (n: number) => n + 1)
 * await Agent.get('counter', (n: number) => n) // 1
 *
 * The functions run *inside the agent process*, one at a time, exactly as in Elixir: the
 * state never leaves the agent, and a slow function holds up every other caller. Keep them
 * short; do expensive work in the caller and send the agent only the result. A function that
 * throws crashes the agent (its supervisor restarts it) and fails the call.
 *
 * An Agent is a GenServer underneath: `GenServer.call(agent, ...)`-style timeouts, names
 * (including `Registry.via`) and supervision all work the same. When it needs logic of its
 * own, write a GenServer.
 *
 * @see https://hexdocs.pm/elixir/Agent.html
 */
import type { ChildSpec } from './child-spec.ts'
import { BadReturnError } from './errors.ts'
import type { ExitReason } from './exit-reason.ts'
import * as GenServer from './gen-server.ts'
import type { Process } from './process.ts'
import { assertFunction, type Timeout } from './validate.ts'

/** A running agent: its pid or a name. */
export type Agent = GenServer.Server

type Awaitable<T> = T | Promise<T>

type Request =
  | readonly [kind: 'get', fn: (state: unknown) => unknown]
  | readonly [kind: 'update', fn: (state: unknown) => unknown]
  | readonly [kind: 'getAndUpdate', fn: (state: unknown) => unknown]

// --- Server (callbacks) --------------------------------------------------------------------

const AgentServer = {
  async init(fn: () => unknown) {
    ;(this as Process).behaviour = 'Agent'
    return ['ok', await fn()] as const
  },
  async handleCall([kind, fn]: Request, _from, state: unknown) {
    const result = await fn(state)
    if (kind === 'get') return ['reply', result, state] as const
    if (kind === 'update') return ['reply', undefined, result] as const
    if (!Array.isArray(result) || result.length !== 2) {
      throw new BadReturnError(
        'the function given to Agent.getAndUpdate',
        result,
        '[reply, newState]',
      )
    }
    return ['reply', result[0], result[1]] as const
  },
  async handleCast(fn: (state: unknown) => unknown, state: unknown) {
    return ['noreply', await fn(state)] as const
  },
} satisfies GenServer.Behaviour<unknown, () => unknown, Request, (state: unknown) => unknown>

// --- Client --------------------------------------------------------------------------------

/**
 * Starts an agent (not linked) whose state is what `fn` returns; `fn` runs inside the new
 * process. `Agent.start/2`
 * @example const [, pid] = await Agent.start(() => new Map(), { name: 'cache' })
 */
export function start<S>(
  fn: () => Awaitable<S>,
  options: GenServer.StartOptions = {},
): Promise<GenServer.OnStart> {
  assertFunction(fn, 'fn')
  return GenServer.start(AgentServer, fn, options)
}

/**
 * Starts an agent linked to the supervisor starting it (or `options.parent`). `Agent.start_link/2`
 * @example const Counter = { startLink: (n: number) => Agent.startLink(() => n, { name: 'counter' }) }
 */
export function startLink<S>(
  fn: () => Awaitable<S>,
  options: GenServer.StartOptions = {},
): Promise<GenServer.OnStart> {
  assertFunction(fn, 'fn')
  return GenServer.startLink(AgentServer, fn, options)
}

/**
 * A child spec that starts an agent with `fn` under a supervisor. `Agent.child_spec/1`
 * @example Supervisor.startLink([[Agent, () => 0]], { strategy: 'one_for_one' })
 */
export function childSpec<S>(
  fn: () => Awaitable<S>,
  options: GenServer.StartOptions = {},
): ChildSpec {
  assertFunction(fn, 'fn')
  return { id: 'Agent', start: () => startLink(fn, options) }
}

/**
 * Replies with `fn(state)`, computed inside the agent. `Agent.get/3`
 * @example const count = await Agent.get('counter', (n: number) => n)
 */
export function get<S, R>(
  agent: Agent,
  fn: (state: S) => Awaitable<R>,
  timeout: Timeout = 5000,
): Promise<R> {
  return request(agent, 'get', fn, timeout)
}

/**
 * Replaces the state with `fn(state)`, computed inside the agent; resolves once done.
 * `Agent.update/3`
 * @example await Agent.update('counter', (n: number) => n + 1)
 */
export function update<S>(
  agent: Agent,
  fn: (state: S) => Awaitable<S>,
  timeout: Timeout = 5000,
): Promise<void> {
  return request(agent, 'update', fn, timeout)
}

/**
 * `fn(state)` returns `[reply, newState]`: replies with the first, keeps the second.
 * `Agent.get_and_update/3`
 * @example const ticket = await Agent.getAndUpdate('tickets', (n: number) => [n, n + 1])
 */
export function getAndUpdate<S, R>(
  agent: Agent,
  fn: (state: S) => Awaitable<readonly [reply: R, newState: S]>,
  timeout: Timeout = 5000,
): Promise<R> {
  return request(agent, 'getAndUpdate', fn, timeout)
}

/**
 * Replaces the state with `fn(state)` without waiting; never fails. `Agent.cast/2`
 * @example Agent.cast('counter', (n: number) => n + 1)
 */
export function cast<S>(agent: Agent, fn: (state: S) => Awaitable<S>): void {
  assertFunction(fn, 'fn')
  GenServer.cast(agent, fn)
}

/**
 * Stops the agent with `reason` and waits until it has exited. `Agent.stop/3`
 * @example await Agent.stop('counter')
 */
export function stop(
  agent: Agent,
  reason: ExitReason = 'normal',
  timeout: Timeout = 'infinity',
): Promise<void> {
  return GenServer.stop(agent, reason, timeout)
}

function request<R>(agent: Agent, kind: Request[0], fn: unknown, timeout: Timeout): Promise<R> {
  assertFunction(fn, 'fn')
  return GenServer.call(agent, [kind, fn] satisfies Request, timeout)
}
