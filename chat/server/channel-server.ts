/**
 * The process behind one joined channel (Phoenix.Channel.Server): a GenServer that runs a
 * channel module's callbacks. The connection process starts it linked, asks it to join with a
 * `call`, then forwards it the client's messages for its topic.
 *
 * - It traps exits, so that when its connection goes away (the parent's `EXIT`) the GenServer
 *   loop stops it and `terminate` runs, as Phoenix's channel server does when its transport
 *   dies. `EXIT`s from other linked processes reach the module's `handleInfo`.
 * - A crash ends it with an error; the connection sees the `EXIT` and pushes `phx_error`.
 *   Stopping with `normal` or a shutdown reason makes the connection push `phx_close`.
 *
 * What the course teaches with it: a behaviour built on a behaviour. Phoenix's channel is a
 * GenServer whose callbacks call yours, and so is this one.
 * @internal
 */
import { BadReturnError, type ExitReason, type GenServer, type ProcessContext } from 'letitcrash'
import {
  type Behaviour,
  type Broadcast,
  type InfoResult,
  type InResult,
  push,
  type Reply,
  type Socket,
  sendText,
} from './channel.ts'
import { encodeReply, isPayload, type Payload, type Ref } from './protocol.ts'
import * as PubSub from './pubsub.ts'

/** The connection asks a new channel process to join with this call. */
export interface JoinRequest {
  readonly type: '$phx_join'
  readonly payload: Payload
}

/** `['ok', reply]` or `['error', reply]`: the join reply the connection sends the client. */
export type JoinReply = Reply

/** A client push the connection forwards to the channel of its topic. */
export interface InMessage {
  readonly type: '$phx_in'
  readonly event: string
  readonly payload: Payload
  readonly ref: Ref
}

/** The client left the topic (`phx_leave`). */
export interface LeaveMessage {
  readonly type: '$phx_leave'
  readonly ref: Ref
}

export interface State {
  readonly module: Behaviour<any>
  readonly socket: Socket<any>
  readonly joined: boolean
}

export interface Arg {
  readonly module: Behaviour<any>
  readonly socket: Omit<Socket<any>, 'channelPid'>
}

const JOIN_RESULTS = "['ok', socket], ['ok', reply, socket] or ['error', reply]"
const IN_RESULTS =
  "['reply', ['ok' | 'error', payload], socket], ['noreply', socket], ['stop', reason, socket] or ['stop', reason, reply, socket]"
const INFO_RESULTS = "['noreply', socket] or ['stop', reason, socket]"

/** The GenServer behaviour of a channel process. */
export const ChannelServer = {
  init(this: ProcessContext, { module, socket }: Arg) {
    this.trapExit(true)
    const state: State = { module, socket: { ...socket, channelPid: this.self }, joined: false }
    return ['ok', state] as const
  },

  async handleCall(this: ProcessContext, request: JoinRequest, _from: unknown, state: State) {
    const { module, socket } = state
    const result = await module.join.call(this, socket.topic, request.payload, socket)
    if (!Array.isArray(result)) throw new BadReturnError('join', result, JOIN_RESULTS)
    if (result[0] === 'error' && result.length === 2 && isPayload(result[1])) {
      // Refused: the process ends quietly (`shutdown`); the client gets the error reply.
      const refused: JoinReply = ['error', result[1]]
      return ['stop', 'shutdown', refused, state] as const
    }
    const [reply, joined] =
      result[0] === 'ok' && result.length === 2
        ? [{}, result[1]]
        : result[0] === 'ok' && result.length === 3 && isPayload(result[1])
          ? [result[1], result[2]]
          : [undefined, undefined]
    if (reply === undefined || !isSocket(joined)) {
      throw new BadReturnError('join', result, JOIN_RESULTS)
    }
    const fastlane = fastlaneFor(joined, module.intercept ?? [])
    PubSub.subscribe(this, joined.pubsub, joined.topic, { fastlane })
    const ok: JoinReply = ['ok', reply]
    return ['reply', ok, { module, socket: joined, joined: true }] as const
  },

  async handleInfo(this: ProcessContext, message: unknown, state: State) {
    const { module, socket } = state
    const tagged = message as { type?: unknown } | null
    if (tagged?.type === '$phx_in') {
      const { event, payload, ref } = message as InMessage
      if (module.handleIn === undefined) {
        replyTo(socket, ref, ['error', { reason: 'unhandled event', event }])
        return ['noreply', state] as const
      }
      const result = await module.handleIn.call(this, event, payload, { ...socket, ref })
      return afterIn(socket, ref, result, state)
    }
    if (tagged?.type === '$phx_leave') {
      replyTo(socket, (message as LeaveMessage).ref, ['ok', {}])
      return ['stop', { shutdown: 'left' }, state] as const
    }
    if (tagged?.type === 'broadcast' && (message as Broadcast).topic === socket.topic) {
      const { event, payload } = message as Broadcast
      if (module.handleOut === undefined) {
        push(socket, event, payload)
        return ['noreply', state] as const
      }
      return afterInfo(
        'handleOut',
        await module.handleOut.call(this, event, payload, socket),
        state,
      )
    }
    if (module.handleInfo === undefined) return ['noreply', state] as const
    return afterInfo('handleInfo', await module.handleInfo.call(this, message, socket), state)
  },

  terminate(this: ProcessContext, reason: ExitReason, state: State) {
    // Only a joined channel has anything to clean up (Phoenix also calls it after a refusal).
    if (state.joined) return state.module.terminate?.call(this, reason, state.socket)
  },
} satisfies GenServer.Behaviour<State, Arg, JoinRequest, never, JoinReply>

type Next = readonly ['noreply', State] | readonly ['stop', ExitReason, State]

function afterIn(before: Socket<any>, ref: Ref, result: InResult<any>, state: State): Next {
  if (Array.isArray(result)) {
    const [tag] = result
    if (tag === 'reply' && result.length === 3 && isReply(result[1]) && isSocket(result[2])) {
      replyTo(before, ref, result[1])
      return ['noreply', { ...state, socket: { ...result[2], ref: null } }]
    }
    if (tag === 'noreply' && result.length === 2 && isSocket(result[1])) {
      return ['noreply', { ...state, socket: { ...result[1], ref: null } }]
    }
    if (tag === 'stop' && result.length === 3 && isSocket(result[2])) {
      return ['stop', result[1], { ...state, socket: result[2] }]
    }
    if (tag === 'stop' && result.length === 4 && isReply(result[2]) && isSocket(result[3])) {
      replyTo(before, ref, result[2])
      return ['stop', result[1], { ...state, socket: result[3] }]
    }
  }
  throw new BadReturnError('handleIn', result, IN_RESULTS)
}

function afterInfo(callback: string, result: InfoResult<any>, state: State): Next {
  if (Array.isArray(result)) {
    if (result[0] === 'noreply' && result.length === 2 && isSocket(result[1])) {
      return ['noreply', { ...state, socket: result[1] }]
    }
    if (result[0] === 'stop' && result.length === 3 && isSocket(result[2])) {
      return ['stop', result[1], { ...state, socket: result[2] }]
    }
  }
  throw new BadReturnError(callback, result, INFO_RESULTS)
}

function replyTo(socket: Socket<any>, ref: Ref, [status, response]: Reply): void {
  sendText(socket.transportPid, encodeReply(socket.joinRef, ref, socket.topic, status, response))
}

/** Encodings of broadcasts, so each is encoded once however many clients it goes to. */
const encoded = new WeakMap<Broadcast, string>()

/**
 * The fastlane of a channel's subscription: a broadcast for its topic whose event is not
 * intercepted goes, encoded once, straight to the connection process, not through this one.
 */
function fastlaneFor(socket: Socket<any>, intercept: readonly string[]): PubSub.Fastlane {
  return (message) => {
    const broadcast = message as Broadcast
    if (broadcast?.type !== 'broadcast' || broadcast.topic !== socket.topic) return false
    if (intercept.includes(broadcast.event)) return false
    let text = encoded.get(broadcast)
    if (text === undefined) {
      text = JSON.stringify([null, null, broadcast.topic, broadcast.event, broadcast.payload])
      encoded.set(broadcast, text)
    }
    sendText(socket.transportPid, text)
    return true
  }
}

function isReply(value: unknown): value is Reply {
  return (
    Array.isArray(value) &&
    value.length === 2 &&
    (value[0] === 'ok' || value[0] === 'error') &&
    isPayload(value[1])
  )
}

function isSocket(value: unknown): value is Socket<any> {
  return isPayload(value) && typeof value.topic === 'string' && isPayload(value.assigns)
}
