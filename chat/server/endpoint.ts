/**
 * Endpoint: the chat server's door to the network (Phoenix's `Endpoint`), a GenServer that
 * owns the HTTP server and, linked to it, the WebSocket endpoint (`socket.ts`).
 *
 * | route                               | what it does                                       |
 * |-------------------------------------|----------------------------------------------------|
 * | `POST /api/users` `{username, password}` | registers: 201 `{token, username}`; 409 taken; 422 invalid |
 * | `POST /api/sessions` (the same body) | logs in: 200 `{token, username}`; 401 wrong       |
 * | `/socket/websocket`                 | the Phoenix Channels socket; needs a valid token   |
 * | `GET /...`                          | the browser client, from `chat/web/`               |
 * | `GET /ops`                          | the live supervision tree page, `web/ops.html` (`CHAT_OPS` only) |
 * | `GET /ops/snapshot`                 | the Observer snapshot as JSON, plus `rooms` (pid → name) (`CHAT_OPS` only) |
 * | `POST /ops/rooms/:name/crash`       | kills that room's process (`CHAT_OPS` only)        |
 *
 * Bodies are JSON objects of at most 16 KB (415, 413 and 400 otherwise, see `http.ts`).
 *
 * `init` starts listening and resolves only once the port is bound, so when the application's
 * supervisor has started the endpoint, the server is reachable (with `port: 0`, ask `url`
 * which port the system chose). The server traps exits: `terminate` then runs on shutdown and
 * closes the WebSocket connections and the HTTP server before the processes behind them stop.
 *
 * What it teaches: the edge of the system is a process like any other, supervised and
 * restarted; and a request handler is code *outside* any process that reaches the processes
 * only through their client functions (`UserManager.register`, `GenServer.call`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import {
  type ExitMessage,
  exit,
  GenServer,
  type Node,
  Observer,
  type Pid,
  Process,
  Registry,
} from 'letitcrash'
import { HttpError, PLACEHOLDER_PAGE, readJson, sendError, sendJson, serveStatic } from './http.ts'
import { Names } from './names.ts'
import * as Room from './room.ts'
import { ROOM_NAME, RoomChannel } from './room-channel.ts'
import * as RoomSupervisor from './room-supervisor.ts'
import * as Socket from './socket.ts'
import { verifyUserToken } from './tokens.ts'
import * as UserManager from './users.ts'

/** The browser client's files. */
export const WEB_DIR = fileURLToPath(new URL('../web/', import.meta.url))

export interface EndpointOptions {
  /** 0: any free port (ask `url` which). */
  readonly port: number
  readonly host: string
  /** Verifies the socket's tokens (the secret the UserManager signs them with). */
  readonly secret: string
  /** Serve `/ops`. */
  readonly ops: boolean
  /** Static files; default `chat/web/`. */
  readonly webDir?: string
  /** Limits of the WebSocket endpoint (see `socket.ts`). */
  readonly socket?: Pick<Socket.Options, 'idleTimeoutMs' | 'maxChannels' | 'maxFrameBytes'>
  readonly name?: string
}

interface State {
  readonly server: Server
  readonly socket: Pid
  readonly url: string
}

// --- Client --------------------------------------------------------------------------------

/** Starts the endpoint linked to the caller; resolves once it is listening. */
export function startLink(options: EndpointOptions): Promise<GenServer.OnStart> {
  const { name, ...args } = options
  return GenServer.startLink(Endpoint, args, name === undefined ? {} : { name })
}

/** The URL the server listens on, such as `http://127.0.0.1:4000`. */
export function url(endpoint: GenServer.Server): Promise<string> {
  return GenServer.call<string>(endpoint, 'url')
}

// --- Server (callbacks) --------------------------------------------------------------------

export const Endpoint = {
  async init(options: Omit<EndpointOptions, 'name'>): Promise<GenServer.InitResult<State>> {
    this.trapExit(true)
    const { node } = this
    const server = createServer((request, response) => {
      void handle(request, response, options, node)
    })
    const socket = await Socket.startLink({
      server,
      pubsub: Names.pubsub,
      channels: { 'room:*': RoomChannel },
      // #region authenticate
      authenticate: (params, token) => {
        const [tag, user] = verifyUserToken(options.secret, token ?? params.token ?? '')
        return tag === 'ok' ? ['ok', { user }] : ['error', user]
      },
      // #endregion authenticate
      parent: this,
      ...options.socket,
    })
    if (socket[0] !== 'ok') return ['stop', socket[0] === 'error' ? socket[1] : 'ignore']
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(options.port, options.host, resolve)
      })
    } catch (error) {
      return ['stop', error as Error] // EADDRINUSE, say: the start fails with it
    }
    // On the BEAM a port dies with the process that owns it. Here a killed process runs no
    // more code (not even `terminate`), so a watcher closes the server when we are gone, and
    // our restarted self can listen on the same port again.
    const owner = this.self
    node.spawn(async (watcher) => {
      watcher.monitor(owner)
      await watcher.receive()
      server.closeAllConnections()
      if (server.listening) server.close()
    })
    const { port } = server.address() as AddressInfo
    const host = options.host.includes(':') ? `[${options.host}]` : options.host
    const state: State = { server, socket: socket[1], url: `http://${host}:${port}` }
    return ['ok', state]
  },

  handleCall(_request, _from, state) {
    return ['reply', state.url, state] as const
  },

  handleInfo(message, state) {
    // The WebSocket endpoint died: stop too, and our supervisor starts both afresh.
    if (message?.type === 'EXIT' && message.from === state.socket) {
      return ['stop', message.reason, state] as const
    }
    return ['noreply', state] as const
  },

  async terminate(_reason, state) {
    // First the WebSockets (each client hears "server shutting down"), then HTTP.
    if (Process.isAlive(state.socket)) {
      await GenServer.stop(state.socket, 'shutdown').catch(() => {})
    }
    state.server.closeAllConnections()
    if (state.server.listening) await new Promise((resolve) => state.server.close(resolve))
  },
} satisfies GenServer.Behaviour<
  State,
  Omit<EndpointOptions, 'name'>,
  'url',
  never,
  string,
  ExitMessage
>

// --- Requests ------------------------------------------------------------------------------

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  options: Omit<EndpointOptions, 'name'>,
  node: Node,
): Promise<void> {
  try {
    const { pathname } = new URL(request.url ?? '/', 'http://localhost')
    if (pathname.startsWith('/api/')) return await api(request, response, pathname)
    if (pathname === '/ops' || pathname.startsWith('/ops/') || pathname === '/ops.html') {
      // The page itself is `ops.html`, served at `/ops` only, and only with CHAT_OPS.
      if (
        options.ops &&
        pathname === '/ops' &&
        (request.method === 'GET' || request.method === 'HEAD')
      ) {
        if (await serveStatic(options.webDir ?? WEB_DIR, '/ops.html', request, response)) return
      } else if (options.ops) return await ops(request, response, pathname, node)
    } else if (pathname.startsWith('/socket/')) {
      return sendError(response, 400, 'expected a WebSocket upgrade')
    } else if (request.method === 'GET' || request.method === 'HEAD') {
      if (await serveStatic(options.webDir ?? WEB_DIR, pathname, request, response)) return
      if (pathname === '/' || pathname === '/index.html')
        return sendHtml(response, PLACEHOLDER_PAGE)
    }
    sendError(response, 404, 'not found')
  } catch (error) {
    if (error instanceof HttpError) return sendError(response, error.status, error.message)
    console.error('[chat] request failed:', error)
    if (response.headersSent) response.destroy()
    else sendError(response, 500, 'internal error')
  }
}

async function api(request: IncomingMessage, response: ServerResponse, pathname: string) {
  const action = { '/api/users': 'register', '/api/sessions': 'login' }[pathname]
  if (action === undefined) return sendError(response, 404, 'not found')
  if (request.method !== 'POST') return methodNotAllowed(response, 'POST')
  const { username, password } = await readJson(request)
  if (action === 'register') {
    const result = await UserManager.register(Names.userManager, username, password)
    if (result[0] === 'ok') return sendJson(response, 201, result[1])
    if (result[1] === 'taken') return sendError(response, 409, 'this username is taken')
    return sendError(response, 422, result[1].invalid)
  }
  const result = await UserManager.login(Names.userManager, username, password)
  if (result[0] === 'ok') return sendJson(response, 200, result[1])
  sendError(response, 401, 'wrong username or password')
}

async function ops(
  request: IncomingMessage,
  response: ServerResponse,
  pathname: string,
  node: Node,
) {
  if (pathname === '/ops/snapshot') {
    if (request.method !== 'GET') return methodNotAllowed(response, 'GET')
    // Rooms are named through the RoomRegistry, which the observer does not know: add
    // `rooms` (pid → room name) so the ops page can label them and crash them by name.
    const pids = await RoomSupervisor.rooms().catch(() => [])
    const rooms = Object.fromEntries(
      pids.map((pid) => [String(pid), Registry.keys(Names.roomRegistry, pid)[0] ?? null]),
    )
    return sendJson(response, 200, { ...Observer.snapshot(node), rooms })
  }
  const crash = /^\/ops\/rooms\/([^/]+)\/crash$/.exec(pathname)
  if (crash === null) return sendError(response, 404, 'not found')
  if (request.method !== 'POST') return methodNotAllowed(response, 'POST')
  const room = decodeURIComponent(crash[1]!)
  const pid = ROOM_NAME.test(room) ? Room.whereis(room) : undefined
  if (pid === undefined) return sendError(response, 404, `room ${room} is not running`)
  // `kill` cannot be trapped or ignored: the room dies at once, as in a real crash, and its
  // supervisor restarts it (transient: a `killed` exit is abnormal).
  exit(pid, 'kill')
  sendJson(response, 200, { room, killed: String(pid) })
}

function methodNotAllowed(response: ServerResponse, allow: string): void {
  sendJson(response, 405, { error: `use ${allow}` }, { allow })
}

function sendHtml(response: ServerResponse, html: string): void {
  response.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-cache',
  })
  response.end(html)
}
