/**
 * The process behind one WebSocket connection (the socket process of Phoenix.Socket). The
 * endpoint turns the WebSocket's events into messages to it, so everything about the
 * connection happens inside this one process, one message at a time:
 *
 * - a frame from the client is decoded, then answered (heartbeat, errors), or starts a channel
 *   process (`phx_join`), or is forwarded to the channel process of its topic;
 * - an encoded frame from a channel (a push, a reply, a broadcast) is written to the socket;
 * - an `EXIT` from a channel process (it traps exits) becomes `phx_close` for an orderly stop
 *   or `phx_error` for a crash, and the client rejoins by itself after an error;
 * - no frame for `idleTimeoutMs` closes the connection, and so does a malformed frame;
 * - when it ends, its linked channel processes end with it (their `terminate` runs).
 *
 * What the course teaches with it: a process owns a resource (here a socket) and its state.
 * Nobody else touches them, so none of it needs a lock, and a crash takes exactly this
 * connection with it. The duplicate join shows a selective receive: wait for one process's
 * `EXIT` while the client's frames stay queued in order.
 * @internal
 */
import {
  type ExitMessage,
  type ExitReason,
  GenServer,
  isNormalExit,
  type Pid,
  type ProcessContext,
  TIMEOUT,
  type Ref as TimerRef,
} from 'letitcrash'
import type WebSocket from 'ws'
import type { Assigns, Behaviour, SocketPush } from './channel.ts'
import {
  type Arg,
  ChannelServer,
  type InMessage,
  type JoinReply,
  type JoinRequest,
  type LeaveMessage,
} from './channel-server.ts'
import {
  CLOSE,
  decode,
  EVENTS,
  encode,
  encodeReply,
  isPayload,
  type Message,
  type Payload,
  type Ref,
  SOCKET_TOPIC,
} from './protocol.ts'

/** What a connection process needs; the endpoint builds it for each accepted WebSocket. */
export interface ConnectionConfig {
  readonly ws: WebSocket
  /** The endpoint process: its `EXIT` ends the connection. */
  readonly endpoint: Pid
  readonly assigns: Assigns
  readonly route: (topic: string) => Behaviour<any> | undefined
  readonly pubsub: string
  readonly idleTimeoutMs: number
  readonly maxChannels: number
  readonly joinTimeoutMs: number
}

/** A frame from the client: `text` is null for a binary frame. */
export interface FrameMessage {
  readonly type: '$frame'
  readonly text: string | null
}

/** The WebSocket closed (the client left, or the network went away). */
export interface ClosedMessage {
  readonly type: '$closed'
  readonly code: number
}

interface IdleCheck {
  readonly type: '$idle_check'
}

export type ConnectionMessage = FrameMessage | ClosedMessage | SocketPush | IdleCheck | ExitMessage

interface Joined {
  readonly pid: Pid
  readonly joinRef: Ref
}

/** How the connection ends: the process's exit reason, and the close frame to send, if any. */
interface Close {
  readonly reason: ExitReason
  readonly code?: number
  readonly text?: string
}

interface State {
  readonly ctx: ProcessContext<ConnectionMessage>
  readonly config: ConnectionConfig
  /** topic → its channel process; at most one per topic. */
  readonly channels: Map<string, Joined>
  readonly topics: Map<Pid, string>
  lastFrameAt: number
  idleTimer: TimerRef | undefined
}

/** The body of a connection process. */
export async function runConnection(
  ctx: ProcessContext<ConnectionMessage>,
  config: ConnectionConfig,
): Promise<void> {
  ctx.trapExit(true)
  const state: State = {
    ctx,
    config,
    channels: new Map(),
    topics: new Map(),
    lastFrameAt: ctx.node.clock.now(),
    idleTimer: undefined,
  }
  scheduleIdleCheck(state, config.idleTimeoutMs)
  let close: Close | undefined
  try {
    while (close === undefined) {
      const next = handle(state, await ctx.receive())
      // Only a join waits for something; every other message is handled at once.
      close = next instanceof Promise ? await next : next
    }
  } finally {
    // Whether it ended on purpose or crashed, the socket goes with the process. (A process
    // that is killed runs no more code: the endpoint closes its socket when it sees the EXIT.)
    if (state.idleTimer !== undefined) ctx.node.cancelTimer(state.idleTimer)
    const { ws } = config
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) {
      ws.close(close?.code ?? CLOSE.internalError, close?.text ?? 'internal error')
    }
  }
  ctx.exit(close.reason)
}

type Next = Close | undefined | Promise<undefined>

function handle(state: State, message: ConnectionMessage): Next {
  switch (message.type) {
    case '$frame':
      state.lastFrameAt = state.ctx.node.clock.now()
      return handleFrame(state, message.text)
    case '$socket_push':
      write(state, message.text)
      return undefined
    case '$closed':
      return { reason: { shutdown: 'closed' } }
    case '$idle_check': {
      const idle = state.ctx.node.clock.now() - state.lastFrameAt
      const left = state.config.idleTimeoutMs - idle
      if (left <= 0)
        return { reason: { shutdown: 'idle_timeout' }, code: CLOSE.normal, text: 'idle timeout' }
      scheduleIdleCheck(state, Math.ceil(left))
      return undefined
    }
    case 'EXIT':
      if (message.from === state.config.endpoint) {
        return { reason: message.reason, code: CLOSE.goingAway, text: 'server shutting down' }
      }
      channelExited(state, message.from, message.reason)
      return undefined
  }
}

function handleFrame(state: State, text: string | null): Next {
  if (text === null) {
    const why = 'binary frames are not supported'
    return { reason: { shutdown: 'bad_frame' }, code: CLOSE.unsupportedData, text: why }
  }
  const decoded = decode(text)
  if (decoded[0] === 'error') {
    return { reason: { shutdown: 'bad_frame' }, code: CLOSE.invalidPayload, text: decoded[1] }
  }
  const message = decoded[1]
  if (!isPayload(message.payload)) {
    replyTo(state, message, 'error', { reason: 'payload must be an object' })
  } else if (message.topic === SOCKET_TOPIC && message.event === EVENTS.heartbeat) {
    write(state, encodeReply(null, message.ref, SOCKET_TOPIC, 'ok', {}))
  } else if (message.event === EVENTS.join) {
    return join(state, message, message.payload).then(() => undefined)
  } else if (message.event === EVENTS.leave) {
    leave(state, message)
  } else {
    forward(state, message, message.payload)
  }
  return undefined
}

async function join(state: State, message: Message, payload: Payload): Promise<void> {
  const { ctx, config, channels } = state
  const { topic, joinRef } = message
  const existing = channels.get(topic)
  // Like Phoenix: a second join of a topic replaces the first; its client hears phx_close.
  if (existing !== undefined) await closeDuplicate(state, topic, existing)
  if (channels.size >= config.maxChannels) {
    return replyTo(state, message, 'error', { reason: 'too_many_channels' })
  }
  const module = config.route(topic)
  if (module === undefined) return replyTo(state, message, 'error', { reason: 'unmatched topic' })
  const socket = {
    topic,
    joinRef,
    ref: null,
    assigns: config.assigns,
    transportPid: ctx.self,
    pubsub: config.pubsub,
  }
  const started = await GenServer.startLink(ChannelServer, { module, socket } satisfies Arg, {
    parent: ctx,
  })
  if (started[0] !== 'ok') return replyTo(state, message, 'error', { reason: 'join crashed' })
  const pid = started[1]
  const request: JoinRequest = { type: '$phx_join', payload }
  let reply: JoinReply
  try {
    reply = await GenServer.call<JoinReply>(pid, request, config.joinTimeoutMs)
  } catch (error) {
    // The join crashed (the process is gone) or took too long (so it goes now).
    ctx.exit(pid, 'kill')
    const timedOut = (error as { reason?: unknown }).reason === 'timeout'
    return replyTo(state, message, 'error', { reason: timedOut ? 'join timeout' : 'join crashed' })
  }
  if (reply[0] === 'ok') {
    channels.set(topic, { pid, joinRef })
    state.topics.set(pid, topic)
  }
  replyTo(state, message, reply[0], reply[1])
}

/** Stops the channel of an earlier join of `topic`, waits until it is gone, tells the client. */
async function closeDuplicate(state: State, topic: string, old: Joined): Promise<void> {
  const { ctx } = state
  const isItsExit = (m: ConnectionMessage) => m.type === 'EXIT' && m.from === old.pid
  ctx.exit(old.pid, { shutdown: 'duplicate_join' })
  if ((await ctx.receive(isItsExit, { timeout: 5000 })) === TIMEOUT) {
    ctx.exit(old.pid, 'kill')
    await ctx.receive(isItsExit)
  }
  forget(state, old.pid)
  write(state, encode(old.joinRef, old.joinRef, topic, EVENTS.close, {}))
}

function leave(state: State, message: Message): void {
  const joined = state.channels.get(message.topic)
  // Nothing to leave: say ok, as Phoenix does. A stale join ref raced a close: say nothing.
  if (joined === undefined) replyTo(state, message, 'ok', {})
  else if (!isStale(message, joined)) {
    state.ctx.send(joined.pid, { type: '$phx_leave', ref: message.ref } satisfies LeaveMessage)
  }
}

function forward(state: State, message: Message, payload: Payload): void {
  const joined = state.channels.get(message.topic)
  const { event, ref } = message
  if (joined === undefined) replyTo(state, message, 'error', { reason: 'unmatched topic' })
  // A message for an earlier join of this topic is meant for a channel that is gone.
  else if (!isStale(message, joined)) {
    state.ctx.send(joined.pid, { type: '$phx_in', event, payload, ref } satisfies InMessage)
  }
}

function channelExited(state: State, pid: Pid, reason: ExitReason): void {
  const topic = state.topics.get(pid)
  // Not a joined channel: one whose join was refused, crashed or timed out. Nothing to say.
  if (topic === undefined) return
  const { joinRef } = state.channels.get(topic)!
  forget(state, pid)
  const event = isNormalExit(reason) ? EVENTS.close : EVENTS.error
  write(state, encode(joinRef, joinRef, topic, event, {}))
}

function forget(state: State, pid: Pid): void {
  const topic = state.topics.get(pid)
  state.topics.delete(pid)
  if (topic !== undefined) state.channels.delete(topic)
}

function isStale(message: Message, joined: Joined): boolean {
  return message.joinRef !== null && message.joinRef !== joined.joinRef
}

function replyTo(state: State, message: Message, status: 'ok' | 'error', response: Payload): void {
  write(state, encodeReply(message.joinRef, message.ref, message.topic, status, response))
}

function write(state: State, text: string): void {
  const { ws } = state.config
  if (ws.readyState === ws.OPEN) ws.send(text)
}

function scheduleIdleCheck(state: State, ms: number): void {
  const { ctx } = state
  state.idleTimer = ctx.node.sendAfter(ctx.self, { type: '$idle_check' } satisfies IdleCheck, ms)
}
