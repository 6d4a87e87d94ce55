/**
 * A projection: the query side of the room. It answers "how many messages has each user
 * posted?" from a read model of its own, built from the room's events, so queries never reach
 * the room and the room keeps nothing for them (CQRS: commands and queries apart).
 *
 * Replace each `throw new Error('TODO: ...')` with your code. The README has the tasks and hints.
 */
import { GenServer } from 'letitcrash'
import type { Appended } from './event-store.ts'
import * as EventStore from './event-store.ts'
import type { RoomEvent } from './room-events.ts'

/** Messages posted, per user. */
export type Counts = Readonly<Record<string, number>>

/** The counts after `event`: only posted messages count; the others change nothing. */
export function countMessages(counts: Counts, event: RoomEvent): Counts {
  // TODO (task 4): a message_posted adds one to its user's count (a new object); any other
  // event leaves the counts as they are.
  throw new Error(`TODO: countMessages(${event.type})`)
}

// Client

/** Starts the projection of the log kept by `store`, linked to the caller. */
export function startLink(
  store: GenServer.Server,
  options: GenServer.StartOptions = {},
): Promise<GenServer.OnStart> {
  return GenServer.startLink(Projection, store, options)
}

/** Messages posted per user, as far as the projection has seen. */
export function counts(projection: GenServer.Server): Promise<Counts> {
  return GenServer.call(projection, 'counts')
}

// Server (callbacks)

export const Projection = {
  async init(store: GenServer.Server) {
    // TODO (task 4): subscribe to the store (EventStore.subscribe<RoomEvent>(store, this.self))
    // and fold the past events it returns into the counts.
    throw new Error(`TODO: Projection.init(${String(store)})`)
  },
  handleInfo(appended: Appended<RoomEvent>, counts) {
    // TODO (task 4): every new event arrives here: fold it into the counts.
    throw new Error(`TODO: Projection.handleInfo(${appended.event.type})`)
  },
  handleCall: (_counts: 'counts', _from, counts) => ['reply', counts, counts],
} satisfies GenServer.Behaviour<
  Counts,
  GenServer.Server,
  'counts',
  never,
  Counts,
  Appended<RoomEvent>
>
