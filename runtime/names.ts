/**
 * How a process can be addressed: by pid, by a name registered on its node, or through a
 * "via" module such as `Registry` (Elixir's `{:via, Registry, {registry, key}}`).
 */
import { formatValue } from './errors.ts'
import { type GlobalName, isGlobalName } from './global.ts'
import { Pid } from './pid.ts'
import { describeGot } from './validate.ts'

/**
 * A name service a process can be registered with, like a module given to Elixir's `:via`.
 * `Registry.via(registry, key)` builds a {@link ViaName} that uses one.
 */
export interface ViaModule {
  /** Registers `pid` under `key`; false if the key is taken. */
  registerName(key: unknown, pid: Pid): boolean
  /** Forgets `key`. */
  unregisterName(key: unknown): void
  /** The pid registered under `key`, if any. */
  whereisName(key: unknown): Pid | undefined
}

/** Elixir's `{:via, module, key}`. */
export interface ViaName {
  readonly via: ViaModule
  readonly key: unknown
}

/** A name a process can be started with: a locally registered string, or a via name. */
export type Name = string | ViaName | GlobalName

/** Anything a message can be sent to. */
export type Dest = Pid | Name | RegisteredName

/**
 * A name registered on a given node, Erlang's `{name, node}`: a message to it is dropped if
 * nothing is registered there. A `DOWN` for a monitor set up by name names the process so too.
 */
export interface RegisteredName {
  readonly name: string
  readonly node: string
}

export function isRemoteName(value: unknown): value is RegisteredName {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as RegisteredName).name === 'string' &&
    typeof (value as RegisteredName).node === 'string'
  )
}

export function isViaName(value: unknown): value is ViaName {
  return (
    typeof value === 'object' &&
    value !== null &&
    'via' in value &&
    typeof (value as ViaName).via?.whereisName === 'function'
  )
}

/** Throws a TypeError unless `name` is a valid {@link Name}. */
export function assertName(name: unknown, argument = 'name'): asserts name is Name {
  if (typeof name === 'string' && name.length > 0) return
  if (isViaName(name) || isGlobalName(name)) return
  throw new TypeError(
    `Expected \`${argument}\` to be a non-empty string, a via name (Registry.via(registry, key)) or { global: name }, ${describeGot(name)}`,
  )
}

/** Throws a TypeError unless `dest` is a pid or a name. */
export function assertDest(dest: unknown, argument = 'dest'): asserts dest is Dest {
  if (dest instanceof Pid || isRemoteName(dest)) return
  try {
    assertName(dest, argument)
  } catch {
    throw new TypeError(
      `Expected \`${argument}\` to be a pid, a registered name, { name, node } or a via name, ${describeGot(dest)}`,
    )
  }
}

/** Prints a name for error messages. */
export function formatName(name: Dest): string {
  if (typeof name === 'string') return `'${name}'`
  if (name instanceof Pid) return String(name)
  if (isRemoteName(name)) return `{ name: '${name.name}', node: '${name.node}' }`
  if (isGlobalName(name)) return `{ global: '${name.global}' }`
  return `via(${formatValue(name.key)})`
}
