/**
 * Room: one GenServer per chat room (the article's `ChatApp.Room`, section 4.2), grown up.
 *
 * The article's room kept its messages in its state, and lost them when it crashed. This one
 * keeps the *store* as the truth and its state as a cache:
 *
 * - It is named through the RoomRegistry, `Room.via('lobby')`, so anyone reaches it by room
 *   name, before and after a restart (the article's `via_tuple`).
 * - Its state is the last 50 messages, loaded from the Repo in `handleContinue`: `init`
 *   returns at once (its supervisor is not held up by a database query) and the load still
 *   runs before any message the room receives. A restarted room loads its history again, so
 *   a crash costs nothing that was stored.
 * - `post` hands the message to the `MessageWriter` and answers only once it is stored: then it
 *   appends it to the cache, broadcasts `new_msg` to the room's topic, and replies. Store,
 *   broadcast, acknowledge: a client that saw the acknowledgement can rely on it.
 * - The room never waits for the database inside a callback: `handleCall` returns `'noreply'`,
 *   the write's outcome comes back as a message, and `GenServer.reply` answers the caller. While
 *   one message is being stored, the room takes the next ones (the writer stores them together).
 *
 * It is started `transient` by the RoomSupervisor: restarted after a crash, not after a normal
 * stop. It holds no state that is not in the store, so killing it is always safe.
 *
 * @example
 * await RoomSupervisor.ensureRoom('lobby')
 * const [, message] = await Room.post('lobby', { user: 'ann', body: 'hello' })
 * // every channel on 'room:lobby' got new_msg { id, user, body, inserted_at }
 * await Room.history('lobby')             // the last 50 messages, oldest first
 * await Room.history('lobby', message.id) // the 50 before that one
 */
import { GenServer, NoProcError, type Pid, Registry, send } from 'letitcrash'
import { broadcastMessage } from './channel.ts'
import * as MessageWriter from './message-writer.ts'
import { Names } from './names.ts'
import * as PubSub from './pubsub.ts'
import type { StoredMessage } from './repo.ts'
import * as RepoServer from './repo-server.ts'

/** How many messages a room keeps in memory, and sends a client that joins. */
export const CACHE_SIZE = 50

/** A message as clients see it: `new_msg`'s payload, and each entry of a history. */
export type ChatMessage = {
  readonly id: number
  readonly user: string
  readonly body: string
  readonly inserted_at: string
}

/**
 * `{:ok, message}`, or `{:error, reason}`: `store_failed` when it was surely not stored (the
 * database refused it, or the writer was not running), `store_unknown` when the writer
 * crashed or did not answer in time while storing it (it may be stored).
 */
export type PostResult =
  | readonly [tag: 'ok', message: StoredMessage]
  | readonly [
      tag: 'error',
      reason: { readonly reason: 'store_failed' | 'store_unknown'; readonly detail: string },
    ]

type Call =
  | { readonly type: 'post'; readonly user: string; readonly body: string }
  | { readonly type: 'history'; readonly beforeId: number | undefined }

/** What the server replies: a post's result, or a page of history (or why it failed). */
type Reply =
  | PostResult
  | readonly [tag: 'ok', messages: ChatMessage[]]
  | readonly [tag: 'failed', error: unknown]

/** The writer's answer for one post, sent by the room to itself; or another server's message. */
type Info =
  | {
      readonly type: 'stored'
      readonly from: GenServer.From<Reply>
      readonly result: PostResult
    }
  | { readonly type: 'remote'; readonly message: ChatMessage }

interface State {
  readonly name: string
  /** The newest messages, oldest first; at most `CACHE_SIZE`. */
  messages: StoredMessage[]
}

// --- Client --------------------------------------------------------------------------------

/**
 * The room's name in the RoomRegistry: `{:via, Registry, {ChatApp.RoomRegistry, name}}`.
 * @example GenServer.call(Room.via('lobby'), ...)
 */
// #region via
export function via(name: string) {
  return Registry.via(Names.roomRegistry, name)
}

/** Starts the room `name`, linked to the caller (the RoomSupervisor). `ChatApp.Room.start_link/1` */
export function startLink(name: string): Promise<GenServer.OnStart> {
  return GenServer.startLink(Room, name, { name: via(name) })
}
// #endregion via

/** The room's pid, if it is running. */
export function whereis(name: string): Pid | undefined {
  return GenServer.whereis(via(name))
}

/**
 * Stores a message and resolves once it is stored and broadcast, with the stored message.
 * Rejects with `NoProcError` if the room is not running (nothing was sent), and with the
 * room's exit reason if it stops first (the message may or may not have been stored).
 * `ChatApp.Room.add_message/2`, made a call: the sender learns the message is safe.
 */
export function post(
  name: string,
  message: { readonly user: string; readonly body: string },
): Promise<PostResult> {
  const { user, body } = message
  if (typeof user !== 'string' || typeof body !== 'string') {
    throw new TypeError(
      `Expected \`message\` to be { user: string, body: string }, got \`${JSON.stringify(message)}\``,
    )
  }
  return GenServer.call<PostResult>(via(name), { type: 'post', user, body } satisfies Call)
}

/**
 * The last 50 messages, or with `beforeId` the 50 just before that id; oldest first.
 * `ChatApp.Room.get_messages/1`, with paging.
 */
export function history(name: string, beforeId?: number): Promise<ChatMessage[]> {
  if (beforeId !== undefined && !(Number.isSafeInteger(beforeId) && beforeId > 0)) {
    throw new TypeError(
      `Expected \`beforeId\` to be a positive integer, got \`${JSON.stringify(beforeId)}\``,
    )
  }
  const request: Call = { type: 'history', beforeId }
  return GenServer.call<Reply>(via(name), request).then((reply) => {
    if (reply[0] === 'failed') throw reply[1]
    return reply[1] as ChatMessage[]
  })
}

/**
 * Adds a message stored by another server (it came over the bridge, `pg-bridge.ts`) to the
 * room's cache, if the room runs here; the next client to join gets it in its history.
 */
export function remember(name: string, message: ChatMessage): void {
  const pid = whereis(name)
  if (pid !== undefined) send(pid, { type: 'remote', message } satisfies Info)
}

// --- Server (callbacks) --------------------------------------------------------------------

/** The behaviour; use `startLink` (or the RoomSupervisor) rather than starting it directly. */
export const Room = {
  // #region reload
  init: (name: string): GenServer.InitResult<State> => [
    'ok',
    { name, messages: [] },
    ['continue', 'load'],
  ],

  async handleContinue(_load: 'load', state) {
    // A crash here (the database is down) is a crash of the room: its supervisor retries.
    const repo = RepoServer.proxy(Names.repo)
    state.messages = await repo.recentMessages(state.name, CACHE_SIZE)
    return ['noreply', state] as const
  },
  // #endregion reload

  // #region post
  handleCall(call, from, state) {
    if (call.type === 'history') {
      if (call.beforeId === undefined) {
        return ['reply', ['ok', state.messages.map(toChat)], state] as const
      }
      // Older pages are not cached: ask the database, without waiting for it here.
      RepoServer.proxy(Names.repo)
        .messagesBefore(state.name, call.beforeId, CACHE_SIZE)
        .then(
          (older) => GenServer.reply(from, ['ok', older.map(toChat)]),
          (error: unknown) => GenServer.reply(from, ['failed', error]),
        )
      return ['noreply', state] as const
    }
    const { self, node } = this
    const message = { room: state.name, user: call.user, body: call.body }
    // The writer answers in the order it was asked, so outcomes come back in post order.
    // `node.send` drops the outcome if this room has died meanwhile.
    MessageWriter.store(Names.writer, message).then(
      (result) => node.send(self, { type: 'stored', from, result } satisfies Info),
      (error: unknown) => {
        // Never reached the writer (noproc): not stored. Lost it midway: it may be stored.
        const reason = error instanceof NoProcError ? 'store_failed' : 'store_unknown'
        const detail = error instanceof Error ? error.message : String(error)
        const result: PostResult = ['error', { reason, detail }]
        node.send(self, { type: 'stored', from, result } satisfies Info)
      },
    )
    return ['noreply', state] as const
  },
  // #endregion post

  // #region stored
  handleInfo(info, state) {
    if (info?.type === 'remote') {
      cacheInOrder(state.messages, { ...info.message, room: state.name })
      return ['noreply', state] as const
    }
    if (info?.type !== 'stored') return ['noreply', state] as const
    const { from, result } = info
    if (result[0] === 'ok') {
      const stored = result[1]
      cacheInOrder(state.messages, stored)
      // Stored, so now everyone may see it; and only then is the sender told.
      const topic = `room:${state.name}`
      PubSub.broadcast(Names.pubsub, topic, broadcastMessage(topic, 'new_msg', toChat(stored)))
    }
    GenServer.reply(from, result)
    return ['noreply', state] as const
  },
  // #endregion stored
} satisfies GenServer.Behaviour<State, string, Call, never, Reply, Info>

/**
 * Adds `message` to the cache in id order, as the database has it, and ignores one already
 * there. With a second server, its messages arrive by NOTIFY and may overtake the answer for
 * one of ours with a lower id: appending would put them out of order.
 */
function cacheInOrder(messages: StoredMessage[], message: StoredMessage): void {
  if (messages.some((m) => m.id === message.id)) return
  const at = messages.findLastIndex((m) => m.id < message.id) + 1
  messages.splice(at, 0, message)
  if (messages.length > CACHE_SIZE) messages.shift()
}

/** A stored message as clients see it (the room is in the topic already). */
export function toChat({ id, user, body, inserted_at }: StoredMessage): ChatMessage {
  return { id, user, body, inserted_at }
}
