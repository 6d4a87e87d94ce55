/**
 * The UserManager: one GenServer that knows every registered user, and who is online.
 *
 * A user is online while they have a session: a process that stands for one connection (a
 * browser tab; in exercise 15, a socket's channel). The UserManager monitors every session,
 * so when one ends, however it ends, a `DOWN` message tells it, and the user goes offline
 * with their last session.
 *
 * Replace each `throw new Error('TODO: ...')` with your code. The README has the tasks and hints.
 */
import { type DownMessage, GenServer, type Pid } from 'letitcrash'

export const USER_MANAGER = 'ChatApp.UserManager'

/** What `getUser` tells about a user. */
export interface User {
  readonly username: string
  readonly online: boolean
}

/** `:ok` or `{:error, :user_exists}` */
export type RegisterResult = readonly ['ok'] | readonly ['error', 'user_exists']
/** `:ok` or `{:error, :unknown_user}` */
export type ConnectResult = readonly ['ok'] | readonly ['error', 'unknown_user']

export type Call =
  | readonly [tag: 'register', username: string]
  | readonly [tag: 'get', username: string]
  | readonly [tag: 'connect', username: string, session: Pid]
  | readonly [tag: 'list_online']

export interface State {
  /** Every registered username. */
  readonly users: ReadonlySet<string>
  /** The live sessions, each monitored, and whose they are. */
  readonly sessions: ReadonlyMap<Pid, string>
}

// Client

/** Starts the UserManager, registered as `USER_MANAGER`, linked to the caller (its supervisor). */
export function startLink(): Promise<GenServer.OnStart> {
  return GenServer.startLink(UserManager, undefined, { name: USER_MANAGER })
}

/** Registers `username`; a new user is offline until they connect. */
export function registerUser(username: string): Promise<RegisterResult> {
  return GenServer.call(USER_MANAGER, ['register', username] satisfies Call)
}

/** The user `username`, or `undefined` if nobody registered that name. */
export function getUser(username: string): Promise<User | undefined> {
  return GenServer.call(USER_MANAGER, ['get', username] satisfies Call)
}

/** Puts `username` online for as long as the process `session` lives. */
export function connect(username: string, session: Pid): Promise<ConnectResult> {
  return GenServer.call(USER_MANAGER, ['connect', username, session] satisfies Call)
}

/** The usernames of the users online, in alphabetical order. */
export function listOnline(): Promise<readonly string[]> {
  // TODO (task 3): call the UserManager with ['list_online'].
  throw new Error('TODO: listOnline()')
}

// Server (callbacks)

type Reply = RegisterResult | ConnectResult | User | undefined | readonly string[]

export const UserManager = {
  init: () => ['ok', { users: new Set(), sessions: new Map() }],

  handleCall(request: Call, _from, state) {
    switch (request[0]) {
      case 'register':
        // TODO (task 1): add a new username to `users` and reply ['ok'];
        // reply ['error', 'user_exists'] for a name that is taken.
        throw new Error(`TODO: register ${JSON.stringify(request[1])}`)
      case 'get':
        // TODO (task 1): reply { username, online } for a registered user (isOnline, below,
        // says whether they are online), undefined for anyone else.
        throw new Error(`TODO: get ${JSON.stringify(request[1])}`)
      case 'connect':
        // TODO (task 2): for a registered user, monitor the session, remember whose it is in
        // `sessions`, and reply ['ok']; reply ['error', 'unknown_user'] for anyone else.
        throw new Error(`TODO: connect ${JSON.stringify(request[1])} (session ${request[2]})`)
      case 'list_online':
        // TODO (task 3): reply with the usernames of the users online, sorted.
        throw new Error('TODO: list_online')
    }
  },

  handleInfo(down: DownMessage, state) {
    // TODO (task 2): a monitored session ended: forget it, so it keeps nobody online.
    throw new Error(
      `TODO: handleInfo(DOWN of ${String(down.pid)}), ${state.sessions.size} sessions`,
    )
  },
} satisfies GenServer.Behaviour<State, undefined, Call, never, Reply, DownMessage>

/** True while `username` has at least one live session. */
function isOnline({ sessions }: State, username: string): boolean {
  for (const owner of sessions.values()) if (owner === username) return true
  return false
}
