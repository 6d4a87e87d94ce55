/**
 * Supervisor: a process that starts other processes, watches them, and restarts them when
 * they fail. Let it crash: a child does not defend itself against every error; it dies, and
 * its supervisor starts it again in a known good state.
 *
 * @example
 * const [, sup] = await Supervisor.startLink(
 *   [
 *     { id: 'stack', start: () => GenServer.startLink(Stack, ['hello']) },
 *     [Counter, 0],
 *   ],
 *   { strategy: 'one_for_one' },
 * )
 * await Supervisor.whichChildren(sup) // [{ id: Counter, ... }, { id: 'stack', ... }]
 *
 * Or as a module, like `use Supervisor` in Elixir:
 *
 * @example
 * const App = {
 *   init: (arg: number) => Supervisor.init([[Counter, arg]], { strategy: 'one_for_all' }),
 * }
 * await Supervisor.startLink(App, 10, { name: 'app' })
 *
 * How it works: children start one after another, in order. When one exits, its `restart`
 * type (`permanent`, `transient`, `temporary`) says whether to restart, and the `strategy` says
 * what else restarts with it: `one_for_one` only that child; `one_for_all` every child (the
 * others are stopped first, last started first); `rest_for_one` the child and those started
 * after it. More than `maxRestarts` restarts (default 3) within `maxSeconds` (default 5) and
 * the supervisor gives up: it stops every child and exits with reason `'shutdown'`, so its own
 * supervisor can try a bigger restart. On stop, children are stopped in reverse start order.
 *
 * If a child fails to start, the children already started are stopped (in reverse order) and
 * the start fails with `['error', { shutdown: { failedToStartChild: id, reason } }]`,
 * Elixir's `{:error, {:shutdown, {:failed_to_start_child, id, reason}}}`.
 *
 * @see https://hexdocs.pm/elixir/Supervisor.html
 */
import {
  type Child,
  type ChildSpec,
  type FullChildSpec,
  type RestartType,
  type Shutdown,
  toChildSpec,
} from './child-spec.ts'
import { formatValue } from './errors.ts'
import type { ExitReason } from './exit-reason.ts'
import {
  type Behaviour,
  call,
  type OnStart,
  type Server,
  stop as stopServer,
} from './gen-server.ts'
import { isPid, type Pid } from './pid.ts'
import type { Process } from './process.ts'
import type { ProcessContext } from './process-context.ts'
import { assertIntensity, RestartIntensity } from './restart-intensity.ts'
import {
  type ChildCounts,
  type ChildInfo,
  countChildren as count,
  initModule,
  isExit,
  needsRestart,
  registerSupervisor,
  retryLater,
  retryOf,
  START_OPTIONS,
  type StartOptions,
  shutdownChild,
  startChild as startChildProcess,
  startSupervisor,
} from './supervision.ts'
import { restarted, active as telemetryOn } from './telemetry.ts'
import { assertFunction, assertKnownKeys, assertObject, assertOneOf } from './validate.ts'

export type { ChildModule, ChildType } from './child-spec.ts'
export type { Child, ChildCounts, ChildInfo, ChildSpec, RestartType, Shutdown }

export type Strategy = 'one_for_one' | 'one_for_all' | 'rest_for_one'

/** Elixir's supervisor flags: `strategy: ..., max_restarts: 3, max_seconds: 5`. */
export interface Flags {
  readonly strategy: Strategy
  /** Restarts allowed within `maxSeconds` before the supervisor gives up. Default 3. */
  readonly maxRestarts?: number
  /** Default 5. */
  readonly maxSeconds?: number
}

export interface Options extends Flags, StartOptions {}

/** What a supervisor module's `init` returns: `Supervisor.init(children, flags)` or `['ignore']`. */
export type InitResult =
  | readonly [
      tag: 'ok',
      spec: { readonly flags: Required<Flags>; readonly children: FullChildSpec[] },
    ]
  | readonly [tag: 'ignore']

/** A supervisor module (Elixir's `use Supervisor`): its `init` lists the children. */
export interface Module<TArg = unknown> {
  init(this: ProcessContext, arg: TArg): InitResult | Promise<InitResult>
}

/** `:ok`, or `{:error, reason}` for the child management functions. */
export type Result<E extends string = 'not_found'> = readonly ['ok'] | readonly ['error', E]

/** What `startChild` and `restartChild` return (`pid` is undefined when the start returned ignore). */
export type OnStartChild = readonly ['ok', Pid | undefined] | readonly ['error', unknown]

const STRATEGIES: readonly Strategy[] = ['one_for_one', 'one_for_all', 'rest_for_one']

// --- Client --------------------------------------------------------------------------------

/**
 * Starts a supervisor linked to the caller, and its children in order. Resolves once every
 * child has started. `Supervisor.start_link/2` and `/3`
 * @example await Supervisor.startLink([Counter], { strategy: 'one_for_one', name: 'sup' })
 * @example await Supervisor.startLink(MySupervisor, arg, { name: 'sup' })
 */
export function startLink(children: readonly Child[], options: Options): Promise<OnStart>
export function startLink<TArg>(
  module: Module<TArg>,
  arg: TArg,
  options?: StartOptions,
): Promise<OnStart>
export function startLink(
  first: readonly Child[] | Module<any>,
  second?: unknown,
  third: StartOptions = {},
): Promise<OnStart> {
  if (Array.isArray(first)) {
    assertObject(second, 'options')
    assertKnownKeys(second, [...START_OPTIONS, 'strategy', 'maxRestarts', 'maxSeconds'])
    const { name, parent, node, ...flags } = second as Options
    const result = init(first, flags) // checks everything before the process starts
    return startSupervisor('Supervisor', Callbacks, [{ init: () => result }, undefined], {
      name,
      parent,
      node,
    })
  }
  assertObject(first, 'module')
  assertFunction((first as Module).init, 'module.init')
  assertObject(third, 'options')
  assertKnownKeys(third, START_OPTIONS)
  return startSupervisor('Supervisor', Callbacks, [first, second], third)
}

/**
 * Checks children and flags and builds what a supervisor module's `init` returns.
 * `Supervisor.init/2`
 * @example init: () => Supervisor.init([Cache, [Worker, 1]], { strategy: 'rest_for_one' })
 */
export function init(children: readonly Child[], flags: Flags): InitResult {
  if (!Array.isArray(children))
    throw new TypeError(`Expected \`children\` to be an array, got \`${formatValue(children)}\``)
  assertObject(flags, 'flags')
  assertKnownKeys(flags, ['strategy', 'maxRestarts', 'maxSeconds'], 'flags')
  assertOneOf(flags.strategy, STRATEGIES, 'strategy')
  assertIntensity(flags)
  const specs = children.map((child, i) => toChildSpec(child, {}, `children[${i}]`))
  const ids = new Set<unknown>()
  for (const [i, spec] of specs.entries()) {
    assertId(spec, `children[${i}]`)
    if (ids.has(spec.id))
      throw new TypeError(
        `Duplicate child id ${formatValue(spec.id)} in \`children[${i}]\`; every child needs its own id`,
      )
    ids.add(spec.id)
  }
  const { strategy, maxRestarts = 3, maxSeconds = 5 } = flags
  return ['ok', { flags: { strategy, maxRestarts, maxSeconds }, children: specs }]
}

/**
 * A child spec from a spec, module or `[module, arg]`, with `overrides` on top.
 * `Supervisor.child_spec/2`
 * @example Supervisor.childSpec([Counter, 0], { id: 'counter2', restart: 'transient' })
 */
export function childSpec(child: Child, overrides: Partial<ChildSpec> = {}): FullChildSpec {
  return toChildSpec(child, overrides)
}

/**
 * The children, last started first: `{ id, pid, type }`. `Supervisor.which_children/1`
 * @example await Supervisor.whichChildren('sup') // [{ id: 'cache', pid, type: 'worker' }, ...]
 */
export function whichChildren(supervisor: Server): Promise<ChildInfo[]> {
  return call(supervisor, { op: 'whichChildren' }, 'infinity')
}

/**
 * How many children, running ones, supervisors and workers. `Supervisor.count_children/1`
 * @example await Supervisor.countChildren('sup') // { specs: 2, active: 2, supervisors: 0, workers: 2 }
 */
export function countChildren(supervisor: Server): Promise<ChildCounts> {
  return call(supervisor, { op: 'countChildren' }, 'infinity')
}

/**
 * Stops the child `id` (it keeps its spec unless `temporary`). `Supervisor.terminate_child/2`
 * @returns `['ok']` or `['error', 'not_found']`
 * @example await Supervisor.terminateChild('sup', 'cache') // ['ok']
 */
export function terminateChild(supervisor: Server, id: unknown): Promise<Result> {
  return call(supervisor, { op: 'terminateChild', id }, 'infinity')
}

/**
 * Starts again a child that was terminated. `Supervisor.restart_child/2`
 * @returns `['ok', pid]`, or `['error', 'not_found' | 'running' | 'restarting' | reason]`
 * @example
 * await Supervisor.terminateChild('sup', 'cache')
 * await Supervisor.restartChild('sup', 'cache') // ['ok', pid]
 */
export function restartChild(supervisor: Server, id: unknown): Promise<OnStartChild> {
  return call(supervisor, { op: 'restartChild', id }, 'infinity')
}

/**
 * Forgets a child that is not running. `Supervisor.delete_child/2`
 * @returns `['ok']` or `['error', 'not_found' | 'running' | 'restarting']`
 * @example
 * await Supervisor.terminateChild('sup', 'cache')
 * await Supervisor.deleteChild('sup', 'cache') // ['ok']: whichChildren no longer lists it
 */
export function deleteChild(
  supervisor: Server,
  id: unknown,
): Promise<Result<'not_found' | 'running' | 'restarting'>> {
  return call(supervisor, { op: 'deleteChild', id }, 'infinity')
}

/**
 * Adds a child and starts it; it is started last, so stopped first. `Supervisor.start_child/2`
 * @returns `['ok', pid]`, `['error', ['already_started', pid]]`, `['error', 'already_present']`
 *   or `['error', reason]`
 * @example await Supervisor.startChild('sup', { id: 'cache', start: () => GenServer.startLink(Cache, {}) })
 */
export function startChild(supervisor: Server, child: Child): Promise<OnStartChild> {
  const spec = toChildSpec(child)
  assertId(spec, 'child')
  return call(supervisor, { op: 'startChild', spec }, 'infinity')
}

/**
 * Stops the supervisor (children first, in reverse start order) and waits until it has exited.
 * `Supervisor.stop/3`, without its timeout
 * @example await Supervisor.stop('sup')
 */
export function stop(supervisor: Server, reason: ExitReason = 'normal'): Promise<void> {
  return stopServer(supervisor, reason)
}

function assertId(spec: FullChildSpec, argument: string): void {
  if (spec.id === undefined)
    throw new TypeError(
      `Expected \`${argument}.id\` to be set, got \`undefined\`: every child of a Supervisor needs an id`,
    )
}

// --- Server (callbacks) --------------------------------------------------------------------

interface Kid {
  readonly spec: FullChildSpec
  pid: Pid | undefined | 'restarting'
}

interface State {
  readonly strategy: Strategy
  readonly intensity: RestartIntensity
  /** In start order. */
  readonly children: Kid[]
}

type Request =
  | { op: 'whichChildren' }
  | { op: 'countChildren' }
  | { op: 'terminateChild' | 'restartChild' | 'deleteChild'; id: unknown }
  | { op: 'startChild'; spec: FullChildSpec }

const Callbacks = {
  async init([module, arg]) {
    const self = this as Process
    const spec = await initModule(self, module, arg, 'Supervisor.init(children, flags)')
    if (spec === undefined) return ['ignore']
    const { flags, children } = init(spec.children, spec.flags)[1]!
    const intensity = new RestartIntensity(flags.maxRestarts, flags.maxSeconds, self.node.clock)
    const state: State = { strategy: flags.strategy, intensity, children: [] }
    for (const spec of children) {
      const started = await startChildProcess(self, spec)
      if (started[0] === 'error') {
        await stopChildren(self, state.children)
        return ['stop', { shutdown: { failedToStartChild: spec.id, reason: started[1] } }]
      }
      addKid(state, spec, started)
    }
    registerSupervisor(self, () => ({
      behaviour: 'Supervisor',
      ...flags,
      restarts: intensity.total,
      recentRestarts: intensity.inWindow(),
      children: state.children.map((k) => ({ ...info(k), restart: k.spec.restart })),
    }))
    return ['ok', state]
  },

  async handleCall(request, _from, state) {
    return ['reply', await handle(this as Process, request, state), state]
  },

  async handleInfo(message, state) {
    const self = this as Process
    let kid: Kid | undefined
    if (isExit(message)) {
      kid = state.children.find((k) => k.pid === message.from)
      if (kid === undefined) return ['noreply', state] // not a child (any more)
      if (!needsRestart(kid.spec.restart, message.reason)) {
        removeOrKeep(state, kid)
        return ['noreply', state]
      }
    } else {
      kid = retryOf<Kid>(message)
      if (kid?.pid !== 'restarting' || !state.children.includes(kid)) return ['noreply', state]
    }
    kid.pid = undefined
    // Too many restarts: give up, and let our own supervisor decide (terminate stops children).
    const allowed = state.intensity.add()
    if (telemetryOn) restarted(self, kid.spec.id, message, allowed)
    if (!allowed) return ['stop', 'shutdown', state]
    await restart(self, state, kid)
    return ['noreply', state]
  },

  terminate(_reason, state) {
    return stopChildren(this as Process, state.children)
  },
} satisfies Behaviour<State, [Module, unknown], Request>

/** Restarts `kid` and, by the strategy, its siblings: the others stop last-first, then all start in order. */
async function restart(self: Process, state: State, kid: Kid): Promise<void> {
  const group =
    state.strategy === 'one_for_one'
      ? [kid]
      : state.strategy === 'one_for_all'
        ? [...state.children]
        : state.children.slice(state.children.indexOf(kid))
  await stopChildren(self, group, state)
  for (const k of group) {
    if (!state.children.includes(k)) continue // a temporary sibling, stopped for good
    const started = await startChildProcess(self, k.spec)
    if (started[0] === 'error') {
      // Try again later through the mailbox; each try counts as a restart.
      k.pid = 'restarting'
      retryLater(self, k)
      return
    }
    k.pid = started[0] === 'ok' ? started[1] : undefined
    if (k.pid === undefined && k.spec.restart === 'temporary') removeOrKeep(state, k)
  }
}

/** Stops `kids` last-first; with `state`, temporary ones are also forgotten. */
async function stopChildren(self: Process, kids: Kid[], state?: State): Promise<void> {
  for (const kid of [...kids].reverse()) {
    if (isPid(kid.pid)) await shutdownChild(self, kid.pid, kid.spec.shutdown)
    if (state) removeOrKeep(state, kid)
  }
}

/** A child that stopped: a temporary one is forgotten, any other is kept without a pid. */
function removeOrKeep(state: State, kid: Kid): void {
  kid.pid = undefined
  if (kid.spec.restart === 'temporary') state.children.splice(state.children.indexOf(kid), 1)
}

function addKid(state: State, spec: FullChildSpec, started: OnStart): void {
  const pid = started[0] === 'ok' ? started[1] : undefined
  if (pid !== undefined || spec.restart !== 'temporary') state.children.push({ spec, pid })
}

function info(kid: Kid): ChildInfo {
  return { id: kid.spec.id, pid: kid.pid, type: kid.spec.type }
}

async function handle(self: Process, request: Request, state: State): Promise<unknown> {
  if (request.op === 'whichChildren') return state.children.map(info).reverse()
  if (request.op === 'countChildren') return count(state.children.map(info))
  if (request.op === 'startChild') {
    const existing = state.children.find((k) => k.spec.id === request.spec.id)
    if (existing !== undefined) {
      return isPid(existing.pid)
        ? ['error', ['already_started', existing.pid]]
        : ['error', 'already_present']
    }
    const started = await startChildProcess(self, request.spec)
    if (started[0] === 'error') return started
    addKid(state, request.spec, started)
    return ['ok', started[1]]
  }
  const kid = state.children.find((k) => k.spec.id === request.id)
  if (kid === undefined) return ['error', 'not_found']
  if (request.op === 'terminateChild') {
    await stopChildren(self, [kid], state)
    return ['ok']
  }
  if (kid.pid !== undefined) return ['error', kid.pid === 'restarting' ? 'restarting' : 'running']
  if (request.op === 'deleteChild') {
    state.children.splice(state.children.indexOf(kid), 1)
    return ['ok']
  }
  const started = await startChildProcess(self, kid.spec)
  if (started[0] === 'error') return started
  kid.pid = started[0] === 'ok' ? started[1] : undefined
  return ['ok', kid.pid]
}
