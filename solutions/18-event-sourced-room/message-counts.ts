/**
 * A projection: the query side of the room. It answers "how many messages has each user
 * posted?" from a read model of its own, built from the room's events, so queries never reach
 * the room and the room keeps nothing for them (CQRS: commands and queries apart).
 *
 * It subscribes to the store: it gets the events so far, folds them into the read model, and
 * then folds in every new event as it arrives. After a crash it does the same, and comes back
 * with the same counts.
 */
import { GenServer } from 'letitcrash'
import type { Appended } from './event-store.ts'
import * as EventStore from './event-store.ts'
import type { RoomEvent } from './room-events.ts'

/** Messages posted, per user. */
export type Counts = Readonly<Record<string, number>>

// #region fold
/** The counts after `event`: only posted messages count; the others change nothing. */
export function countMessages(counts: Counts, event: RoomEvent): Counts {
  if (event.type !== 'message_posted') return counts
  return { ...counts, [event.user]: (counts[event.user] ?? 0) + 1 }
}
// #endregion fold

// #region client
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
// #endregion client

// #region server
// Server (callbacks)

export const Projection = {
  async init(store: GenServer.Server) {
    // One call: the past events, and from now on each new one as an `Appended` message.
    const past = await EventStore.subscribe<RoomEvent>(store, this.self)
    return ['ok', past.reduce(countMessages, {})]
  },
  handleInfo: (appended: Appended<RoomEvent>, counts) => [
    'noreply',
    countMessages(counts, appended.event),
  ],
  handleCall: (_counts: 'counts', _from, counts) => ['reply', counts, counts],
} satisfies GenServer.Behaviour<
  Counts,
  GenServer.Server,
  'counts',
  never,
  Counts,
  Appended<RoomEvent>
>
// #endregion server
