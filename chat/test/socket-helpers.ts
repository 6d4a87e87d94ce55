/**
 * Test helpers for the real-time layer: a real HTTP server on 127.0.0.1 (port 0) with the
 * socket endpoint, PubSub and Presence on a fresh real-clock node; clients made with the
 * official `phoenix` client or raw `ws`; bounded waits. Everything is closed after each test.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  createNode,
  type ExitReason,
  GenServer,
  type Node,
  type Pid,
  Process,
  setDefaultNode,
} from 'letitcrash'
import { type Channel as PhxChannel, Socket as PhxSocket, type Push } from 'phoenix'
import { afterEach } from 'vitest'
import WebSocket from 'ws'
import * as Channel from '../server/channel.ts'
import * as Presence from '../server/presence.ts'
import * as PubSub from '../server/pubsub.ts'
import * as Socket from '../server/socket.ts'

/**
 * Resolves with the first truthy value of `predicate`, checked every few milliseconds; fails
 * clearly after `ms`. A bounded wait on an event, never a fixed sleep.
 */
export async function waitFor<T>(
  predicate: () => T | undefined | null | false,
  what: string,
  ms = 3000,
): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = predicate()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

type Assigns = { user: string }

/** What the test channel's `terminate` saw, for tests that check how channels ended. */
export const terminated: Array<{ topic: string; reason: ExitReason; pid: Pid }> = []

/**
 * A small channel for the tests: echo, error replies, broadcasts, a crash, a late reply, a
 * stop; a refused or crashing join; presence when joined with `{ presence: true }`.
 */
export const TestChannel = {
  join(topic, payload, socket) {
    if (payload.refuse) return ['error', { reason: 'refused' }]
    if (payload.crash) throw new Error('join crashed on purpose')
    if (payload.presence) this.send(this.self, 'after_join')
    return ['ok', { topic, user: socket.assigns.user, pid: String(this.self) }, socket]
  },
  handleIn(event, payload, socket) {
    switch (event) {
      case 'echo':
        return ['reply', ['ok', payload], socket]
      case 'fail':
        return ['reply', ['error', { reason: 'failed on purpose' }], socket]
      case 'shout':
        Channel.broadcast(socket, 'shout', { ...payload, from: socket.assigns.user })
        return ['reply', ['ok', {}], socket]
      case 'shout_others':
        Channel.broadcastFrom(socket, 'shout', { ...payload, from: socket.assigns.user })
        return ['reply', ['ok', {}], socket]
      case 'censor':
        Channel.broadcast(socket, 'censored', payload)
        return ['reply', ['ok', {}], socket]
      case 'crash':
        throw new Error('channel crashed on purpose')
      case 'later':
        this.send(this.self, ['reply_later', Channel.socketRef(socket), payload])
        return ['noreply', socket]
      case 'stop':
        return ['stop', 'normal', ['ok', { stopping: true }], socket]
      default:
        return ['reply', ['error', { reason: 'unknown event', event }], socket]
    }
  },
  async handleInfo(message, socket) {
    if (message === 'after_join') {
      Channel.push(socket, 'presence_state', await Presence.list(PRESENCE, socket.topic))
      await Presence.track(PRESENCE, this, socket.topic, socket.assigns.user, { online: true })
    } else if (Array.isArray(message) && message[0] === 'reply_later') {
      Channel.reply(message[1], ['ok', { late: message[2] }])
    }
    return ['noreply', socket]
  },
  // Each client gets its own copy of an intercepted broadcast, made in its channel process.
  intercept: ['censored'],
  handleOut(event, payload, socket) {
    Channel.push(socket, event, { ...payload, text: '***', seenBy: socket.assigns.user })
    return ['noreply', socket]
  },
  terminate(reason, socket) {
    terminated.push({ topic: socket.topic, reason, pid: this.self })
  },
} satisfies Channel.Behaviour<Assigns>

export const PUBSUB = 'test_pubsub'
export const PRESENCE = 'test_presence'

/** Accepts `valid:<user>` tokens, from the subprotocol first, else from `?token=`. */
export const authenticate: Socket.Authenticate = (params, token) => {
  const given = token ?? params.token
  return given?.startsWith('valid:') ? ['ok', { user: given.slice(6) }] : ['error']
}

export interface TestServer {
  node: Node
  server: Server
  endpoint: Pid
  /** `ws://127.0.0.1:<port>/socket`: what the phoenix client is given. */
  url: string
  /** The full WebSocket URL, for raw clients. */
  wsUrl: string
}

export interface Harness {
  current: TestServer
  /** Starts the server with these socket options (the defaults suit most tests). */
  start(options?: Partial<Socket.Options>): Promise<TestServer>
  /** A connected `phoenix` client; `token` goes in `params`, unless given as `authToken`. */
  connect(token?: string, options?: Record<string, unknown>): PhxSocket
  /** A raw `ws` client that records every frame it gets, decoded. */
  raw(query?: string, protocols?: string[]): Promise<RawClient>
}

/** Registers the afterEach cleanup and returns a harness for the file's tests. */
export function useSocketServer(): Harness {
  const phoenixClients: PhxSocket[] = []
  const rawClients: WebSocket[] = []
  const harness: Harness = {
    current: undefined as unknown as TestServer,
    async start(options = {}) {
      terminated.length = 0
      const node = createNode()
      setDefaultNode(node)
      await PubSub.startLink({ name: PUBSUB })
      await Presence.startLink({ name: PRESENCE, pubsub: PUBSUB })
      const server = createServer()
      const started = await Socket.startLink({
        server,
        pubsub: PUBSUB,
        channels: { 'room:*': TestChannel },
        authenticate,
        ...options,
      })
      if (started[0] !== 'ok') throw new Error(`endpoint failed to start: ${String(started[1])}`)
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      const { port } = server.address() as AddressInfo
      harness.current = {
        node,
        server,
        endpoint: started[1],
        url: `ws://127.0.0.1:${port}/socket`,
        wsUrl: `ws://127.0.0.1:${port}/socket/websocket`,
      }
      return harness.current
    },
    connect(token, options = {}) {
      const socket = new PhxSocket(harness.current.url, {
        transport: WebSocket,
        params: token === undefined ? {} : { token },
        timeout: 3000,
        rejoinAfterMs: () => 20,
        reconnectAfterMs: () => 20,
        ...options,
      })
      phoenixClients.push(socket)
      socket.connect()
      return socket
    },
    async raw(query = 'vsn=2.0.0&token=valid:raw', protocols) {
      const client = await openRaw(`${harness.current.wsUrl}?${query}`, protocols)
      rawClients.push(client.ws)
      return client
    },
  }
  afterEach(async () => {
    for (const socket of phoenixClients.splice(0)) socket.disconnect()
    for (const ws of rawClients.splice(0)) ws.terminate()
    const test = harness.current
    if (test === undefined) return
    harness.current = undefined as unknown as TestServer
    if (Process.isAlive(test.endpoint)) await GenServer.stop(test.endpoint, 'shutdown')
    test.node.shutdown()
    test.server.closeAllConnections()
    await new Promise((resolve) => test.server.close(resolve))
  })
  return harness
}

export interface RawClient {
  ws: WebSocket
  /** Every frame received, JSON-decoded. */
  frames: unknown[]
  /** Set once the socket closed. */
  closed: { code: number; reason: string } | undefined
  send(frame: unknown): void
  /** The first received frame (from index `from` on) that `match` accepts. */
  next(match: (frame: any[]) => boolean, what: string, from?: number): Promise<any[]>
}

/** Opens a raw WebSocket and waits until it is open; rejects with the HTTP status if refused. */
export function openRaw(url: string, protocols?: string[]): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols)
    const client: RawClient = {
      ws,
      frames: [],
      closed: undefined,
      send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
      next: (match, what, from = 0) =>
        waitFor(
          () => client.frames.slice(from).find((f) => match(f as any[])) as any[] | undefined,
          what,
        ),
    }
    ws.on('message', (data) => client.frames.push(JSON.parse(String(data))))
    ws.on('close', (code, reason) => (client.closed = { code, reason: String(reason) }))
    ws.on('unexpected-response', (_request, response) => {
      reject(new Error(`HTTP ${response.statusCode}`))
      ws.terminate()
    })
    ws.on('error', reject)
    ws.on('open', () => resolve(client))
  })
}

/** Resolves with the first answer to a push: `['ok' | 'error', response]` or `['timeout']`. */
export function answer(push: Push): Promise<[status: string, response?: any]> {
  return new Promise((resolve) => {
    push
      .receive('ok', (response) => resolve(['ok', response]))
      .receive('error', (response) => resolve(['error', response]))
      .receive('timeout', () => resolve(['timeout']))
  })
}

/** Joins `channel` and resolves with the join's first answer. */
export function join(channel: PhxChannel): Promise<[status: string, response?: any]> {
  return answer(channel.join())
}
