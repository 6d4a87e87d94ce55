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
 *
 * Replace each `throw new Error('TODO: ...')` with your code. The README has the tasks and hints.
 */
import { type ExitReason, GenServer, type Pid } from 'letitcrash'
import type { Db } from './db.ts'
import type { NewMessage, StoredMessage } from './repo.ts'

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

// Server (callbacks)

export const Room = {
  init({ db, room }: { db: Db; room: string }) {
    // TODO (task 2): a new room: its db and name, no messages, nothing writing or pending.
    // TODO (task 3): and load the messages before the first request: ['continue', 'load'].
    throw new Error(`TODO: Room.init(${JSON.stringify(room)}) with ${typeof db}`)
  },

  async handleContinue(_load: 'load', state) {
    // TODO (task 3): load the room's stored messages (loadMessages from ./repo.ts).
    throw new Error(`TODO: Room.handleContinue('load') in room ${state.room}`)
  },

  async handleCall(request, _from, state) {
    // TODO (task 2): ['messages'] replies with the stored messages. ['post', user, body] stores
    // the message (insertMessages from ./repo.ts), then replies with the stored message.
    // TODO (task 4): do not wait for the INSERT here: queue the post, start a write if none is
    // running (startWrite), and return ['noreply', state].
    throw new Error(`TODO: Room.handleCall(${JSON.stringify(request)}) in room ${state.room}`)
  },

  handleInfo(info, state) {
    // TODO (task 4): ['written', stored] answers every post of the batch, adds the messages,
    // and writes what is pending. ['write_failed', error] stops the room with that error.
    throw new Error(`TODO: Room.handleInfo(${info[0]}) in room ${state.room}`)
  },
} satisfies GenServer.Behaviour<State, { db: Db; room: string }, Call, never, Reply, Info>

/**
 * Starts ONE insert for every pending post, without waiting for it: its outcome comes back to
 * the room as a message. Returns the state with the batch moved from `pending` to `writing`.
 */
function startWrite(self: Pid, state: State): State {
  // TODO (task 4): insertMessages(state.db, ...).then(...) sends the room ['written', stored]
  // or ['write_failed', error] (with `send` from letitcrash), and returns at once.
  throw new Error(`TODO: startWrite(${String(self)}) in room ${state.room}`)
}
