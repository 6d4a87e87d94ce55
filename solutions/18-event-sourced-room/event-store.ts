/**
 * An in-memory event store, given: one append-only log of events, kept by a GenServer.
 *
 * The log only grows. An event, once appended, never changes (it is frozen) and is never
 * removed; its position in the log is its version (the first event is version 1). Everything
 * else (the room's state, the read models) is computed from the log, and can be computed again.
 *
 * Readers that keep up with the log subscribe: `subscribe` returns the events so far and, from
 * then on, sends the subscriber every new event as an `Appended` message. Both happen in one
 * call, inside the store's process, so a subscriber misses no event and sees none twice.
 *
 * A real store keeps the log on disk (exercise 14 keeps messages in PostgreSQL); this one lives
 * as long as its process, which is why the room's supervisor starts it first and the room after.
 */
import { type DownMessage, GenServer, type Pid } from 'letitcrash'

/** What a subscriber gets for each new event: `{:appended, event, version}`. */
export interface Appended<E> {
  readonly type: 'appended'
  readonly event: E
  /** The event's position in the log, from 1. */
  readonly version: number
}

interface Log {
  readonly events: readonly unknown[]
  readonly subscribers: ReadonlySet<Pid>
}

type Call =
  | readonly [tag: 'append', events: readonly unknown[]]
  | readonly [tag: 'read']
  | readonly [tag: 'subscribe', pid: Pid]

// --- Client -------------------------------------------------------------------------------------

/**
 * Starts an empty store, linked to the caller (its supervisor).
 * @example EventStore.startLink({ name: 'events:lobby' })
 */
export function startLink(options: GenServer.StartOptions = {}): Promise<GenServer.OnStart> {
  return GenServer.startLink(Store, undefined, options)
}

/** Appends `events` at the end of the log, in their order; resolves with the new version. */
export function append<E>(store: GenServer.Server, events: readonly E[]): Promise<number> {
  return GenServer.call(store, ['append', events] satisfies Call)
}

/** Every event of the log, oldest first. */
export function read<E>(store: GenServer.Server): Promise<readonly E[]> {
  return GenServer.call(store, ['read'] satisfies Call)
}

/**
 * Returns the events so far, and sends `pid` an {@link Appended} for every event appended from
 * now on, until `pid` exits.
 */
export function subscribe<E>(store: GenServer.Server, pid: Pid): Promise<readonly E[]> {
  return GenServer.call(store, ['subscribe', pid] satisfies Call)
}

// --- Server (callbacks) -------------------------------------------------------------------------

const Store = {
  init: () => ['ok', { events: Object.freeze([]), subscribers: new Set() }],
  handleCall(request, _from, log) {
    switch (request[0]) {
      case 'read':
        return ['reply', log.events, log]
      case 'subscribe': {
        this.monitor(request[1]) // forget it when it exits (handleInfo)
        const subscribers = new Set(log.subscribers).add(request[1])
        return ['reply', log.events, { ...log, subscribers }]
      }
      case 'append': {
        const added = request[1].map((event) => Object.freeze(event))
        const events = Object.freeze([...log.events, ...added])
        added.forEach((event, i) => {
          const appended: Appended<unknown> = {
            type: 'appended',
            event,
            version: log.events.length + i + 1,
          }
          for (const pid of log.subscribers) this.send(pid, appended)
        })
        return ['reply', events.length, { ...log, events }]
      }
    }
  },
  handleInfo(down: DownMessage, log) {
    const subscribers = new Set(log.subscribers)
    subscribers.delete(down.pid as Pid)
    return ['noreply', { ...log, subscribers }]
  },
} satisfies GenServer.Behaviour<Log, undefined, Call, never, unknown, DownMessage>
