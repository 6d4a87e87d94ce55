/**
 * RoomChannel: what a client does in a chat room (the article's `ChatAppWeb.RoomChannel`).
 * Every client that joins `room:<name>` gets a channel process of its own, running these
 * callbacks; the room's clients reach each other through broadcasts on the topic.
 *
 * | client                   | the channel                                                |
 * |--------------------------|------------------------------------------------------------|
 * | join `room:<name>`       | ok, after checking the name; then pushes `presence_state`  |
 * | `new_msg` `{ body }`     | broadcasts `new_msg` `{ user, body }` to the room; ok      |
 * | anything else            | error `{ reason: 'unknown event', event }`                 |
 *
 * Who sent a message comes from the socket (the user the client logged in as), never from
 * the payload, which the client could fill with any name.
 *
 * Replace each `throw new Error('TODO: ...')` with your code. The README has the tasks and hints.
 */
import * as Channel from './channel.ts'
import type * as Presence from './presence.ts'

/** What connecting put in the socket (`user`), and what the join adds (`room`). */
export type Assigns = { readonly user: string; readonly room?: string }

/** Room names: 1 to 32 lower-case letters, digits, `_` or `-`. */
export const ROOM_NAME = /^[a-z0-9_-]{1,32}$/

/** The longest message body, in characters. */
export const MAX_BODY = 500

export const RoomChannel = {
  join(topic, _payload, socket) {
    // TODO (task 1): accept `room:<name>` (the name matching ROOM_NAME) from a socket whose
    // assigns have a `user`: ['ok', socket with the room assigned]; refuse anything else with
    // ['error', { reason }].
    // TODO (task 3): before accepting, send this channel process 'after_join'.
    throw new Error(`TODO: RoomChannel.join(${JSON.stringify(topic)}) for ${socket.assigns.user}`)
  },

  handleIn(event, payload, socket) {
    // TODO (task 2): 'new_msg' with a valid body broadcasts new_msg { user, body } to the room
    // and replies ['ok', {}]; a bad body or any other event gets ['error', { reason }].
    throw new Error(
      `TODO: RoomChannel.handleIn(${JSON.stringify(event)}, ${JSON.stringify(payload)})`,
    )
  },

  async handleInfo(message, socket) {
    // TODO (task 3): on 'after_join', track this channel in Presence (Presence.track), then
    // push presence_state { users } (Presence.list) to this client.
    throw new Error(`TODO: RoomChannel.handleInfo(${JSON.stringify(message)}) in ${socket.topic}`)
  },
} satisfies Channel.Behaviour<Assigns, 'after_join'>
