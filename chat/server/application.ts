/**
 * ChatApp.Application: the whole chat server as one supervision tree (the article's
 * `ChatApp.Application`, section 4.4, with the pieces section 5 adds).
 *
 * ```
 * ChatApp.Supervisor (one_for_one)
 * ├─ ChatApp.Repo            the database: opened and migrated in init, closed in terminate
 * ├─ ChatApp.MessageWriter   stores messages in batches
 * ├─ ChatApp.RoomRegistry    room name → room process (unique keys)
 * ├─ ChatApp.RoomSupervisor  DynamicSupervisor
 * │  └─ Room 'lobby', Room 'random', ...   transient, started on first join
 * ├─ ChatApp.UserManager     register / log in
 * ├─ ChatApp.RateLimiter     a token bucket per user
 * ├─ ChatApp.PubSub          topic → subscribed channel processes
 * ├─ ChatApp.Presence        who is in which room
 * ├─ ChatApp.Bridge          PostgreSQL only: LISTEN/NOTIFY to the other servers (pg-bridge.ts)
 * └─ ChatApp.Endpoint        HTTP + the WebSocket endpoint → connections → channels
 * ```
 *
 * The order is the order of dependence: each child needs only those above it, so each can
 * assume they run when it starts. Stopping goes the other way round: the endpoint first (no new
 * requests, clients told "server shutting down"), the Repo last (it closes the database and
 * releases the data directory's lock).
 *
 * `one_for_one`: a crashed child is restarted alone. The children reach each other by name,
 * never by pid (see `names.ts`), so a restarted child is found by everybody at once; even the
 * database handle is looked up by name at each query (`RepoServer.proxy`).
 *
 * @example
 * const [tag] = await ChatApp.start({ port: 0, dataDir: 'memory' })
 * console.log(await ChatApp.url())   // http://127.0.0.1:54321
 * await ChatApp.stop()               // children stop in reverse order
 *
 * What it teaches: an application is a tree you can draw. `Observer.snapshot()` draws it.
 */
import { Application, type GenServer, Registry, Supervisor } from 'letitcrash'
import type { Config } from './config.ts'
import * as Endpoint from './endpoint.ts'
import * as MessageWriter from './message-writer.ts'
import { Names } from './names.ts'
import type { ScryptParams } from './passwords.ts'
import * as PgBridge from './pg-bridge.ts'
import * as Presence from './presence.ts'
import * as PubSub from './pubsub.ts'
import type { BucketOptions } from './rate-limiter.ts'
import * as RateLimiter from './rate-limiter.ts'
import type { Repo } from './repo.ts'
import * as RepoServer from './repo-server.ts'
import * as RoomSupervisor from './room-supervisor.ts'
import { loadSecret } from './tokens.ts'
import * as UserManager from './users.ts'

/** The application's configuration: `config.ts`'s, plus knobs for tests. */
export interface ChatEnv extends Config {
  /** scrypt cost (tests pass a cheap one). */
  readonly hashParams?: ScryptParams
  /** The per-user bucket (default 10 messages at once, 5 a second). */
  readonly rateLimit?: BucketOptions
  /** The RoomSupervisor's restart intensity. */
  readonly rooms?: RoomSupervisor.RoomSupervisorOptions
  /** WebSocket limits. */
  readonly socket?: Endpoint.EndpointOptions['socket']
  /** Serve the browser client from here (default `chat/web/`). */
  readonly webDir?: string
  /** An open, migrated Repo to use instead of opening `dataDir` (tests share one). */
  readonly repo?: Repo
}

/** Configuration used when none is given: `loadConfig`'s defaults. */
export const DEFAULT_ENV: ChatEnv = {
  port: 4000,
  host: '127.0.0.1',
  dataDir: '.data/chat',
  databaseUrl: undefined,
  secret: undefined,
  ops: true,
}

/** The application behaviour (Elixir's `use Application`). */
export const ChatApp = {
  name: 'chat',
  env: { ...DEFAULT_ENV },
  start(env) {
    const config = env as unknown as ChatEnv
    // Made (or read) once, here: the UserManager signs tokens with it, the Endpoint checks them.
    const secret = loadSecret({ env: { CHAT_SECRET: config.secret }, dataDir: config.dataDir })
    return Supervisor.startLink(children(config, secret), {
      strategy: 'one_for_one',
      name: Names.supervisor,
    })
  },
} satisfies Application.Behaviour

/** The children of `ChatApp.Supervisor`, in start order. */
// #region children
export function children(config: ChatEnv, secret: string): Supervisor.ChildSpec[] {
  const repo = RepoServer.proxy(Names.repo)
  const { dataDir, databaseUrl } = config
  const bridge = databaseUrl === undefined ? undefined : PgBridge.adapter(Names.bridge)
  return [
    {
      id: 'Repo',
      start: () =>
        RepoServer.startLink({ name: Names.repo, dataDir, databaseUrl, repo: config.repo }),
    },
    { id: 'MessageWriter', start: () => MessageWriter.startLink({ repo, name: Names.writer }) },
    { ...Registry.childSpec({ keys: 'unique', name: Names.roomRegistry }), id: 'RoomRegistry' },
    RoomSupervisor.childSpec(config.rooms),
    {
      id: 'UserManager',
      start: () =>
        UserManager.startLink({
          repo,
          secret,
          name: Names.userManager,
          hashParams: config.hashParams,
        }),
    },
    {
      id: 'RateLimiter',
      start: () => RateLimiter.startLink({ ...config.rateLimit, name: Names.rateLimiter }),
    },
    // On PostgreSQL, broadcasts also go to the other servers on the same database.
    { ...PubSub.childSpec({ name: Names.pubsub, adapter: bridge }), id: 'PubSub' },
    { ...Presence.childSpec({ name: Names.presence, pubsub: Names.pubsub }), id: 'Presence' },
    ...(databaseUrl === undefined
      ? []
      : [
          PgBridge.childSpec({
            databaseUrl,
            name: Names.bridge,
            pubsub: Names.pubsub,
            presence: Names.presence,
            heartbeatMs: config.bridgeHeartbeatMs,
          }),
        ]),
    {
      id: 'Endpoint',
      start: () =>
        Endpoint.startLink({
          name: Names.endpoint,
          port: config.port,
          host: config.host,
          secret,
          ops: config.ops,
          webDir: config.webDir,
          socket: config.socket,
        }),
    },
  ]
}
// #endregion children

// --- Client --------------------------------------------------------------------------------

/**
 * Starts the chat application with `config` over the defaults. `Application.start/2`
 * @returns `['ok', pid]` of the root supervisor, or `['error', reason]` (a port in use, a data
 * directory another server holds, ...)
 */
export function start(config: Partial<ChatEnv> = {}): Promise<GenServer.OnStart> {
  // An undefined value means "the default", not "unset the default".
  const env = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined))
  return Application.start(ChatApp, { env })
}

/** Stops it: children stop in reverse start order; the Repo closes last. `Application.stop/1` */
export function stop(): Promise<unknown> {
  return Application.stop(ChatApp.name)
}

/** The URL the running application serves, such as `http://127.0.0.1:4000`. */
export function url(): Promise<string> {
  return Endpoint.url(Names.endpoint)
}
