/**
 * Child specifications: how a supervisor starts, restarts and stops one child (Elixir's
 * `Supervisor.child_spec/2` and the `child_spec/1` convention).
 *
 * A child can be given in three ways, exactly as in Elixir:
 *
 * @example
 * const children = [
 *   { id: 'cache', start: () => GenServer.startLink(Cache, {}), restart: 'transient' },
 *   Counter,          // a GenServer behaviour: started with GenServer.startLink(Counter, undefined)
 *   [Counter, 10],    // with an argument: GenServer.startLink(Counter, 10)
 * ]
 *
 * A module (any object) is turned into a spec by its `childSpec(arg)` if it has one, else by
 * its `startLink(arg)`, else (a GenServer behaviour, it has `init`) by
 * `GenServer.startLink(module, arg)`. Its id is the module object itself, as Elixir uses the
 * module's name. A bare module gets the argument `undefined` (Elixir passes `[]`).
 * `[machine, input]` (an XState machine) is `StateMachine.childSpec(machine, { input })`.
 * A supervisor module used as a child should have a `childSpec` (or `startLink`) that starts
 * it with `Supervisor.startLink` and says `type: 'supervisor'`.
 */
import type { AnyStateMachine } from 'xstate'
import { type OnStart, startLink as startGenServer } from './gen-server.ts'
import { isMachine, childSpec as machineChildSpec } from './state-machine.ts'
import {
  assertFunction,
  assertKnownKeys,
  assertObject,
  assertOneOf,
  assertTimeout,
  describeGot,
} from './validate.ts'

/** `:permanent` (always restarted), `:transient` (only after a crash), `:temporary` (never). */
export type RestartType = 'permanent' | 'transient' | 'temporary'

/** Milliseconds to wait after `shutdown` before killing; `'brutal_kill'` kills at once. */
export type Shutdown = number | 'brutal_kill' | 'infinity'

export type ChildType = 'worker' | 'supervisor'

/** Elixir's child spec map: `%{id: ..., start: {m, f, a}, restart: ..., shutdown: ..., type: ...}`. */
export interface ChildSpec {
  /** Names the child inside its supervisor: any value (a string, or a module object). */
  readonly id?: unknown
  /** Starts the child and links it to the caller (the supervisor): usually a `startLink`. */
  readonly start: () => OnStart | Promise<OnStart>
  /** Default `'permanent'`. */
  readonly restart?: RestartType
  /** Default 5000 for a worker, `'infinity'` for a supervisor. */
  readonly shutdown?: Shutdown
  /** Default `'worker'`. */
  readonly type?: ChildType
}

/** Anything that says how to start a child: a module with `childSpec(arg)` or `startLink(arg)`, or a GenServer behaviour. */
export type ChildModule =
  | { childSpec(arg: any): ChildSpec }
  | { startLink(arg: any): OnStart | Promise<OnStart> }
  | { init(arg: any): unknown }

/** A child as a supervisor accepts it: a spec, a module, `[module, arg]`, or `[machine, input]`. */
export type Child =
  | ChildSpec
  | ChildModule
  | readonly [module: ChildModule, arg: unknown]
  | readonly [machine: AnyStateMachine, input: unknown]

/** A spec with every default filled in. */
export interface FullChildSpec {
  readonly id: unknown
  readonly start: () => OnStart | Promise<OnStart>
  readonly restart: RestartType
  readonly shutdown: Shutdown
  readonly type: ChildType
}

const SPEC_KEYS = ['id', 'start', 'restart', 'shutdown', 'type']
const RESTARTS: readonly RestartType[] = ['permanent', 'transient', 'temporary']
const TYPES: readonly ChildType[] = ['worker', 'supervisor']

/**
 * Builds a complete child spec from a spec, module or `[module, arg]`, with `overrides` applied
 * on top. Throws a TypeError for anything malformed. `argument` names the input in messages.
 */
export function toChildSpec(
  child: unknown,
  overrides: Partial<ChildSpec> = {},
  argument = 'child',
): FullChildSpec {
  assertObject(overrides, 'overrides')
  assertKnownKeys(overrides, SPEC_KEYS, 'overrides')
  const spec = { ...specOf(child, argument), ...overrides } as ChildSpec
  assertKnownKeys(spec, SPEC_KEYS, argument)
  assertFunction(spec.start, `${argument}.start`)
  const restart = spec.restart ?? 'permanent'
  assertOneOf(restart, RESTARTS, `${argument}.restart`)
  const type = spec.type ?? 'worker'
  assertOneOf(type, TYPES, `${argument}.type`)
  const shutdown = spec.shutdown ?? (type === 'worker' ? 5000 : 'infinity')
  if (shutdown !== 'brutal_kill') {
    try {
      assertTimeout(shutdown)
    } catch {
      throw new TypeError(
        `Expected \`${argument}.shutdown\` to be a non-negative integer, 'brutal_kill' or 'infinity', ${describeGot(shutdown)}`,
      )
    }
  }
  return { id: spec.id, start: spec.start, restart, shutdown, type }
}

/** The plain spec behind a spec, a module or `[module, arg]`. */
function specOf(child: unknown, argument: string): ChildSpec {
  const [module, arg] =
    Array.isArray(child) && child.length === 2 ? child : ([child, undefined] as const)
  if (typeof module === 'object' && module !== null && !Array.isArray(module)) {
    const m = module as Record<string, unknown>
    if (typeof m.childSpec === 'function') {
      const spec = m.childSpec(arg)
      assertObject(spec, `${argument}.childSpec(arg)`)
      return { id: module, ...spec } as ChildSpec
    }
    if (typeof m.startLink === 'function')
      return {
        id: module,
        start: () => (m.startLink as (arg: unknown) => OnStart)(arg),
      } as ChildSpec
    if (isMachine(module)) return machineChildSpec(module, { input: arg })
    if (typeof m.init === 'function')
      return { id: module, start: () => startGenServer(m as any, arg) }
    if (!Array.isArray(child)) return m as unknown as ChildSpec // a plain spec
  }
  throw new TypeError(
    `Expected \`${argument}\` to be a child spec ({ id, start }), a module with childSpec/startLink/init, or [module, arg], ${describeGot(child)}`,
  )
}
