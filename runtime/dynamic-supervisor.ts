/**
 * DynamicSupervisor: a supervisor that starts with no children and starts them on demand,
 * one per room, connection or job. Children have no ids: you address them by pid. Each
 * crashed child is restarted on its own (`one_for_one`), under the same restart types and
 * restart intensity as a `Supervisor`.
 *
 * `whichChildren` lists children oldest first (Elixir lists them by pid, which is the same
 * order); a restarted child has a new pid and moves to the end. On stop, children are stopped
 * one by one, newest first (Elixir stops them all at once and waits for each).
 *
 * @example
 * await DynamicSupervisor.startLink({ name: 'rooms', maxChildren: 1000 })
 * const [, room] = await DynamicSupervisor.startChild('rooms', [Room, 'lobby'])
 * await DynamicSupervisor.terminateChild('rooms', room)
 *
 * Or as a module, like `use DynamicSupervisor`:
 *
 * @example
 * const Rooms = { init: () => DynamicSupervisor.init({ maxChildren: 1000 }) }
 * await DynamicSupervisor.startLink(Rooms, undefined, { name: 'rooms' })
 *
 * @see https://hexdocs.pm/elixir/DynamicSupervisor.html
 */
import { type Child, type FullChildSpec, toChildSpec } from './child-spec.ts'
import type { ExitReason } from './exit-reason.ts'
import {
  type Behaviour,
  call,
  type OnStart,
  type Server,
  stop as stopServer,
} from './gen-server.ts'
import type { Pid } from './pid.ts'
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
import {
  assertFunction,
  assertKnownKeys,
  assertObject,
  assertOneOf,
  describeGot,
} from './validate.ts'

export type { ChildCounts, ChildInfo }

/** Elixir's `DynamicSupervisor.init/1` options. */
export interface Flags {
  /** Only `'one_for_one'`, the default. */
  readonly strategy?: 'one_for_one'
  /** Default 3. */
  readonly maxRestarts?: number
  /** Default 5. */
  readonly maxSeconds?: number
  /** `startChild` fails with `max_children` once this many children exist. Default `'infinity'`. */
  readonly maxChildren?: number | 'infinity'
}

export interface Options extends Flags, StartOptions {}

/** What a dynamic supervisor module's `init` returns: `DynamicSupervisor.init(flags)` or `['ignore']`. */
export type InitResult = readonly [tag: 'ok', flags: Required<Flags>] | readonly [tag: 'ignore']

/** A dynamic supervisor module (Elixir's `use DynamicSupervisor`). */
export interface Module<TArg = unknown> {
  init(this: ProcessContext, arg: TArg): InitResult | Promise<InitResult>
}

const FLAGS = ['strategy', 'maxRestarts', 'maxSeconds', 'maxChildren']

// --- Client --------------------------------------------------------------------------------

/**
 * Starts a dynamic supervisor, with no children, linked to the caller.
 * `DynamicSupervisor.start_link/1` and `/3`
 * @example await DynamicSupervisor.startLink({ name: 'rooms' })
 */
export function startLink(options?: Options): Promise<OnStart>
export function startLink<TArg>(
  module: Module<TArg>,
  arg: TArg,
  options?: StartOptions,
): Promise<OnStart>
export function startLink(
  first: Options | Module<any> = {},
  second?: unknown,
  third: StartOptions = {},
): Promise<OnStart> {
  assertObject(first, 'options')
  if (typeof (first as Module).init !== 'function') {
    assertKnownKeys(first, [...START_OPTIONS, ...FLAGS])
    const { name, parent, node, ...flags } = first as Options
    const result = init(flags)
    return startSupervisor('DynamicSupervisor', Callbacks, [{ init: () => result }, undefined], {
      name,
      parent,
      node,
    })
  }
  assertFunction((first as Module).init, 'module.init')
  assertObject(third, 'options')
  assertKnownKeys(third, START_OPTIONS)
  return startSupervisor('DynamicSupervisor', Callbacks, [first, second], third)
}

/**
 * Checks the flags and builds what a dynamic supervisor module's `init` returns.
 * `DynamicSupervisor.init/1`
 * @example const Rooms = { init: () => DynamicSupervisor.init({ maxChildren: 1000 }) }
 */
export function init(flags: Flags = {}): InitResult {
  assertObject(flags, 'flags')
  assertKnownKeys(flags, FLAGS, 'flags')
  const {
    strategy = 'one_for_one',
    maxRestarts = 3,
    maxSeconds = 5,
    maxChildren = 'infinity',
  } = flags
  assertOneOf(strategy, ['one_for_one'], 'strategy')
  assertIntensity(flags)
  if (maxChildren !== 'infinity' && !(Number.isInteger(maxChildren) && maxChildren >= 0)) {
    throw new TypeError(
      `Expected \`maxChildren\` to be a non-negative integer or 'infinity', ${describeGot(maxChildren)}`,
    )
  }
  return ['ok', { strategy, maxRestarts, maxSeconds, maxChildren }]
}

/**
 * Starts a child from a spec, module or `[module, arg]` (its id is ignored).
 * `DynamicSupervisor.start_child/2`
 * @returns the child's start result, or `['error', 'max_children']` when full
 * @example const [, pid] = await DynamicSupervisor.startChild('rooms', { start: () => Room.startLink('lobby'), restart: 'transient' })
 */
export function startChild(supervisor: Server, child: Child): Promise<OnStart> {
  return call(supervisor, { op: 'startChild', spec: toChildSpec(child) }, 'infinity')
}

/**
 * Stops the child `pid` and forgets it. `DynamicSupervisor.terminate_child/2`
 * @returns `['ok']` or `['error', 'not_found']`
 * @example await DynamicSupervisor.terminateChild('rooms', room) // ['ok']
 */
export function terminateChild(
  supervisor: Server,
  pid: Pid,
): Promise<readonly ['ok'] | readonly ['error', 'not_found']> {
  return call(supervisor, { op: 'terminateChild', pid }, 'infinity')
}

/**
 * The children, oldest first; `id` is always undefined. `DynamicSupervisor.which_children/1`
 * @example await DynamicSupervisor.whichChildren('rooms') // [{ id: undefined, pid, type: 'worker' }]
 */
export function whichChildren(supervisor: Server): Promise<ChildInfo[]> {
  return call(supervisor, { op: 'whichChildren' }, 'infinity')
}

/**
 * How many children, running ones, supervisors and workers. `DynamicSupervisor.count_children/1`
 * @example await DynamicSupervisor.countChildren('rooms') // { specs: 1, active: 1, supervisors: 0, workers: 1 }
 */
export function countChildren(supervisor: Server): Promise<ChildCounts> {
  return call(supervisor, { op: 'countChildren' }, 'infinity')
}

/**
 * Stops the supervisor and its children (newest first), and waits until it has exited.
 * `DynamicSupervisor.stop/3`, without its timeout
 * @example await DynamicSupervisor.stop('rooms')
 */
export function stop(supervisor: Server, reason: ExitReason = 'normal'): Promise<void> {
  return stopServer(supervisor, reason)
}

// --- Server (callbacks) --------------------------------------------------------------------

interface Kid {
  readonly spec: FullChildSpec
  pid: Pid | 'restarting'
}

interface State {
  readonly intensity: RestartIntensity
  readonly maxChildren: number | 'infinity'
  /** Running children by pid, oldest first. */
  readonly running: Map<Pid, Kid>
  /** Children whose restart failed, waiting for another try. */
  readonly restarting: Set<Kid>
}

type Request =
  | { op: 'whichChildren' }
  | { op: 'countChildren' }
  | { op: 'startChild'; spec: FullChildSpec }
  | { op: 'terminateChild'; pid: Pid }

const Callbacks = {
  async init([module, arg]) {
    const self = this as Process
    const given = await initModule(self, module, arg, 'DynamicSupervisor.init(flags)')
    if (given === undefined) return ['ignore']
    const flags = init(given)[1]!
    const intensity = new RestartIntensity(flags.maxRestarts, flags.maxSeconds, self.node.clock)
    const state: State = {
      intensity,
      maxChildren: flags.maxChildren,
      running: new Map(),
      restarting: new Set(),
    }
    registerSupervisor(self, () => ({
      behaviour: 'DynamicSupervisor',
      ...flags,
      restarts: intensity.total,
      recentRestarts: intensity.inWindow(),
      children: [...state.running.values(), ...state.restarting].map((k) => ({
        id: undefined,
        pid: k.pid,
        type: k.spec.type,
        restart: k.spec.restart,
      })),
    }))
    return ['ok', state]
  },

  async handleCall(request, _from, state) {
    const self = this as Process
    if (request.op === 'whichChildren') return ['reply', children(state), state]
    if (request.op === 'countChildren') return ['reply', count(children(state)), state]
    if (request.op === 'terminateChild') {
      const kid = state.running.get(request.pid)
      if (kid === undefined) return ['reply', ['error', 'not_found'], state]
      state.running.delete(request.pid)
      await shutdownChild(self, request.pid, kid.spec.shutdown)
      return ['reply', ['ok'], state]
    }
    if (
      state.maxChildren !== 'infinity' &&
      state.running.size + state.restarting.size >= state.maxChildren
    ) {
      return ['reply', ['error', 'max_children'], state]
    }
    const started = await startChildProcess(self, request.spec)
    if (started[0] === 'ok') state.running.set(started[1], { spec: request.spec, pid: started[1] })
    return ['reply', started, state]
  },

  async handleInfo(message, state) {
    let kid: Kid | undefined
    if (isExit(message)) {
      kid = state.running.get(message.from)
      if (kid === undefined) return ['noreply', state]
      state.running.delete(message.from)
      if (!needsRestart(kid.spec.restart, message.reason)) return ['noreply', state]
    } else {
      kid = retryOf<Kid>(message)
      if (kid === undefined || !state.restarting.delete(kid)) return ['noreply', state]
    }
    const allowed = state.intensity.add()
    if (telemetryOn) restarted(this as Process, undefined, message, allowed)
    if (!allowed) return ['stop', 'shutdown', state]
    const self = this as Process
    const started = await startChildProcess(self, kid.spec)
    if (started[0] === 'ok') {
      kid.pid = started[1]
      state.running.set(kid.pid, kid)
    } else if (started[0] === 'error') {
      kid.pid = 'restarting'
      state.restarting.add(kid)
      retryLater(self, kid)
    }
    return ['noreply', state]
  },

  async terminate(_reason, state) {
    for (const [pid, kid] of [...state.running].reverse())
      await shutdownChild(this as Process, pid, kid.spec.shutdown)
  },
} satisfies Behaviour<State, [Module, unknown], Request>

function children(state: State): ChildInfo[] {
  return [...state.running.values(), ...state.restarting].map((kid) => ({
    id: undefined,
    pid: kid.pid,
    type: kid.spec.type,
  }))
}
