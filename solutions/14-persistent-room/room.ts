/**
 * A chat room whose messages survive its crashes. The database is the truth; the room's state
 * is a cache of it.
 *
 * - `post` is acknowledged only once the message is stored. A client that saw the reply can
 *   count on the message, whatever crashes next.
 * - A (re)started room loads its history in `handleContinue`: `init` returns at once, so its
 *   supervisor is not held up by a query, and the load still runs before any request.
 * - The room never waits for the database inside a callback. It starts one INSERT, keeps
 *   taking requests, and stores everything that arrived meanwhile with the next INSERT
 *   (group commit): one message per INSERT when the room is quiet, big batches when it is busy.
 * - A failed INSERT stops the room: its callers learn that nothing was acknowledged, and the
 *   supervisor starts a room that reloads what is really stored. Let it crash.
 */
import { type ExitReason, GenServer, type Pid, send } from 'letitcrash'
import type { Db } from './db.ts'
import { insertMessages, loadMessages, type NewMessage, type StoredMessage } from './repo.ts'

/** `{:post, user, body}` and `:messages` */
export type Call = readonly [tag: 'post', user: string, body: string] | readonly [tag: 'messages']

/** What a call replies: the stored message for a post, every message for `messages`. */
export type Reply = StoredMessage | readonly StoredMessage[]

/** How an INSERT the room started ended: it tells itself, like any other event. */
export type Info =
  | readonly [tag: 'written', stored: StoredMessage[]]
  | readonly [tag: 'write_failed', error: ExitReason]

/** A `post` that waits for its message to be stored. */
export interface Waiting {
  readonly message: NewMessage
  readonly from: GenServer.From<Reply>
}

export interface State {
  readonly db: Db
  readonly room: string
  /** The stored messages, oldest first: a cache of the database. */
  readonly messages: readonly StoredMessage[]
  /** The posts whose INSERT is running; empty when the database is idle. */
  readonly writing: readonly Waiting[]
  /** The posts that arrived while it runs: the next INSERT. */
  readonly pending: readonly Waiting[]
}

// Client

/** The room's registered name. */
export function roomName(room: string): string {
  return `room:${room}`
}

/** Starts the room `room`, storing in `db`, registered as `roomName(room)`, linked to the caller. */
export function startLink(db: Db, room: string): Promise<GenServer.OnStart> {
  return GenServer.startLink(Room, { db, room }, { name: roomName(room) })
}

/** Posts a message; resolves with the stored message once it is in the database. */
export function post(room: string, user: string, body: string): Promise<StoredMessage> {
  return GenServer.call(roomName(room), ['post', user, body] satisfies Call)
}

/** The room's stored messages, oldest first. */
export function messages(room: string): Promise<readonly StoredMessage[]> {
  return GenServer.call(roomName(room), ['messages'] satisfies Call)
}

// #region server
// Server (callbacks)

export const Room = {
  init: ({ db, room }: { db: Db; room: string }) => [
    'ok',
    { db, room, messages: [], writing: [], pending: [] },
    ['continue', 'load'],
  ],

  // Runs before the first request; a query that fails here crashes the room, and its
  // supervisor tries again.
  async handleContinue(_load: 'load', state) {
    return ['noreply', { ...state, messages: await loadMessages(state.db, state.room) }]
  },

  handleCall(request, from, state) {
    if (request[0] === 'messages') return ['reply', state.messages, state]
    const [, user, body] = request
    const waiting: Waiting = { message: { room: state.room, user, body }, from }
    const queued = { ...state, pending: [...state.pending, waiting] }
    // No reply yet: `from` gets one when the message is stored.
    return ['noreply', state.writing.length === 0 ? startWrite(this.self, queued) : queued]
  },

  handleInfo(info, state) {
    // A failed INSERT stored none of its batch, so nobody may hear "ok": stop, and let the
    // supervisor start a room that reloads what the table really holds.
    if (info[0] === 'write_failed') return ['stop', info[1], state]
    const [, stored] = info
    // The i-th stored message is the i-th post's.
    for (const [i, waiting] of state.writing.entries()) GenServer.reply(waiting.from, stored[i])
    const written = { ...state, messages: [...state.messages, ...stored], writing: [] }
    return ['noreply', written.pending.length === 0 ? written : startWrite(this.self, written)]
  },
} satisfies GenServer.Behaviour<State, { db: Db; room: string }, Call, never, Reply, Info>

/**
 * Starts ONE insert for every pending post, without waiting for it: its outcome comes back to
 * the room as a message. `send` drops the message if the room has died meanwhile.
 */
function startWrite(self: Pid, state: State): State {
  const batch = state.pending
  const messages = batch.map((waiting) => waiting.message)
  insertMessages(state.db, messages).then(
    (stored) => send(self, ['written', stored] satisfies Info),
    (error: ExitReason) => send(self, ['write_failed', error] satisfies Info),
  )
  return { ...state, writing: batch, pending: [] }
}
// #endregion server
