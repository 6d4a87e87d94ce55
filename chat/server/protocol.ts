/**
 * The Phoenix Channels V2 wire format: every WebSocket text frame is one JSON array,
 *
 * ```
 * [join_ref, ref, topic, event, payload]
 * ["1", "1", "room:lobby", "phx_join", {}]                              client joins
 * ["1", "1", "room:lobby", "phx_reply", {"status": "ok", "response": {}}] server replies
 * [null, null, "room:lobby", "new_msg", {"body": "hi"}]                   a broadcast
 * ```
 *
 * `ref` numbers a client message so the reply can name it; `join_ref` is the `ref` of the
 * join that opened the channel, so a message meant for an earlier join of the same topic can
 * be recognised and dropped. Replies are the event `phx_reply` with `{status, response}`. The
 * heartbeat is the event `heartbeat` on the topic `phoenix`.
 *
 * What the course teaches here: a protocol is data. Decoding happens once, at the edge, and
 * anything malformed is refused right there, before it can reach a process that matters.
 *
 * @see https://hexdocs.pm/phoenix/writing_a_channels_client.html
 */

/** The serializer version this server speaks: the client's `vsn` query parameter. */
export const VSN = '2.0.0'

/** The subprotocol prefix the `phoenix` client uses to carry its `authToken`. */
export const AUTH_TOKEN_PREFIX = 'base64url.bearer.phx.'

/** Events with a meaning in the protocol itself (Phoenix's `CHANNEL_EVENTS`). */
export const EVENTS = {
  join: 'phx_join',
  leave: 'phx_leave',
  reply: 'phx_reply',
  close: 'phx_close',
  error: 'phx_error',
  heartbeat: 'heartbeat',
} as const

/** The topic of the socket itself, where heartbeats go. */
export const SOCKET_TOPIC = 'phoenix'

/** WebSocket close codes this server uses (RFC 6455, section 7.4.1). */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  unsupportedData: 1003,
  invalidPayload: 1007,
  tooBig: 1009,
  internalError: 1011,
} as const

/** A message reference as the client sends it (the official client sends strings). */
export type Ref = string | number | null

/** A JSON object: what every payload must be. */
export type Payload = { readonly [key: string]: unknown }

/** One decoded client message. */
export interface Message {
  readonly joinRef: Ref
  readonly ref: Ref
  readonly topic: string
  readonly event: string
  /** Not checked here: a payload that is not an object gets an error *reply*, not a close. */
  readonly payload: unknown
}

/** `['ok', message]`, or `['error', why]` for a frame that is no message at all. */
export type Decoded = readonly [tag: 'ok', message: Message] | readonly [tag: 'error', why: string]

/**
 * Decodes one text frame. A frame that is not a JSON array of five, with string topic and
 * event, is an error: without a well-formed ref there is nobody to reply to.
 * @example decode('["1","1","room:lobby","phx_join",{}]') // ['ok', { joinRef: '1', ... }]
 */
export function decode(text: string): Decoded {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return ['error', 'frame is not JSON']
  }
  if (!Array.isArray(value) || value.length !== 5) {
    return ['error', 'expected a JSON array [join_ref, ref, topic, event, payload]']
  }
  const [joinRef, ref, topic, event, payload] = value
  if (!isRef(joinRef) || !isRef(ref)) return ['error', 'join_ref and ref must be strings or null']
  if (typeof topic !== 'string' || typeof event !== 'string') {
    return ['error', 'topic and event must be strings']
  }
  return ['ok', { joinRef, ref, topic, event, payload }]
}

/**
 * Encodes a message for the client.
 * @example encode(null, null, 'room:lobby', 'new_msg', { body: 'hi' })
 */
export function encode(
  joinRef: Ref,
  ref: Ref,
  topic: string,
  event: string,
  payload: Payload,
): string {
  return JSON.stringify([joinRef, ref, topic, event, payload])
}

/**
 * Encodes the reply to the client message `ref`: event `phx_reply`, payload `{status, response}`.
 * @example encodeReply('1', '2', 'room:lobby', 'ok', { id: 7 })
 */
export function encodeReply(
  joinRef: Ref,
  ref: Ref,
  topic: string,
  status: 'ok' | 'error',
  response: Payload,
): string {
  return encode(joinRef, ref, topic, EVENTS.reply, { status, response })
}

/** True for a plain JSON object (not null, not an array). */
export function isPayload(value: unknown): value is Payload {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isRef(value: unknown): value is Ref {
  return value === null || typeof value === 'string' || typeof value === 'number'
}
