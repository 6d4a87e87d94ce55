/**
 * The WebSocket endpoint: speaks the Phoenix Channels V2 protocol on `/socket/websocket`, so
 * the official `phoenix` npm client connects unmodified (Phoenix.Socket and its transport).
 *
 * @example
 * const server = http.createServer(app)
 * await Socket.startLink({
 *   server,
 *   pubsub: 'chat_pubsub',
 *   channels: { 'room:*': RoomChannel },           // the router: topic pattern → channel module
 *   authenticate: (params, token) => {
 *     const user = verify(token ?? params.token)    // the subprotocol token, or ?token=
 *     return user ? ['ok', { user }] : ['error']    // assigns every channel's socket starts with
 *   },
 * })
 * // in a browser, or in Node with `transport: WebSocket` from 'ws':
 * // new Socket('ws://127.0.0.1:4000/socket', { params: { token } }).connect()
 *
 * The endpoint is a GenServer, so a supervisor can start and stop it. It handles the HTTP
 * upgrade itself: a wrong path is a 404; a `vsn` other than `2.0.0` or a failed
 * `authenticate` is a 403, before any WebSocket exists. For each accepted WebSocket it starts
 * a connection process, linked to itself (see `connection.ts`); each joined topic gets a
 * channel process, linked to its connection (see `channel-server.ts`). So the tree is
 * endpoint → connections → channels, and stopping the endpoint closes everything below it.
 *
 * Limits, each an option: `idleTimeoutMs` (no frame for that long closes the connection;
 * the client's heartbeat, every 30 s, keeps a healthy one open), `maxChannels` per connection
 * (a join beyond it is refused with `too_many_channels`), `maxFrameBytes` (a bigger frame
 * closes the connection with 1009).
 *
 * What the course teaches with it: the edge of the system. Everything from the network is
 * checked here and turned into messages; past this point there are only processes.
 *
 * @see https://hexdocs.pm/phoenix/Phoenix.Socket.html
 */
import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import {
  type ExitMessage,
  GenServer,
  isNormalExit,
  type Pid,
  Process,
  type ProcessContext,
  type Supervisor,
  send,
} from 'letitcrash'
import type WebSocket from 'ws'
import { WebSocketServer } from 'ws'
import type { Assigns, Behaviour } from './channel.ts'
import { type ConnectionMessage, runConnection } from './connection.ts'
import { AUTH_TOKEN_PREFIX, CLOSE, VSN } from './protocol.ts'

/** `['ok', assigns]` lets the client in with those assigns; `['error']` answers 403. */
export type AuthResult =
  | readonly [tag: 'ok', assigns: Assigns]
  | readonly [tag: 'error', reason?: unknown]

/**
 * Decides who may connect (Phoenix's `connect/3`). `params` is the query string (`token`,
 * `vsn`, ...); `token` is the client's `authToken`, carried in the subprotocol header.
 */
export type Authenticate = (
  params: Readonly<Record<string, string>>,
  token: string | undefined,
) => AuthResult | Promise<AuthResult>

export interface Options {
  /** The HTTP server whose upgrade requests this endpoint answers. */
  readonly server: Server
  /** Topic pattern → channel module; a pattern ends in `*` to match a prefix (`'room:*'`). */
  readonly channels: Readonly<Record<string, Behaviour<any>>>
  readonly authenticate: Authenticate
  /** The PubSub channels broadcast through (see `pubsub.ts`). */
  readonly pubsub: string
  /** Default `/socket/websocket` (the client adds `/websocket` to the URL it is given). */
  readonly path?: string
  /** Default 60,000. */
  readonly idleTimeoutMs?: number
  /** Default 100. */
  readonly maxChannels?: number
  /** Default 65,536. */
  readonly maxFrameBytes?: number
  /** How long a channel's `join` may take, default 15,000. */
  readonly joinTimeoutMs?: number
  /** Register the endpoint under this name. */
  readonly name?: string
  /** For `startLink` from inside a process: the process to link to. */
  readonly parent?: ProcessContext
}

/** An upgrade request that passed the checks, for the endpoint process to accept. */
interface Accept {
  readonly type: '$accept'
  readonly request: IncomingMessage
  readonly socket: Duplex
  readonly head: Buffer
  readonly assigns: Assigns
}

interface State {
  readonly options: Options
  readonly wss: WebSocketServer
  readonly onUpgrade: (request: IncomingMessage, socket: Duplex, head: Buffer) => void
  /** connection process → its WebSocket. */
  readonly sockets: Map<Pid, WebSocket>
}

// --- Server (callbacks) --------------------------------------------------------------------

const Endpoint = {
  init(this: ProcessContext, options: Options) {
    this.trapExit(true)
    const wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxFrameBytes ?? 65_536,
      // The client that sends an authToken also offers `phoenix`, and needs it echoed.
      handleProtocols: (offered) => (offered.has('phoenix') ? 'phoenix' : false),
    })
    const endpoint = this.self
    const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      // Killed, the endpoint could not remove this listener itself (terminate did not run).
      if (!Process.isAlive(endpoint)) options.server.off('upgrade', onUpgrade)
      else void checkUpgrade(endpoint, options, request, socket, head)
    }
    options.server.on('upgrade', onUpgrade)
    const state: State = { options, wss, onUpgrade, sockets: new Map() }
    return ['ok', state] as const
  },

  handleCall(_request: 'count', _from: unknown, state: State) {
    return ['reply', state.sockets.size, state] as const
  },

  handleInfo(this: ProcessContext, message: Accept | ExitMessage, state: State) {
    if (message.type === '$accept') accept(this, message, state)
    else if (message.type === 'EXIT') {
      // A connection ended. If it was killed or crashed, its socket is still open: close it.
      const ws = state.sockets.get(message.from)
      state.sockets.delete(message.from)
      if (ws !== undefined && ws.readyState === ws.OPEN && !isNormalExit(message.reason)) {
        ws.close(CLOSE.internalError, 'internal error')
      }
    }
    return ['noreply', state] as const
  },

  terminate(_reason: unknown, state: State) {
    state.options.server.off('upgrade', state.onUpgrade)
    for (const ws of state.sockets.values()) ws.close(CLOSE.goingAway, 'server shutting down')
    state.wss.close()
  },
} satisfies GenServer.Behaviour<State, Options, 'count', never, number, Accept | ExitMessage>

// --- Client --------------------------------------------------------------------------------

/**
 * Starts the endpoint, linked to the caller (the supervisor starting it, or `options.parent`),
 * and starts answering WebSocket upgrades on `options.server`.
 * (no Elixir counterpart: Phoenix declares `socket "/socket", UserSocket` in its Endpoint)
 * @example await Socket.startLink({ server, channels: { 'room:*': RoomChannel }, pubsub, authenticate })
 */
export function startLink(options: Options): Promise<GenServer.OnStart> {
  assertOptions(options)
  const { name, parent } = options
  return GenServer.startLink(Endpoint, options, { name, parent })
}

/**
 * A child spec for a supervisor. (no Elixir counterpart: the Endpoint's child spec)
 * @example Supervisor.startLink([PubSub.childSpec(...), Socket.childSpec({ server, ... })], { strategy: 'rest_for_one' })
 */
export function childSpec(options: Omit<Options, 'parent'>): Supervisor.ChildSpec {
  return { id: 'socket', start: () => startLink(options) }
}

/**
 * How many WebSocket connections the endpoint holds. (no Elixir counterpart)
 * @example await Socket.connectionCount(endpoint) // 2
 */
export function connectionCount(endpoint: GenServer.Server): Promise<number> {
  return GenServer.call<number>(endpoint, 'count')
}

/**
 * The channel module for `topic`: the first pattern that matches, in the order given.
 * A pattern ending in `*` matches every topic that starts with what comes before it.
 * (no Elixir counterpart: the `__channel__/1` that Phoenix's `channel` macro generates)
 * @example route({ 'room:*': Room }, 'room:lobby') // Room
 */
export function route(channels: Options['channels'], topic: string): Behaviour<any> | undefined {
  for (const [pattern, module] of Object.entries(channels)) {
    const matches = pattern.endsWith('*')
      ? topic.startsWith(pattern.slice(0, -1))
      : topic === pattern
    if (matches) return module
  }
  return undefined
}

// --- Helpers -------------------------------------------------------------------------------

/** Runs outside any process, on Node's `upgrade` event: checks, then hands over. */
async function checkUpgrade(
  endpoint: Pid,
  options: Options,
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): Promise<void> {
  socket.on('error', () => socket.destroy())
  const url = new URL(request.url ?? '/', 'http://localhost')
  if (url.pathname !== (options.path ?? '/socket/websocket')) return refuse(socket, 404)
  const params = Object.fromEntries(url.searchParams)
  if (params.vsn !== VSN) return refuse(socket, 403)
  let result: AuthResult
  try {
    result = await options.authenticate(params, tokenFromSubprotocols(request))
  } catch {
    return refuse(socket, 500)
  }
  if (!Array.isArray(result) || result[0] !== 'ok') return refuse(socket, 403)
  const accept: Accept = { type: '$accept', request, socket, head, assigns: result[1] ?? {} }
  send(endpoint, accept)
}

/** Completes the upgrade inside the endpoint process and starts the connection process. */
function accept(ctx: ProcessContext, { request, socket, head, assigns }: Accept, state: State) {
  const { options } = state
  state.wss.handleUpgrade(request, socket, head, (ws) => {
    const config = {
      ws,
      endpoint: ctx.self,
      assigns,
      route: (topic: string) => route(options.channels, topic),
      pubsub: options.pubsub,
      idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
      maxChannels: options.maxChannels ?? 100,
      joinTimeoutMs: options.joinTimeoutMs ?? 15_000,
    }
    const pid = ctx.spawnLink<ConnectionMessage>((conn) => runConnection(conn, config))
    state.sockets.set(pid, ws)
    // From here on, the WebSocket's events are messages to its process.
    ws.on('message', (data, isBinary) => {
      send(pid, { type: '$frame', text: isBinary ? null : String(data) })
    })
    ws.on('close', (code) => send(pid, { type: '$closed', code }))
    ws.on('error', () => {}) // a close event follows every error
  })
}

/** The token of an `authToken` client: `base64url.bearer.phx.<base64 of the token>`. */
function tokenFromSubprotocols(request: IncomingMessage): string | undefined {
  const header = request.headers['sec-websocket-protocol']
  if (typeof header !== 'string') return undefined
  const tokens = header
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.startsWith(AUTH_TOKEN_PREFIX))
  if (tokens.length !== 1) return undefined
  // The client encodes with btoa (standard base64, no padding); Node also accepts base64url.
  return Buffer.from(tokens[0]!.slice(AUTH_TOKEN_PREFIX.length), 'base64').toString('utf8')
}

function refuse(socket: Duplex, status: 403 | 404 | 500): void {
  const text = { 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error' }[status]
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
}

function assertOptions(options: Options): void {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`Expected \`options\` to be an object, got \`${String(options)}\``)
  }
  const known = ['server', 'channels', 'authenticate', 'pubsub', 'path', 'idleTimeoutMs']
  known.push('maxChannels', 'maxFrameBytes', 'joinTimeoutMs', 'name', 'parent')
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new TypeError(`Unknown option \`${key}\` in \`options\``)
  }
  if (typeof options.authenticate !== 'function') {
    throw new TypeError('Expected `options.authenticate` to be a function')
  }
  for (const pattern of Object.keys(options.channels ?? {})) {
    if (pattern.indexOf('*') !== -1 && pattern.indexOf('*') !== pattern.length - 1) {
      throw new TypeError(`Channel patterns may only end in *, got \`${pattern}\``)
    }
  }
  for (const key of ['idleTimeoutMs', 'maxChannels', 'maxFrameBytes', 'joinTimeoutMs'] as const) {
    const value = options[key]
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
      throw new TypeError(`Expected \`options.${key}\` to be a positive integer, got \`${value}\``)
    }
  }
}
