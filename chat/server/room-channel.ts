/**
 * RoomChannel: what a client does in a room over the WebSocket (the article's
 * `ChatAppWeb.RoomChannel`, section 5.5). One channel process per client per room; the room
 * itself is the `Room` GenServer that all of them share.
 *
 * | client sends              | the channel answers                                        |
 * |---------------------------|------------------------------------------------------------|
 * | join `room:<name>`        | ok `{ messages }` (the last 50), then `presence_state`     |
 * | `new_msg` `{ body }`      | ok `{ id }` once stored; everyone gets `new_msg`           |
 * | `history` `{ before_id }` | ok `{ messages }`: the 50 before that id                   |
 * | anything else             | error `{ reason: 'unknown event', event }`                 |
 *
 * A message goes: check the body → take a token from the user's rate limit bucket → the Room
 * stores it (through the MessageWriter), broadcasts it, and answers → reply ok `{ id }`.
 *
 * **The channel waits for the room.** `handleIn` awaits `Room.post`, so this one client's
 * channel is busy until its message is stored. That costs nothing: the channel serves one
 * client, whom the rate limiter holds to 5 messages a second, and broadcasts reach the client
 * without passing through this process (the PubSub fastlane). In exchange, one client's
 * messages are stored in the order they were sent. The process that must never wait is the
 * one everybody shares, the Room, and it does not (see `room.ts`).
 *
 * **When the room is not there.** A room that crashed is restarted by its supervisor a moment
 * later; a room nobody has joined yet is not running. A call that found no room (`noproc`)
 * never reached one, so the channel starts the room (`ensureRoom`) and tries once more. A post
 * whose room died *while* handling it is not retried: the message may already be stored, and
 * sending it again could store it twice. The client gets an error that says so.
 *
 * What it teaches: the edge between many clients and one shared process, and which failures
 * are safe to retry (reads always; writes only when they surely did not happen).
 */
import { CallTimeoutError, ExitError, NoProcError } from 'letitcrash'
import * as Channel from './channel.ts'
import { Names } from './names.ts'
import * as Presence from './presence.ts'
import * as RateLimiter from './rate-limiter.ts'
import * as Room from './room.ts'
import * as RoomSupervisor from './room-supervisor.ts'

/** What `authenticate` put in the socket (`user`), and what the join adds (`room`). */
export type Assigns = { readonly user: string; readonly room?: string }

/** Room names: 1 to 32 lower-case letters, digits, `_` or `-`. */
export const ROOM_NAME = /^[a-z0-9_-]{1,32}$/

/** The longest message body, in characters. */
export const MAX_BODY = 2000

/** Said when a message was lost track of while being stored: the client may check history. */
const MAYBE_STORED = 'the message may or may not have been stored'
/** Said when a message was refused before it reached the store. */
const NOT_STORED = 'the message was not stored: send it again'

// --- Channel callbacks ---------------------------------------------------------------------

// #region callbacks
export const RoomChannel = {
  async join(topic, _payload, socket) {
    const name = topic.slice('room:'.length)
    if (!ROOM_NAME.test(name)) {
      return ['error', { reason: 'invalid room name: use 1 to 32 of a-z, 0-9, _ and -' }]
    }
    // The socket only accepts valid tokens; a socket without a user is a bug, not a guest.
    if (typeof socket.assigns.user !== 'string') return ['error', { reason: 'unauthorized' }]
    let messages: Room.ChatMessage[]
    try {
      messages = await withRoom(name, () => Room.history(name), isExit)
    } catch {
      return ['error', { reason: 'room unavailable, try again' }]
    }
    // Presence after the join reply, so the client sees it after `join().receive('ok')`.
    this.send(this.self, 'after_join')
    return ['ok', { messages }, Channel.assign(socket, { room: name })]
  },

  async handleIn(event, payload, socket) {
    const room = socket.assigns.room!
    switch (event) {
      case 'new_msg':
        return ['reply', await newMessage(room, socket.assigns.user, payload), socket]
      case 'history':
        return ['reply', await history(room, payload), socket]
      default:
        return ['reply', ['error', { reason: 'unknown event', event }], socket]
    }
  },

  async handleInfo(message, socket) {
    if (message === 'after_join') {
      const { topic, assigns } = socket
      Channel.push(socket, 'presence_state', await Presence.list(Names.presence, topic))
      // Tracked as this channel process: when it ends, however it ends, the user leaves.
      const meta = { online_at: Math.floor(Date.now() / 1000) }
      await Presence.track(Names.presence, this, topic, assigns.user, meta)
    }
    return ['noreply', socket]
  },
} satisfies Channel.Behaviour<Assigns>
// #endregion callbacks

// --- Events --------------------------------------------------------------------------------

// #region new-message
async function newMessage(room: string, user: string, payload: Channel.Payload) {
  const { body } = payload
  const invalid = checkBody(body)
  if (invalid !== undefined) return reply('error', { reason: invalid })
  const allowed = await checkRate(user)
  if (allowed[0] === 'error') return reply('error', allowed[1])
  let result: Room.PostResult
  try {
    result = await withRoom(room, () => Room.post(room, { user, body: body as string }), isNoProc)
  } catch (error) {
    if (!(error instanceof ExitError)) throw error
    // The room died (or did not answer in time) with the message in its hands.
    const reason = error instanceof CallTimeoutError ? 'timeout' : 'room_crashed'
    return reply('error', { reason, detail: MAYBE_STORED })
  }
  if (result[0] === 'error') {
    const { reason } = result[1]
    return reply('error', reason === 'store_failed' ? { reason } : { reason, detail: MAYBE_STORED })
  }
  return reply('ok', { id: result[1].id })
}
// #endregion new-message

async function history(room: string, payload: Channel.Payload) {
  const beforeId = payload.before_id ?? undefined
  if (beforeId !== undefined && !(Number.isSafeInteger(beforeId) && (beforeId as number) > 0)) {
    return reply('error', { reason: 'before_id must be a positive integer' })
  }
  const messages = await withRoom(room, () => Room.history(room, beforeId as number), isExit)
  return reply('ok', { messages })
}

/** Why `body` is not a message body, or undefined if it is one. */
// #region check-body
export function checkBody(body: unknown): string | undefined {
  if (typeof body !== 'string') return 'body must be a string'
  if (body.trim() === '') return 'body must not be empty'
  // Characters as people count them: an emoji is one, not two UTF-16 units.
  const length = [...body].length
  if (length > MAX_BODY) {
    return `body must be at most ${MAX_BODY.toLocaleString('en')} characters, got ${length.toLocaleString('en')}`
  }
  return undefined
}
// #endregion check-body

// --- Helpers -------------------------------------------------------------------------------

/**
 * Runs `call` against the room; if it failed in a way `retry` deems safe, makes sure the room
 * runs (restarting it if need be) and runs `call` once more.
 */
async function withRoom<T>(
  room: string,
  call: () => Promise<T>,
  retry: (error: unknown) => boolean,
): Promise<T> {
  try {
    return await call()
  } catch (error) {
    if (!retry(error)) throw error
  }
  await RoomSupervisor.ensureRoom(room)
  return call()
}

/**
 * The user's rate limit, or why it could not be checked. Past the server's capacity every
 * process waits its turn longer, and the limiter may answer after the call's 5 s timeout:
 * that is an answer for this one message (not stored, send it again), not a reason for the
 * channel to crash and take the messages queued behind it along.
 */
async function checkRate(user: string): Promise<RateLimiter.CheckResult | Channel.Reply> {
  try {
    return await RateLimiter.check(Names.rateLimiter, user)
  } catch (error) {
    if (!(error instanceof ExitError)) throw error
    const reason = error instanceof CallTimeoutError ? 'overloaded' : 'unavailable'
    return reply('error', { reason, detail: NOT_STORED })
  }
}

/** The call never reached a room: safe to retry anything. */
const isNoProc = (error: unknown) => error instanceof NoProcError
/** The room was missing or stopped while answering: safe to retry a read. */
const isExit = (error: unknown) => error instanceof ExitError

const reply = (status: 'ok' | 'error', response: Channel.Payload): Channel.Reply => [
  status,
  response,
]
