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
 */
import * as Channel from './channel.ts'
import * as Presence from './presence.ts'

/** What connecting put in the socket (`user`), and what the join adds (`room`). */
export type Assigns = { readonly user: string; readonly room?: string }

/** Room names: 1 to 32 lower-case letters, digits, `_` or `-`. */
export const ROOM_NAME = /^[a-z0-9_-]{1,32}$/

/** The longest message body, in characters. */
export const MAX_BODY = 500

export const RoomChannel = {
  join(topic, _payload, socket) {
    const room = topic.startsWith('room:') ? topic.slice('room:'.length) : ''
    if (!ROOM_NAME.test(room)) {
      return ['error', { reason: 'the topic must be room:<name>, the name 1 to 32 of a-z 0-9 _ -' }]
    }
    if (typeof socket.assigns.user !== 'string') return ['error', { reason: 'unauthorized' }]
    // Presence after the join: the client gets the join reply first, then who is here.
    this.send(this.self, 'after_join')
    return ['ok', Channel.assign(socket, { room })]
  },

  handleIn(event, payload, socket) {
    if (event !== 'new_msg') {
      return ['reply', ['error', { reason: 'unknown event', event }], socket]
    }
    const { body } = payload
    if (typeof body !== 'string' || body.trim() === '') {
      return ['reply', ['error', { reason: 'the body must be a non-empty string' }], socket]
    }
    // Characters as people count them: an emoji is one, not two UTF-16 units.
    if ([...body].length > MAX_BODY) {
      return [
        'reply',
        ['error', { reason: `the body must be at most ${MAX_BODY} characters` }],
        socket,
      ]
    }
    Channel.broadcast(socket, 'new_msg', { user: socket.assigns.user, body })
    return ['reply', ['ok', {}], socket]
  },

  async handleInfo(message, socket) {
    if (message === 'after_join') {
      const { topic, assigns } = socket
      await Presence.track(this.self, topic, assigns.user)
      Channel.push(socket, 'presence_state', { users: await Presence.list(topic) })
    }
    return ['noreply', socket]
  },
} satisfies Channel.Behaviour<Assigns, 'after_join'>
