/**
 * Telemetry: the runtime tells whoever listens what happens inside it (a process started, a
 * supervisor restarted a child, a call took 30 ms), Erlang's `:telemetry` library.
 *
 * An event has a name, a list of strings like Elixir's list of atoms
 * (`[:letitcrash, :process, :spawn]` is `['letitcrash', 'process', 'spawn']`), numbers
 * (`measurements`) and context (`metadata`). A handler attached to a name runs synchronously,
 * inside `execute`, for every such event. A handler that throws is detached and reported to
 * the logger; the code that emitted the event carries on.
 *
 * @example
 * Telemetry.attach('slow-calls', Telemetry.events.callStop, (_event, { duration }, { server }) => {
 *   if (duration > 100) console.warn(`call to ${server} took ${duration} ms`)
 * })
 * Telemetry.detach('slow-calls')
 *
 * The events the runtime emits are listed in {@link events}. Times are milliseconds of the
 * node's clock, so under a virtual clock they are exact. Other code (the cluster, an app) emits
 * its own events with {@link execute}; by convention their names start with the emitter's name.
 *
 * With no handler attached, the runtime's emit sites check one boolean and build nothing.
 *
 * @see https://hexdocs.pm/telemetry/telemetry.html
 */
import type { ExitReason } from './exit-reason.ts'
import { reportCrash } from './logger.ts'
import type { Process } from './process.ts'
import type { ExitMessage } from './process-context.ts'
import { assertFunction, describeGot } from './validate.ts'

/** An event's name: Elixir's list of atoms, here a list of strings. */
export type EventName = readonly string[]
/** Numbers that describe the event: `{ duration: 30 }`. */
export type Measurements = Readonly<Record<string, number>>
/** What the event is about: `{ pid, reason }`. */
export type Metadata = Readonly<Record<string, unknown>>

/** Elixir's handler function: `fn event, measurements, metadata, config -> ... end`. */
export type Handler<TConfig = unknown> = (
  event: EventName,
  measurements: Measurements,
  metadata: Metadata,
  config: TConfig,
) => void

/** One entry of {@link listHandlers}: Elixir's `%{id: ..., event_name: ..., config: ...}`. */
export interface HandlerInfo {
  readonly id: string
  readonly eventName: EventName
  readonly handler: Handler<any>
  readonly config: unknown
}

/**
 * Every event the runtime emits. `monotonicTime` is the node's clock (`clock.now()`, ms);
 * `node` is the node's name.
 */
export const events = {
  /** A process started. Measurements `{ monotonicTime }`; metadata `{ pid, node, behaviour, parent }`. */
  spawn: ['letitcrash', 'process', 'spawn'],
  /** A process exited. Measurements `{ monotonicTime }`; metadata `{ pid, node, name, behaviour, reason }`. */
  exit: ['letitcrash', 'process', 'exit'],
  /**
   * A supervisor restarts a child (with its siblings, by its strategy). Measurements
   * `{ monotonicTime }`; metadata `{ supervisor, node, childId, pid, reason }`: `pid` and
   * `reason` are those of the child's exit, or `undefined` and `'restarting'` when the
   * supervisor tries again a restart that failed.
   */
  restart: ['letitcrash', 'supervisor', 'restart'],
  /**
   * A supervisor had one restart too many and gives up (it stops its children and exits with
   * `shutdown`). Erlang's `reached_max_restart_intensity`. Same measurements and metadata as
   * {@link events.restart}.
   */
  maxIntensity: ['letitcrash', 'supervisor', 'reached_max_restart_intensity'],
  /** `GenServer.call` sent its request. Measurements `{ monotonicTime }`; metadata `{ server, pid, node, request }`. */
  callStart: ['letitcrash', 'gen_server', 'call', 'start'],
  /** `GenServer.call` got its reply. Measurements `{ duration, monotonicTime }`; the start's metadata. */
  callStop: ['letitcrash', 'gen_server', 'call', 'stop'],
  /** `GenServer.call` failed (timeout, noproc, the server exited). As `callStop`, plus metadata `reason`. */
  callException: ['letitcrash', 'gen_server', 'call', 'exception'],
  /** A node connected to another. Measurements `{ monotonicTime }`; metadata `{ node, peer }`, once for each side. */
  nodeUp: ['letitcrash', 'node', 'up'],
  /** A node noticed it lost another. Measurements `{ monotonicTime }`; metadata `{ node, peer }`. */
  nodeDown: ['letitcrash', 'node', 'down'],
  /** The cluster's network was split. Measurements `{ monotonicTime }`; metadata `{ groups }` (node names). */
  partition: ['letitcrash', 'cluster', 'partition'],
  /** The cluster's partitions ended. Measurements `{ monotonicTime }`; metadata `{}`. */
  heal: ['letitcrash', 'cluster', 'heal'],
  /** A node of the cluster crashed. Measurements `{ monotonicTime }`; metadata `{ node }`. */
  crash: ['letitcrash', 'cluster', 'crash'],
} as const satisfies Record<string, EventName>

type Attached = Omit<HandlerInfo, 'eventName'> & { readonly eventNames: EventName[] }

/** Handlers by id, and the handlers of each event (keyed by the name joined with dots). */
const byId = new Map<string, Attached>()
let byEvent = new Map<string, Attached[]>()

/**
 * @internal True while any handler is attached. Emit sites check it before they build an
 * event, so telemetry costs nothing when nobody listens.
 */
export let active = false

/**
 * Calls `handler` for every event named `event` (or any of a list of names) until
 * {@link detach}. Ids are strings and must be unique. `telemetry:attach/4` and
 * `telemetry:attach_many/4` in one: pass one name or a list of names. `config` is passed to
 * every call of the handler.
 * @returns `['ok']`, or `['error', 'already_exists']` if `id` is taken
 * @example Telemetry.attach('log-exits', Telemetry.events.exit, (_e, _m, { pid, reason }) => log(pid, reason))
 */
export function attach<TConfig>(
  id: string,
  event: EventName | readonly EventName[],
  handler: Handler<TConfig>,
  config?: TConfig,
): readonly ['ok'] | readonly ['error', 'already_exists'] {
  if (typeof id !== 'string' || id === '')
    throw new TypeError(`Expected \`id\` to be a non-empty string, ${describeGot(id)}`)
  const eventNames = Array.isArray(event?.[0]) ? (event as EventName[]) : [event as EventName]
  for (const name of eventNames) assertEventName(name, 'event')
  assertFunction(handler, 'handler')
  if (byId.has(id)) return ['error', 'already_exists']
  byId.set(id, { id, eventNames: eventNames.map((e) => [...e]), handler, config })
  reindex()
  return ['ok']
}

/**
 * Removes a handler from all its events. `telemetry:detach/1`
 * @returns `['ok']`, or `['error', 'not_found']`
 * @example Telemetry.detach('log-exits') // ['ok']
 */
export function detach(id: string): readonly ['ok'] | readonly ['error', 'not_found'] {
  if (!byId.delete(id)) return ['error', 'not_found']
  reindex()
  return ['ok']
}

/**
 * Emits an event: calls each handler attached to `event`, in the order they were attached.
 * A handler that throws is detached and reported to the logger. `telemetry:execute/3`
 * @example Telemetry.execute(['chat', 'room', 'join'], { count: 1 }, { room: 'lobby' })
 */
export function execute(
  event: EventName,
  measurements: Measurements,
  metadata: Metadata = {},
): void {
  assertEventName(event, 'event')
  if (typeof measurements !== 'object' || measurements === null)
    throw new TypeError(`Expected \`measurements\` to be an object, ${describeGot(measurements)}`)
  const handlers = byEvent.get(event.join('.'))
  if (handlers === undefined) return
  // `byEvent` gets new lists on attach and detach, so a handler may (de)tach while we loop.
  for (const attached of handlers) {
    try {
      attached.handler(event, measurements, metadata, attached.config)
    } catch (error) {
      if (byId.get(attached.id) === attached) detach(attached.id)
      reportCrash('handler', undefined, attached.id, 'telemetry', error as ExitReason, { event })
    }
  }
}

/**
 * The handlers attached to events whose name starts with `prefix` (`[]`: all), one entry per
 * event. `telemetry:list_handlers/1`
 * @example Telemetry.listHandlers(['letitcrash', 'process']) // [{ id: 'log-exits', eventName: [...], ... }]
 */
export function listHandlers(prefix: EventName = []): HandlerInfo[] {
  if (!Array.isArray(prefix))
    throw new TypeError(`Expected \`prefix\` to be a list of strings, ${describeGot(prefix)}`)
  return [...byId.values()].flatMap(({ id, eventNames, handler, config }) =>
    eventNames
      .filter((name) => prefix.every((part, i) => name[i] === part))
      .map((eventName) => ({ id, eventName, handler, config })),
  )
}

function reindex(): void {
  byEvent = new Map()
  for (const attached of byId.values()) {
    for (const name of attached.eventNames) {
      const key = name.join('.')
      byEvent.set(key, [...(byEvent.get(key) ?? []), attached])
    }
  }
  active = byId.size > 0
}

function assertEventName(name: unknown, argument: string): asserts name is EventName {
  if (
    Array.isArray(name) &&
    name.length > 0 &&
    name.every((part) => typeof part === 'string' && part !== '')
  )
    return
  throw new TypeError(
    `Expected \`${argument}\` to be an event name, a list of strings like ['letitcrash', 'process', 'spawn'], ${describeGot(name)}`,
  )
}

// --- What the runtime emits (called only when `active`) ---------------------------------------

/** Emits `event` about something on `process`'s node, at its clock's time. */
function emit(event: EventName, process: Process, metadata: Metadata): void {
  const { clock, name } = process.node
  execute(event, { monotonicTime: clock.now() }, { ...metadata, node: name })
}

/** @internal */
export function spawned(p: Process): void {
  emit(events.spawn, p, { pid: p.pid, behaviour: p.behaviour, parent: p.parent?.pid })
}

/** @internal */
export function exited(p: Process, reason: unknown): void {
  emit(events.exit, p, { pid: p.pid, name: p.registeredName, behaviour: p.behaviour, reason })
}

/**
 * @internal A supervisor restarts a child (`allowed`) or gives up: the child ended with the
 * `EXIT` `message`, or `message` retries a failed restart.
 */
export function restarted(sup: Process, childId: unknown, message: unknown, allowed: boolean) {
  const exit = (message as ExitMessage | null)?.type === 'EXIT' ? (message as ExitMessage) : null
  const reason = exit ? exit.reason : 'restarting'
  const event = allowed ? events.restart : events.maxIntensity
  emit(event, sup, { supervisor: sup.pid, childId, pid: exit?.from, reason })
}

/** @internal Emits `callStart` now, and `callStop` or `callException` when `reply` settles. */
export function traceCall<T>(
  target: Process,
  server: unknown,
  request: unknown,
  reply: Promise<T>,
) {
  const { clock, name: node } = target.node
  const metadata = { server, pid: target.pid, node, request }
  const start = clock.now()
  execute(events.callStart, { monotonicTime: start }, metadata)
  const end = (event: EventName, extra?: Metadata) => {
    const now = clock.now()
    execute(event, { duration: now - start, monotonicTime: now }, { ...metadata, ...extra })
  }
  return reply.then(
    (value) => {
      end(events.callStop)
      return value
    },
    (error: { reason?: unknown }) => {
      end(events.callException, { reason: error?.reason ?? error })
      throw error
    },
  )
}
