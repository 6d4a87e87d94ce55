/**
 * Test helpers for the whole chat application: start it on 127.0.0.1, port 0, on a fresh
 * real-clock node; talk to it over HTTP and with the official `phoenix` client. Clients are
 * closed after each test, the application after the file (starting PGlite takes seconds).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createNode, type Node, setDefaultNode } from 'letitcrash'
import { type Channel as PhxChannel, Socket as PhxSocket, Presence } from 'phoenix'
import { afterAll, afterEach, beforeAll } from 'vitest'
import WebSocket from 'ws'
import * as ChatApp from '../server/application.ts'
import { unique } from './helpers.ts'
import { answer, waitFor } from './socket-helpers.ts'

export { answer, join, openRaw, waitFor } from './socket-helpers.ts'

/** Cheap scrypt, for speed. */
export const HASH_PARAMS = { N: 1024, r: 8, p: 1 }

export interface RunningApp {
  node: Node
  /** `http://127.0.0.1:<port>` */
  url: string
  /** What the phoenix client is given: `ws://127.0.0.1:<port>/socket`. */
  socketUrl: string
}

export interface AppHarness {
  readonly current: RunningApp
  /** An HTTP request with a JSON body (or a raw string body); resolves status and parsed JSON. */
  request(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<HttpResult>
  /** Registers a fresh user; resolves to their name and token. */
  user(prefix?: string): Promise<{ username: string; token: string }>
  /** A connected phoenix client for `token` (in `params`); disconnected after the test. */
  connect(token: string, options?: Record<string, unknown>): PhxSocket
  /** A client for a fresh user, joined to `room:<room>`; resolves once joined. */
  member(room: string, prefix?: string): Promise<Member>
}

export interface HttpResult {
  status: number
  body: any
  headers: Headers
}

/** One user in one room: what they heard, and how to talk. */
export interface Member {
  username: string
  socket: PhxSocket
  channel: PhxChannel
  /** The phoenix client's view of who is in the room. */
  presence: Presence
  /** The join reply. */
  joined: { messages: any[] }
  /** Every `new_msg` received, in order. */
  heard: any[]
  /** `phx_error`s on the channel (a crash of the channel process). */
  errors: number
  /** Times the socket opened (more than 1: it reconnected). */
  opens: number
  /** Pushes `new_msg` and resolves with the reply: `['ok', { id }]` or `['error', ...]`. */
  say(body: unknown): Promise<[string, any?]>
}

/** Starts the chat application for this test file; see the module doc. */
export function useChatApp(config: Partial<ChatApp.ChatEnv> = {}): AppHarness {
  const sockets: PhxSocket[] = []
  let current: RunningApp | undefined
  let dataDir: string | undefined

  beforeAll(async () => {
    const node = createNode()
    setDefaultNode(node)
    if (config.dataDir === undefined) dataDir = mkdtempSync(join(tmpdir(), 'chat-test-'))
    const started = await ChatApp.start({
      port: 0,
      dataDir,
      hashParams: HASH_PARAMS,
      ops: true,
      ...config,
    })
    if (started[0] !== 'ok') throw new Error(`the chat app did not start: ${String(started[1])}`)
    const url = await ChatApp.url()
    current = { node, url, socketUrl: `${url.replace('http', 'ws')}/socket` }
  }, 60_000)

  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.disconnect()
  })

  afterAll(async () => {
    await ChatApp.stop()
    current?.node.shutdown()
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true })
  }, 30_000)

  const harness: AppHarness = {
    get current() {
      if (current === undefined) throw new Error('the chat app is not running')
      return current
    },
    request: (method, path, body, headers) =>
      request(harness.current.url, method, path, body, headers),
    async user(prefix = 'u') {
      const username = unique(prefix)
      const { status, body } = await harness.request('POST', '/api/users', {
        username,
        password: 'long enough',
      })
      if (status !== 201)
        throw new Error(`registering ${username}: ${status} ${JSON.stringify(body)}`)
      return { username, token: body.token }
    },
    connect(token, options = {}) {
      const socket = new PhxSocket(harness.current.socketUrl, {
        transport: WebSocket,
        params: { token },
        timeout: 10_000,
        rejoinAfterMs: () => 20,
        reconnectAfterMs: () => 20,
        ...options,
      })
      sockets.push(socket)
      socket.connect()
      return socket
    },
    async member(room, prefix = 'm') {
      const { username, token } = await harness.user(prefix)
      const socket = harness.connect(token)
      const channel = socket.channel(`room:${room}`)
      const member: Member = {
        username,
        socket,
        channel,
        presence: new Presence(channel), // before the join, to get presence_state
        joined: { messages: [] },
        heard: [],
        errors: 0,
        opens: 0,
        say: (body) => answer(channel.push('new_msg', { body })),
      }
      socket.onOpen(() => {
        member.opens += 1
      })
      channel.on('new_msg', (message) => {
        member.heard.push(message)
      })
      channel.onError(() => {
        member.errors += 1
      })
      const [status, reply] = await answer(channel.join())
      if (status !== 'ok') throw new Error(`join room:${room}: ${status} ${JSON.stringify(reply)}`)
      member.joined = reply
      return member
    },
  }
  return harness
}

/** An HTTP request to `base`; a string body is sent as it is, anything else as JSON. */
export async function request(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<HttpResult> {
  const init: RequestInit = { method, headers: { 'content-type': 'application/json', ...headers } }
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body)
  const response = await fetch(`${base}${path}`, init)
  const text = await response.text()
  let parsed: unknown = text
  try {
    parsed = JSON.parse(text)
  } catch {}
  return { status: response.status, body: parsed, headers: response.headers }
}

/** Waits until `member` heard `count` messages. */
export function heardAll(member: Member, count: number, ms = 10_000): Promise<unknown> {
  return waitFor(
    () => member.heard.length >= count,
    `${member.username} to hear ${count} messages`,
    ms,
  )
}

/** Like `waitFor`, for a predicate that must ask asynchronously (an HTTP request, a call). */
export async function eventually<T>(
  predicate: () => Promise<T | undefined | null | false>,
  what: string,
  ms = 5000,
): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await predicate()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** A port nobody uses right now: the OS picks one for a moment, then we let it go. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })
}
