/**
 * Channels, small and in memory: a stand-in for Phoenix channels, given. It runs a channel
 * module the way Phoenix does, without a network: every client that joins a topic gets a
 * process of its own running the module's callbacks, and the tests play the clients.
 *
 * The callbacks, their results and the socket are those of the chat app's real channels
 * (`chat/server/channel.ts`, which speaks the Phoenix protocol over WebSockets), so a module
 * written against this file runs there too.
 *
 * - `join(topic, payload, socket)` decides whether the client may join: `['ok', socket]`,
 *   `['ok', reply, socket]`, or `['error', reply]` (the channel process then ends).
 * - `handleIn(event, payload, socket)` gets every event the client pushes on the topic, and
 *   answers it: `['reply', ['ok' | 'error', payload], socket]`, `['noreply', socket]`, or stops.
 * - `handleInfo(message, socket)` gets every other message sent to the channel process.
 * - `this` in every callback is the channel process (`this.self`, `this.send`, ...).
 *
 * Inside them, `push` sends an event to this channel's client, `broadcast` to every client on
 * the topic, and `assign` returns a socket with more assigns (a socket is a value).
 *
 * The harness: `startEndpoint()` starts the registry that broadcasts go through (a Registry
 * with duplicate keys: topic → the clients joined to it); `connect(module, assigns)` plays
 * a client whose socket starts with `assigns` (what logging in put there). A client is a
 * process too (a connection, Phoenix's transport): it links to each channel it joins and
 * traps exits, so when a channel crashes, the client gets `phx_error` for that topic and
 * nothing else happens to it.
 *
 * @example
 * await startEndpoint()
 * const alice = connect(RoomChannel, { user: 'alice' })
 * await alice.join('room:lobby')                      // ['ok', {}]
 * await alice.push('room:lobby', 'new_msg', { body: 'hi' }) // ['ok', {}]
 * alice.received('room:lobby') // [{ event: 'new_msg', payload: { user: 'alice', body: 'hi' } }]
 */
import {
  BadReturnError,
  type ExitMessage,
  type ExitReason,
  exit,
  GenServer,
  isNormalExit,
  isShutdown,
  type Pid,
  type ProcessContext,
  Registry,
  send,
  spawn,
} from 'letitcrash'

// --- What a channel module works with ------------------------------------------------------

/** An event's payload: a JSON object. */
export type Payload = { readonly [key: string]: unknown }

/** What connecting put in the socket (`user`), and what channels add with `assign`. */
export type Assigns = Record<string, unknown>

/** The channel's view of its client (Phoenix.Socket): a value; `assign` makes a new one. */
export interface Socket<A extends Assigns = Assigns> {
  readonly topic: string
  readonly assigns: A
  /** The channel process. */
  readonly channelPid: Pid
  /** The client's connection process (Phoenix's `transport_pid`). */
  readonly transportPid: Pid
}

/** A reply to a client's push: `{:ok, payload}` or `{:error, payload}`. */
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

/** The callbacks of a channel module (Phoenix.Channel); only `join` is required. */
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
  terminate?(this: ProcessContext, reason: ExitReason, socket: Socket<A>): unknown
}

/**
 * A new socket with `attrs` merged into its assigns. `Phoenix.Socket.assign/2`
 * @example return ['ok', assign(socket, { room: 'lobby' })]
 */
export function assign<A extends Assigns>(socket: Socket<A>, attrs: Partial<A>): Socket<A> {
  return { ...socket, assigns: { ...socket.assigns, ...attrs } }
}

/**
 * Sends `event` to this channel's client only. `Phoenix.Channel.push/3`
 * @example push(socket, 'presence_state', { users: ['alice'] })
 */
export function push(socket: Socket<any>, event: string, payload: Payload): void {
  send(socket.transportPid, frame(socket.topic, event, payload))
}

/**
 * Sends `event` to every client on the socket's topic, this one included.
 * `Phoenix.Channel.broadcast/3`
 * @example broadcast(socket, 'new_msg', { user, body })
 */
export function broadcast(socket: Socket<any>, event: string, payload: Payload): void {
  endpointBroadcast(socket.topic, event, payload)
}

/**
 * Sends `event` to every client on `topic`, from anywhere: no socket needed.
 * `MyAppWeb.Endpoint.broadcast/3`
 * @example endpointBroadcast('room:lobby', 'presence_diff', { joins: ['bob'], leaves: [] })
 */
export function endpointBroadcast(topic: string, event: string, payload: Payload): void {
  // Straight to each client's connection, not through its channel process: Phoenix's
  // "fastlane". A channel that has ended is no longer in the registry, so its client stops
  // getting the topic's broadcasts.
  Registry.dispatch<Pid>(ENDPOINT, topic, (entries) => {
    for (const [, transport] of entries) send(transport, frame(topic, event, payload))
  })
}

// --- The harness: an endpoint and in-memory clients ----------------------------------------

/** The registry of joined channels: topic → their clients' connection pids. */
export const ENDPOINT = 'Harness.Endpoint'

/** Starts the endpoint's registry, linked to the caller. Start it before connecting clients. */
export function startEndpoint(): Promise<GenServer.OnStart> {
  return Registry.startLink({ keys: 'duplicate', name: ENDPOINT })
}

/** One event a client received on a topic. */
export interface Frame {
  readonly event: string
  readonly payload: Payload
}

/** A client, as the tests play it. */
export interface Client {
  /** The client's connection process. */
  readonly pid: Pid
  /** Joins `topic`: starts a channel process and runs the module's `join`; resolves with its reply. */
  join(topic: string, payload?: Payload): Promise<Reply>
  /** Pushes `event` on a joined topic; resolves with the reply (undefined for `'noreply'`). */
  push(topic: string, event: string, payload?: Payload): Promise<Reply | undefined>
  /** Leaves `topic`: its channel stops with `{ shutdown: 'left' }`. */
  leave(topic: string): Promise<void>
  /** Everything this client received on `topic`, oldest first (including `phx_error`). */
  received(topic: string): Frame[]
  /** The channel process of a joined topic. */
  channelPid(topic: string): Pid | undefined
  /** The assigns of a joined topic's socket. */
  assigns(topic: string): Promise<Assigns>
  /** Closes the connection: every channel of this client ends with it. */
  close(): void
}

/**
 * Connects a client whose socket starts with `assigns`; every topic it joins is served by
 * `module`. Phoenix's `connect/3` + the socket's `channel "room:*", RoomChannel` route.
 */
export function connect(module: Behaviour<any>, assigns: Assigns): Client {
  const frames: Array<Frame & { readonly topic: string }> = []
  /** Joined topics and their channels. */
  const channels = new Map<string, Pid>()
  /** Every channel this client started, joined or refused. */
  const started = new Set<Pid>()

  async function joinChannel(ctx: ProcessContext, topic: string, payload: Payload) {
    if (channels.has(topic)) return reply('error', { reason: 'already joined' })
    const arg: ChannelArg = { module, topic, assigns, transportPid: ctx.self }
    const [tag, pid] = await GenServer.startLink(ChannelServer, arg, { parent: ctx })
    if (tag !== 'ok') return reply('error', { reason: 'join crashed' })
    started.add(pid)
    try {
      const answer = await GenServer.call<Reply>(pid, ['$join', payload] satisfies ChannelCall)
      if (answer[0] === 'ok') channels.set(topic, pid)
      return answer
    } catch {
      return reply('error', { reason: 'join crashed' })
    }
  }

  // The connection: it starts the channels, linked to itself, and records what they send.
  const transport = spawn(async (ctx) => {
    ctx.trapExit(true)
    for (;;) {
      const message = (await ctx.receive()) as TransportMessage
      if (message?.type === '$frame') frames.push(message.frame)
      else if (message?.type === '$join') {
        message.done(await joinChannel(ctx, message.topic, message.payload))
      } else if (message?.type === 'EXIT') {
        if (!started.has(message.from)) ctx.exit(message.reason) // the connection is closed
        const topic = [...channels].find(([, pid]) => pid === message.from)?.[0]
        if (topic === undefined) continue // a refused join ends its channel: nothing to tell
        channels.delete(topic)
        const ended = isNormalExit(message.reason) || isShutdown(message.reason)
        frames.push({ topic, event: ended ? 'phx_close' : 'phx_error', payload: {} })
      }
    }
  })

  const joinedChannel = (topic: string) => {
    const pid = channels.get(topic)
    if (pid === undefined) throw new Error(`the client has not joined ${topic}`)
    return pid
  }

  return {
    pid: transport,
    join: (topic, payload = {}) =>
      new Promise((done) => send(transport, { type: '$join', topic, payload, done })),
    push: (topic, event, payload = {}) =>
      GenServer.call(joinedChannel(topic), ['$in', event, payload] satisfies ChannelCall),
    leave: (topic) => GenServer.stop(joinedChannel(topic), { shutdown: 'left' }),
    received: (topic) =>
      frames.filter((f) => f.topic === topic).map(({ event, payload }) => ({ event, payload })),
    channelPid: (topic) => channels.get(topic),
    assigns: (topic) => GenServer.call(joinedChannel(topic), ['$assigns'] satisfies ChannelCall),
    close: () => exit(transport, 'shutdown'),
  }
}

// --- The channel process (Phoenix.Channel.Server) ------------------------------------------

type TransportMessage =
  | { readonly type: '$frame'; readonly frame: Frame & { readonly topic: string } }
  | {
      readonly type: '$join'
      readonly topic: string
      readonly payload: Payload
      readonly done: (reply: Reply) => void
    }
  | ExitMessage

type ChannelCall =
  | readonly [tag: '$join', payload: Payload]
  | readonly [tag: '$in', event: string, payload: Payload]
  | readonly [tag: '$assigns']

interface ChannelArg {
  readonly module: Behaviour<any>
  readonly topic: string
  readonly assigns: Assigns
  readonly transportPid: Pid
}

interface ChannelState {
  readonly module: Behaviour<any>
  readonly socket: Socket<any>
  readonly joined: boolean
}

const JOIN_RESULTS = "['ok', socket], ['ok', reply, socket] or ['error', reply]"
const IN_RESULTS =
  "['reply', ['ok' | 'error', payload], socket], ['noreply', socket], ['stop', reason, socket] or ['stop', reason, reply, socket]"
const INFO_RESULTS = "['noreply', socket] or ['stop', reason, socket]"

/** A GenServer whose callbacks call the channel module's. */
const ChannelServer = {
  init(this: ProcessContext, { module, topic, assigns, transportPid }: ChannelArg) {
    const socket: Socket<any> = { topic, assigns, channelPid: this.self, transportPid }
    return ['ok', { module, socket, joined: false }] as const
  },

  async handleCall(this: ProcessContext, call: ChannelCall, _from: unknown, state: ChannelState) {
    const { module, socket } = state
    if (call[0] === '$assigns') return ['reply', socket.assigns, state] as const
    if (call[0] === '$join') {
      const result = await module.join.call(this, socket.topic, call[1], socket)
      if (result?.[0] === 'error' && result.length === 2) {
        return ['stop', 'normal', reply('error', result[1]), state] as const
      }
      const [payload, joined] =
        result?.[0] === 'ok' && result.length === 2 ? [{}, result[1]] : [result?.[1], result?.[2]]
      if (result?.[0] !== 'ok' || !isSocket(joined)) {
        throw new BadReturnError('join', result, JOIN_RESULTS)
      }
      // From now on, the topic's broadcasts reach this client.
      Registry.register(this, ENDPOINT, joined.topic, joined.transportPid)
      return ['reply', reply('ok', payload as Payload), { ...state, socket: joined, joined: true }]
    }
    const [, event, payload] = call
    if (module.handleIn === undefined) {
      return ['reply', reply('error', { reason: 'unhandled event', event }), state] as const
    }
    const result: InResult<any> = await module.handleIn.call(this, event, payload, socket)
    // The client's push is a call: its reply is the call's reply (none for 'noreply').
    if (result?.[0] === 'reply' && result.length === 3 && isSocket(result[2])) {
      return ['reply', result[1], { ...state, socket: result[2] }] as const
    }
    if (result?.[0] === 'noreply' && result.length === 2 && isSocket(result[1])) {
      return ['reply', undefined, { ...state, socket: result[1] }] as const
    }
    if (result?.[0] === 'stop' && result.length === 3 && isSocket(result[2])) {
      return ['stop', result[1], undefined, state] as const
    }
    if (result?.[0] === 'stop' && result.length === 4 && isSocket(result[3])) {
      return ['stop', result[1], result[2], state] as const
    }
    throw new BadReturnError('handleIn', result, IN_RESULTS)
  },

  async handleInfo(this: ProcessContext, message: unknown, state: ChannelState) {
    const { module, socket } = state
    if (module.handleInfo === undefined) return ['noreply', state] as const
    const result = await module.handleInfo.call(this, message, socket)
    if (result?.[0] === 'noreply' && isSocket(result[1])) {
      return ['noreply', { ...state, socket: result[1] }] as const
    }
    if (result?.[0] === 'stop' && isSocket(result[2])) return ['stop', result[1], state] as const
    throw new BadReturnError('handleInfo', result, INFO_RESULTS)
  },

  terminate(this: ProcessContext, reason: ExitReason, state: ChannelState) {
    if (state.joined) return state.module.terminate?.call(this, reason, state.socket)
  },
} satisfies GenServer.Behaviour<ChannelState, ChannelArg, ChannelCall, never, unknown>

function frame(topic: string, event: string, payload: Payload): TransportMessage {
  return { type: '$frame', frame: { topic, event, payload } }
}

function reply(status: 'ok' | 'error', response: Payload): Reply {
  return [status, response]
}

function isSocket(value: unknown): value is Socket<any> {
  const socket = value as Socket<any> | null
  return typeof socket?.topic === 'string' && typeof socket.assigns === 'object'
}
