/**
 * Registry: a local key-value store of processes (Elixir's `Registry`). Processes register
 * themselves under keys; others look them up, or address them with a via name.
 *
 * A registry is a process (so a supervisor can start and stop it), but its table lives in
 * plain JavaScript Maps, like Elixir's ETS table: `lookup` reads it at once, with no message
 * round trip. The registry process links to every process that registers (and traps exits):
 * when one dies, its entries are removed. Reads skip entries of processes that have already
 * died, so an entry is gone the moment its process is, not when the registry gets around to it.
 *
 * @example
 * await Registry.startLink({ keys: 'unique', name: 'rooms' })
 *
 * // A process registers itself (its ctx is Elixir's implicit self()):
 * spawn(async (ctx) => {
 *   Registry.register(ctx, 'rooms', 'lobby', { topic: 'general' })
 *   await ctx.receive()
 * })
 * Registry.lookup('rooms', 'lobby') // [[pid, { topic: 'general' }]]
 *
 * // Or a GenServer is started under a via name and reached through it:
 * const lobby = Registry.via('rooms', 'lobby')
 * await GenServer.start(Room, [], { name: lobby })
 * await GenServer.call(lobby, 'members')
 *
 * Keys are compared like `Map` keys (strings, numbers, the same object): two equal-looking
 * arrays are different keys, unlike Elixir's tuples. Use strings or numbers.
 *
 * With `keys: 'duplicate'`, many entries may share a key (a pub/sub topic, for instance) and
 * `dispatch` hands them all to a function. Via names need `keys: 'unique'`.
 *
 * @see https://hexdocs.pm/elixir/Registry.html
 */

import type { ChildSpec } from './child-spec.ts'
import { formatValue } from './errors.ts'
import { type Behaviour, type OnStart, startProcess } from './gen-server.ts'
import { serve } from './gen-server-loop.ts'
import type { ViaModule, ViaName } from './names.ts'
import { getDefaultNode, liveProcess, type Node, startingParent } from './node.ts'
import { Pid } from './pid.ts'
import { assertContext, linkBoth, type Process } from './process.ts'
import type { ExitMessage, ProcessContext } from './process-context.ts'
import {
  assertFunction,
  assertKnownKeys,
  assertObject,
  assertOneOf,
  describeGot,
} from './validate.ts'

/** `:unique` (one entry per key) or `:duplicate` (many). */
export type Keys = 'unique' | 'duplicate'

/** A registry is addressed by the name it was started with, or by its pid. */
export type RegistryRef = string | Pid

export interface StartOptions {
  /** `'unique'` or `'duplicate'`. Required. */
  readonly keys: Keys
  /** The registry's name, registered on its node. Required. */
  readonly name: string
  /** For `startLink` from inside a process: the process to link to. A supervisor is found automatically. */
  readonly parent?: ProcessContext
  /** The node to start on, when not starting from inside a process. */
  readonly node?: Node
}

/** `{:ok, owner}` or `{:error, {:already_registered, pid}}` */
export type RegisterResult =
  | readonly [tag: 'ok', owner: Pid]
  | readonly [tag: 'error', reason: readonly ['already_registered', Pid]]

/** The key of a via name: Elixir's `{registry, key}` or `{registry, key, value}`. */
export type ViaKey = readonly [registry: RegistryRef, key: unknown, value?: unknown]

interface Entry {
  readonly process: Process
  readonly value: unknown
}

interface Table {
  readonly keys: Keys
  readonly process: Process
  /** key → its entries, in registration order. */
  readonly entries: Map<unknown, Entry[]>
  /** pid → the keys it registered (once per registration), to clean up when it dies. */
  readonly owners: Map<Pid, unknown[]>
  readonly meta: Map<unknown, unknown>
}

/** Every running registry's table, found through its process. */
const tables = new WeakMap<Process, Table>()

// --- Server (callbacks) --------------------------------------------------------------------

const RegistryServer = {
  init(this: ProcessContext, keys: Keys) {
    this.trapExit(true)
    const process = this as Process
    const table: Table = { keys, process, entries: new Map(), owners: new Map(), meta: new Map() }
    tables.set(process, table)
    return ['ok', table] as const
  },
  // A registered process died (we are linked to it): forget its entries.
  handleInfo(message: ExitMessage, table: Table) {
    if (message?.type === 'EXIT') removeOwner(table, message.from)
    return ['noreply', table] as const
  },
} satisfies Behaviour<Table, Keys, never, never, never, ExitMessage>

// --- Client --------------------------------------------------------------------------------

/**
 * Starts a registry process linked to the caller (the supervisor starting it, or
 * `options.parent`). `Registry.start_link/1`
 * @example await Registry.startLink({ keys: 'unique', name: 'rooms' })
 */
export function startLink(options: StartOptions): Promise<OnStart> {
  assertStartOptions(options)
  if (options.parent !== undefined) assertContext(options.parent, 'options.parent')
  const parent = (options.parent as Process | undefined) ?? startingParent()
  const node = parent?.node ?? options.node ?? getDefaultNode()
  return startProcess(node, parent, options.name, 'infinity', 'Registry', (process, ack) =>
    serve(process, RegistryServer, options.keys, ack),
  )
}

/**
 * A child spec that starts a registry under a supervisor; its id is the registry's name.
 * `Registry.child_spec/1`
 * @example Supervisor.startLink([[Registry, { keys: 'unique', name: 'rooms' }]], { strategy: 'one_for_one' })
 */
export function childSpec(options: StartOptions): ChildSpec {
  assertStartOptions(options)
  return { id: options.name, start: () => startLink(options) }
}

/**
 * Registers the calling process (`ctx`) under `key` with `value`. With unique keys, a key held
 * by a live process fails with `['error', ['already_registered', pid]]`. The entry is removed
 * when the process dies or calls `unregister`. `Registry.register/3`
 * @example const [tag] = Registry.register(ctx, 'rooms', 'lobby', null)
 */
export function register(
  ctx: ProcessContext,
  registry: RegistryRef,
  key: unknown,
  value: unknown,
): RegisterResult {
  assertContext(ctx)
  ctx.assertAlive()
  const table = tableOf(registry)
  if (table.keys === 'unique') {
    const [owner] = liveEntries(table, key)
    if (owner !== undefined) return ['error', ['already_registered', owner.process.pid]]
  }
  addEntry(table, key, ctx, value)
  return ['ok', table.process.pid]
}

/**
 * Removes the calling process's entries under `key`. `Registry.unregister/2`
 * @example Registry.unregister(ctx, 'rooms', 'lobby')
 */
export function unregister(ctx: ProcessContext, registry: RegistryRef, key: unknown): void {
  assertContext(ctx)
  removeEntries(tableOf(registry), key, ctx.self)
}

/**
 * The live entries under `key`, as `[pid, value]` pairs in registration order.
 * `Registry.lookup/2`
 * @example const [[pid, value]] = Registry.lookup('rooms', 'lobby')
 */
export function lookup<V = unknown>(
  registry: RegistryRef,
  key: unknown,
): Array<[pid: Pid, value: V]> {
  return liveEntries(tableOf(registry), key).map((e) => [e.process.pid, e.value as V])
}

/**
 * The keys `pid` is registered under (a key twice if registered twice). `Registry.keys/2`
 * @example Registry.keys('rooms', pid) // ['lobby']
 */
export function keys(registry: RegistryRef, pid: Pid): unknown[] {
  const table = tableOf(registry)
  if (!(pid instanceof Pid))
    throw new TypeError(`Expected \`pid\` to be a pid, ${describeGot(pid)}`)
  return liveProcess(pid) !== undefined ? [...(table.owners.get(pid) ?? [])] : []
}

/**
 * The number of live entries in the registry. `Registry.count/1`
 * @example Registry.count('rooms') // 1
 */
export function count(registry: RegistryRef): number {
  let n = 0
  for (const entries of tableOf(registry).entries.values())
    for (const entry of entries) if (entry.process.alive) n++
  return n
}

/**
 * Calls `fn` once with every live entry under `key` (not at all if there is none), in the
 * caller. `Registry.dispatch/3`
 * @example Registry.dispatch('topics', 'news', (entries) => { for (const [pid] of entries) send(pid, msg) })
 */
export function dispatch<V = unknown>(
  registry: RegistryRef,
  key: unknown,
  fn: (entries: Array<[pid: Pid, value: V]>) => void,
): void {
  assertFunction(fn, 'fn')
  const entries = lookup<V>(registry, key)
  if (entries.length > 0) fn(entries)
}

/**
 * Reads registry metadata: `['ok', value]` or `['error']`. `Registry.meta/2`
 * @example Registry.meta('rooms', 'owner') // ['ok', 'chat'] once putMeta stored it, else ['error']
 */
export function meta(
  registry: RegistryRef,
  key: unknown,
): readonly [tag: 'ok', value: unknown] | readonly [tag: 'error'] {
  const table = tableOf(registry)
  return table.meta.has(key) ? ['ok', table.meta.get(key)] : ['error']
}

/**
 * Stores registry metadata under `key`. `Registry.put_meta/3`
 * @example Registry.putMeta('rooms', 'owner', 'chat')
 */
export function putMeta(registry: RegistryRef, key: unknown, value: unknown): void {
  tableOf(registry).meta.set(key, value)
}

// --- Via names -----------------------------------------------------------------------------

/**
 * A name that registers a process under `key` when it starts and finds it again for
 * `GenServer.call`/`cast` and `send`. The entry is made from inside the starting process,
 * before `init` runs, so a second start under a taken key fails with
 * `['error', ['already_started', pid]]`. Needs a unique registry.
 * (no Elixir counterpart: Elixir writes the tuple `{:via, Registry, {registry, key}}` itself)
 * @example await GenServer.start(Room, [], { name: Registry.via('rooms', 'lobby') })
 */
export function via(registry: RegistryRef, key: unknown, value?: unknown): ViaName {
  assertRegistryRef(registry)
  const viaKey: ViaKey = value === undefined ? [registry, key] : [registry, key, value]
  return { via: viaModule, key: viaKey }
}

/**
 * Registers `pid` under a via key; false if the key is taken by a live process.
 * `Registry.register_name/2`, called for you when a process starts with a via name.
 * @example Registry.registerName(['rooms', 'lobby'], pid) // true
 */
export function registerName([registry, key, value]: ViaKey, pid: Pid): boolean {
  const table = tableOf(registry)
  if (table.keys !== 'unique') {
    throw new TypeError(
      `Registry.via needs a registry with keys: 'unique'; ${formatValue(registry)} has duplicate keys`,
    )
  }
  const process = liveProcess(pid)
  if (process === undefined || liveEntries(table, key).length > 0) return false
  addEntry(table, key, process, value)
  return true
}

/**
 * Removes a via key. `Registry.unregister_name/1`
 * @example Registry.unregisterName(['rooms', 'lobby'])
 */
export function unregisterName([registry, key]: ViaKey): void {
  const table = findTable(registry)
  if (table === undefined) return
  for (const entry of liveEntries(table, key)) removeEntries(table, key, entry.process.pid)
}

/**
 * The pid under a via key, if it is alive (undefined also if the registry is not running).
 * `Registry.whereis_name/1`
 * @example Registry.whereisName(['rooms', 'lobby']) // pid
 */
export function whereisName([registry, key]: ViaKey): Pid | undefined {
  const table = findTable(registry)
  return table === undefined ? undefined : liveEntries(table, key)[0]?.process.pid
}

const viaModule: ViaModule = { registerName, unregisterName, whereisName }

// --- Helpers -------------------------------------------------------------------------------

function liveEntries(table: Table, key: unknown): Entry[] {
  return (table.entries.get(key) ?? []).filter((entry) => entry.process.alive)
}

function addEntry(table: Table, key: unknown, process: Process, value: unknown): void {
  table.entries.set(key, [...liveEntries(table, key), { process, value }])
  const keys = table.owners.get(process.pid)
  if (keys !== undefined) keys.push(key)
  else {
    table.owners.set(process.pid, [key])
    // Linked (and trapping), the registry hears of the process's death and cleans up.
    if (process !== table.process) linkBoth(table.process, process)
  }
}

/** Removes `pid`'s entries under `key`; unlinks it once it has no keys left. */
function removeEntries(table: Table, key: unknown, pid: Pid): void {
  const entries = (table.entries.get(key) ?? []).filter((e) => e.process.pid !== pid)
  if (entries.length > 0) table.entries.set(key, entries)
  else table.entries.delete(key)
  const keys = table.owners.get(pid)?.filter((k) => !sameKey(k, key))
  if (keys === undefined || keys.length > 0) {
    if (keys !== undefined) table.owners.set(pid, keys)
    return
  }
  table.owners.delete(pid)
  const process = liveProcess(pid)
  if (process !== undefined && process !== table.process) {
    process.links?.delete(table.process)
    table.process.links?.delete(process)
  }
}

/** Map's key equality (SameValueZero): `===`, except that NaN equals NaN. */
function sameKey(a: unknown, b: unknown): boolean {
  return a === b || Object.is(a, b)
}

function removeOwner(table: Table, pid: Pid): void {
  for (const key of new Set(table.owners.get(pid))) removeEntries(table, key, pid)
  table.owners.delete(pid)
}

function findTable(registry: RegistryRef): Table | undefined {
  assertRegistryRef(registry)
  const process =
    registry instanceof Pid ? liveProcess(registry) : getDefaultNode().resolve(registry)
  return process === undefined ? undefined : tables.get(process)
}

/** The table of a running registry; Elixir raises `ArgumentError` for an unknown one. */
function tableOf(registry: RegistryRef): Table {
  const table = findTable(registry)
  if (table === undefined) {
    throw new Error(`unknown registry: ${formatValue(registry)} is not a running Registry`)
  }
  return table
}

function assertRegistryRef(registry: unknown): asserts registry is RegistryRef {
  if (registry instanceof Pid || (typeof registry === 'string' && registry.length > 0)) return
  throw new TypeError(
    `Expected \`registry\` to be a registry name (a non-empty string) or pid, ${describeGot(registry)}`,
  )
}

function assertStartOptions(options: unknown): asserts options is StartOptions {
  assertObject(options, 'options')
  assertKnownKeys(options, ['keys', 'name', 'parent', 'node'])
  const { keys, name } = options as Partial<StartOptions>
  assertOneOf(keys, ['unique', 'duplicate'], 'options.keys')
  if (typeof name !== 'string' || name.length === 0) {
    throw new TypeError(`Expected \`options.name\` to be a non-empty string, ${describeGot(name)}`)
  }
}
