/**
 * Exercise 12's UserManager, complete, with a `childSpec`: nothing to do in this file.
 *
 * The UserManager: one GenServer that knows every registered user, and who is online.
 *
 * A user is online while they have a session: a process that stands for one connection (a
 * browser tab; in exercise 15, a socket's channel). The UserManager monitors every session,
 * so when one ends, however it ends, a `DOWN` message tells it, and the user goes offline
 * with their last session. Nobody has to remember to log out, and a crashed connection cannot
 * leave a user online forever.
 */
import { type DownMessage, GenServer, type Pid, type Supervisor } from 'letitcrash'

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

// #region client
// Client

/** Starts the UserManager, registered as `USER_MANAGER`, linked to the caller (its supervisor). */
export function startLink(): Promise<GenServer.OnStart> {
  return GenServer.startLink(UserManager, undefined, { name: USER_MANAGER })
}

/**
 * How a supervisor starts the UserManager: Elixir's `child_spec/1`, which `use GenServer`
 * writes for you. A module with a `childSpec` can be listed as a child as it is.
 * @example Supervisor.startLink([UserManager], { strategy: 'one_for_one' }) // import * as UserManager
 */
export function childSpec(): Supervisor.ChildSpec {
  return { id: USER_MANAGER, start: startLink }
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
  return GenServer.call(USER_MANAGER, ['list_online'] satisfies Call)
}
// #endregion client

// #region server
// Server (callbacks)

type Reply = RegisterResult | ConnectResult | User | undefined | readonly string[]

export const UserManager = {
  init: () => ['ok', { users: new Set(), sessions: new Map() }],

  // Every update builds a new state: a reply never shares a collection the server changes later.
  handleCall(request: Call, _from, state) {
    const { users, sessions } = state
    switch (request[0]) {
      case 'register': {
        const [, username] = request
        if (users.has(username)) return ['reply', ['error', 'user_exists'], state]
        return ['reply', ['ok'], { ...state, users: new Set(users).add(username) }]
      }
      case 'get': {
        const [, username] = request
        const user = users.has(username)
          ? { username, online: isOnline(state, username) }
          : undefined
        return ['reply', user, state]
      }
      case 'connect': {
        const [, username, session] = request
        if (!users.has(username)) return ['reply', ['error', 'unknown_user'], state]
        // A monitor, not a link: a session's end is news to the UserManager, not a reason to die.
        if (!sessions.has(session)) this.monitor(session)
        return ['reply', ['ok'], { ...state, sessions: new Map(sessions).set(session, username) }]
      }
      case 'list_online': {
        const online = [...new Set(sessions.values())].sort()
        return ['reply', online, state]
      }
    }
  },

  // A session ended, normally or not: it no longer keeps its user online.
  handleInfo(down: DownMessage, state) {
    const sessions = new Map(state.sessions)
    sessions.delete(down.pid as Pid) // monitored by pid, so the DOWN names a pid
    return ['noreply', { ...state, sessions }]
  },
} satisfies GenServer.Behaviour<State, undefined, Call, never, Reply, DownMessage>

/** True while `username` has at least one live session. */
function isOnline({ sessions }: State, username: string): boolean {
  for (const owner of sessions.values()) if (owner === username) return true
  return false
}
// #endregion server
