/**
 * Channels: the conversations a client holds over one WebSocket (Phoenix.Channel). A client
 * joins a topic such as `room:lobby`; the router picks the channel module for it, and a process
 * of its own runs that module for as long as the client stays: one process per joined topic.
 *
 * A channel module is a behaviour, an object of callbacks like a GenServer's:
 *
 * @example
 * const Echo = {
 *   join: (_topic, _payload, socket) => ['ok', { hello: socket.assigns.user }, socket],
 *   handleIn(event, payload, socket) {
 *     if (event === 'shout') Channel.broadcast(socket, 'shout', payload) // everyone on the topic
 *     return ['reply', ['ok', payload], socket]                          // answers this push
 *   },
 * } satisfies Channel.Behaviour<{ user: string }>
 *
 * - `join` decides whether the client may join: `['ok', socket]`, `['ok', reply, socket]` or
 *   `['error', reply]` (the client's `join().receive('error', ...)` gets `reply`).
 * - `handleIn` gets every event the client pushes on the topic, known or not: the channel
 *   decides. It replies (`['reply', ['ok' | 'error', payload], socket]`), or not
 *   (`['noreply', socket]`, then maybe `reply(socketRef(socket), ...)` later), or stops.
 *   A module without `handleIn` answers every push with `{reason: 'unhandled event'}`.
 * - `handleInfo` gets every other message sent to the channel process.
 * - `handleOut` gets the broadcasts whose event is listed in `intercept`, to filter or change
 *   them per client; all other broadcasts go straight to the client (the "fastlane").
 * - `terminate` runs when the channel stops: the client left, the connection closed, the
 *   channel stopped itself, or a callback crashed (as a GenServer's does). After a crash the
 *   client gets `phx_error` and rejoins by itself, which starts a fresh channel process.
 *
 * `this` in every callback is the channel process's context (`this.monitor(...)` and so on).
 * To push right after joining (`presence_state`, say), `join` sends itself a message and
 * `handleInfo` pushes: the client then gets the join reply first, as in Phoenix.
 * The `socket` is a value, as in Phoenix: `assign` returns a new one, and a callback returns
 * the socket the next callback gets.
 *
 * What the course teaches with it: one process per conversation, so that one crashing
 * conversation is one `phx_error`, and the client's rejoin is the "restart".
 *
 * @see https://hexdocs.pm/phoenix/Phoenix.Channel.html
 */
import { type ExitReason, type Pid, type ProcessContext, send } from 'letitcrash'
import { encode, encodeReply, isPayload, type Payload, type Ref } from './protocol.ts'
import * as PubSub from './pubsub.ts'

export type { Payload } from './protocol.ts'

/** What `authenticate` put in the socket, and what channels add with `assign`. */
export type Assigns = Record<string, unknown>

/** The channel's view of its client (Phoenix.Socket): a value; `assign` makes a new one. */
export interface Socket<A extends Assigns = Assigns> {
  readonly topic: string
  /** The `ref` of the join that opened this channel. */
  readonly joinRef: Ref
  /** The `ref` of the client message being handled (in `handleIn`), else null. */
  readonly ref: Ref
  readonly assigns: A
  /** The channel process. */
  readonly channelPid: Pid
  /** The connection process that owns the WebSocket (Phoenix's `transport_pid`). */
  readonly transportPid: Pid
  /** The PubSub the channel broadcasts through. */
  readonly pubsub: string
}

/** A reply to a client push: `{:ok, payload}` or `{:error, payload}`. */
export type Reply = readonly [status: 'ok' | 'error', response: Payload]

/** `{:ok, socket}`, `{:ok, reply, socket}` or `{:error, reply}` */
export type JoinResult<A extends Assigns> =
  | readonly [tag: 'ok', socket: Socket<A>]
  | readonly [tag: 'ok', reply: Payload, socket: Socket<A>]
  | readonly [tag: 'error', reply: Payload]

/** `{:reply, reply, socket}`, `{:noreply, socket}`, `{:stop, reason, socket}`, `{:stop, reason, reply, socket}` */
export type InResult<A extends Assigns> =
  | readonly [tag: 'reply', reply: Reply, socket: Socket<A>]
  | readonly [tag: 'noreply', socket: Socket<A>]
  | readonly [tag: 'stop', reason: ExitReason, socket: Socket<A>]
  | readonly [tag: 'stop', reason: ExitReason, reply: Reply, socket: Socket<A>]

/** `{:noreply, socket}` or `{:stop, reason, socket}` */
export type InfoResult<A extends Assigns> =
  | readonly [tag: 'noreply', socket: Socket<A>]
  | readonly [tag: 'stop', reason: ExitReason, socket: Socket<A>]

type Awaitable<T> = T | Promise<T>

/** The callbacks of a channel module; only `join` is required. */
export interface Behaviour<A extends Assigns = Assigns, TInfo = any> {
  join(
    this: ProcessContext,
    topic: string,
    payload: Payload,
    socket: Socket<A>,
  ): Awaitable<JoinResult<A>>
  handleIn?(
    this: ProcessContext,
    event: string,
    payload: Payload,
    socket: Socket<A>,
  ): Awaitable<InResult<A>>
  handleInfo?(this: ProcessContext, message: TInfo, socket: Socket<A>): Awaitable<InfoResult<A>>
  handleOut?(
    this: ProcessContext,
    event: string,
    payload: Payload,
    socket: Socket<A>,
  ): Awaitable<InfoResult<A>>
  terminate?(this: ProcessContext, reason: ExitReason, socket: Socket<A>): unknown
  /** Broadcast events that go through `handleOut` instead of straight to the client. */
  readonly intercept?: readonly string[]
}

/** A message broadcast to a topic's channels (Phoenix.Socket.Broadcast). */
export interface Broadcast {
  readonly type: 'broadcast'
  readonly topic: string
  readonly event: string
  readonly payload: Payload
}

/** Where a late reply goes: what `socketRef` returns. */
export interface SocketRef {
  readonly transportPid: Pid
  readonly joinRef: Ref
  readonly ref: Ref
  readonly topic: string
}

/**
 * A new socket with `attrs` merged into its assigns. `Phoenix.Socket.assign/2`
 * @example return ['ok', Channel.assign(socket, { room: 'lobby' })]
 */
export function assign<A extends Assigns>(socket: Socket<A>, attrs: Partial<A>): Socket<A> {
  return { ...socket, assigns: { ...socket.assigns, ...attrs } }
}

/**
 * Sends `event` with `payload` to this channel's client. `Phoenix.Channel.push/3`
 * @example Channel.push(socket, 'presence_state', await Presence.list('presence', socket.topic))
 */
export function push(socket: Socket<any>, event: string, payload: Payload): void {
  assertPayload(payload)
  sendText(socket.transportPid, encode(socket.joinRef, null, socket.topic, event, payload))
}

/**
 * Sends `event` to every client on the socket's topic, this one included.
 * `Phoenix.Channel.broadcast/3`
 * @example Channel.broadcast(socket, 'new_msg', { user, body })
 */
export function broadcast(socket: Socket<any>, event: string, payload: Payload): void {
  PubSub.broadcast(socket.pubsub, socket.topic, broadcastMessage(socket.topic, event, payload))
}

/**
 * Sends `event` to every client on the socket's topic except this one.
 * `Phoenix.Channel.broadcast_from/3`
 * @example Channel.broadcastFrom(socket, 'typing', { user })
 */
export function broadcastFrom(socket: Socket<any>, event: string, payload: Payload): void {
  const message = broadcastMessage(socket.topic, event, payload)
  PubSub.broadcastFrom(socket.pubsub, socket.channelPid, socket.topic, message)
}

/**
 * A `Broadcast` for `topic`, for code that broadcasts without a socket (a room process, say):
 * `PubSub.broadcast(pubsub, topic, broadcastMessage(topic, 'new_msg', payload))`.
 * (no Elixir counterpart: `%Phoenix.Socket.Broadcast{}`)
 */
export function broadcastMessage(topic: string, event: string, payload: Payload): Broadcast {
  assertPayload(payload)
  return { type: 'broadcast', topic, event, payload }
}

/**
 * Where to send a reply later, taken in `handleIn` before returning `['noreply', socket]`.
 * `Phoenix.Channel.socket_ref/1`
 * @example const ref = Channel.socketRef(socket) // ... later: Channel.reply(ref, ['ok', { id }])
 */
export function socketRef(socket: Socket<any>): SocketRef {
  if (socket.ref === null) {
    throw new TypeError('socketRef needs the socket of a handleIn call: there is no push to answer')
  }
  const { transportPid, joinRef, ref, topic } = socket
  return { transportPid, joinRef, ref, topic }
}

/**
 * Answers a client push after `handleIn` returned `['noreply', socket]`.
 * `Phoenix.Channel.reply/2`
 * @example Channel.reply(ref, ['ok', { id: 42 }])
 */
export function reply(ref: SocketRef, [status, response]: Reply): void {
  assertPayload(response)
  sendText(ref.transportPid, encodeReply(ref.joinRef, ref.ref, ref.topic, status, response))
}

/** A text frame for a connection process to write to its WebSocket. @internal */
export interface SocketPush {
  readonly type: '$socket_push'
  readonly text: string
}

/** @internal Hands an encoded frame to a connection process. */
export function sendText(transportPid: Pid, text: string): void {
  send(transportPid, { type: '$socket_push', text } satisfies SocketPush)
}

function assertPayload(payload: unknown): asserts payload is Payload {
  if (!isPayload(payload)) {
    throw new TypeError(
      `Expected \`payload\` to be a JSON object, got \`${JSON.stringify(payload)}\``,
    )
  }
}
