/**
 * UserManager: the GenServer that registers users and logs them in (the article's
 * `ChatApp.UserManager`, grown up: users are stored by the Repo, passwords hashed with scrypt,
 * and a successful login returns a signed token for the socket).
 *
 * `register` and `login` answer with tagged results the HTTP endpoint maps to status codes:
 * `['ok', { token, username }]` (201 / 200), `['error', 'taken']` (409),
 * `['error', { invalid: 'what was wrong' }]` (422), `['error', 'unauthorized']` (401).
 *
 * Hashing costs ~50 ms. A GenServer that awaited it inside `handleCall` would serve one login
 * at a time, 20 a second. So `handleCall` starts the work and returns `'noreply'`; the work
 * runs on libuv's thread pool (`crypto.scrypt` is async) and answers with `GenServer.reply`.
 * The server stays free for the next request (Elixir would hand the work to a Task).
 *
 * A login for an unknown name still checks the password against a dummy hash, so it takes as
 * long as a wrong password: response times do not tell which names exist.
 *
 * @example
 * await UserManager.startLink({ repo, secret, name: 'user_manager' })
 * await UserManager.register('user_manager', 'alice', 'correct horse') // ['ok', { token, username: 'alice' }]
 * await UserManager.login('user_manager', 'alice', 'wrong')            // ['error', 'unauthorized']
 */
import { GenServer, type Name } from 'letitcrash'
import { z } from 'zod'
import { DEFAULT_PARAMS, hashPassword, type ScryptParams, verifyPassword } from './passwords.ts'
import type { Repo } from './repo.ts'
import { signUserToken } from './tokens.ts'

/** What a successful registration or login returns. */
export interface Credentials {
  /** For the socket: `params.token`; valid for one day. */
  readonly token: string
  /** The name as registered (login is case-insensitive). */
  readonly username: string
}

/** `{:ok, credentials}`, `{:error, :taken}` or `{:error, {:invalid, message}}` */
export type RegisterResult =
  | readonly [tag: 'ok', credentials: Credentials]
  | readonly [tag: 'error', reason: 'taken' | { readonly invalid: string }]

/** `{:ok, credentials}` or `{:error, :unauthorized}` */
export type LoginResult =
  | readonly [tag: 'ok', credentials: Credentials]
  | readonly [tag: 'error', reason: 'unauthorized']

export interface UserManagerOptions {
  /** Where users are stored. */
  readonly repo: Pick<Repo, 'createUser' | 'findUser'>
  /** Signs the tokens (see `loadSecret`). */
  readonly secret: string
  /** Register under this name. */
  readonly name?: Name
  /** scrypt cost; tests pass cheap ones. Default `DEFAULT_PARAMS`. */
  readonly hashParams?: ScryptParams
}

/** Usernames: 3 to 20 letters, digits or underscores. Passwords: 8 to 200 characters. */
export const Registration = z.object({
  username: z
    .string({ error: 'username must be a string' })
    .regex(/^[a-zA-Z0-9_]{3,20}$/, 'username must be 3 to 20 letters, digits or underscores'),
  password: z
    .string({ error: 'password must be a string' })
    .min(8, 'password must be at least 8 characters')
    .max(200, 'password must be at most 200 characters'),
})

type Call =
  | { readonly type: 'register'; readonly username: unknown; readonly password: unknown }
  | { readonly type: 'login'; readonly username: unknown; readonly password: unknown }

/** What the server replies: a result, or the error its work failed with (thrown by the client). */
type Reply = RegisterResult | LoginResult | readonly [tag: 'failed', error: unknown]

interface State {
  readonly repo: UserManagerOptions['repo']
  readonly secret: string
  readonly hashParams: ScryptParams
  /** Checked when the name is unknown, so that takes as long as a wrong password. */
  readonly dummyHash: string
}

// --- Client --------------------------------------------------------------------------------

/**
 * Starts the UserManager linked to the caller (its supervisor).
 * @example children: [{ id: 'users', start: () => UserManager.startLink({ repo, secret }) }]
 */
export function startLink(options: UserManagerOptions): Promise<GenServer.OnStart> {
  const { name, ...args } = options
  return GenServer.startLink(UserManager, args, name === undefined ? {} : { name })
}

/**
 * Registers a user and logs them in. Rejects only if the server is down or the database
 * fails (with the database's error).
 */
export function register(
  server: GenServer.Server,
  username: unknown,
  password: unknown,
): Promise<RegisterResult> {
  return request(server, { type: 'register', username, password })
}

/** Checks a username (any case) and password; a token on success. */
export function login(
  server: GenServer.Server,
  username: unknown,
  password: unknown,
): Promise<LoginResult> {
  return request(server, { type: 'login', username, password })
}

async function request<R>(server: GenServer.Server, call: Call): Promise<R> {
  // Hashing takes a while, and more so when many arrive at once: allow 15 s.
  const reply = await GenServer.call<Reply>(server, call, 15_000)
  if (reply[0] === 'failed') throw reply[1]
  return reply as R
}

// --- Server (callbacks) --------------------------------------------------------------------

/** The behaviour; use `startLink` rather than starting it directly. */
// #region user-manager
export const UserManager = {
  async init({ repo, secret, hashParams = DEFAULT_PARAMS }: Omit<UserManagerOptions, 'name'>) {
    const dummyHash = await hashPassword('not anybody’s password', hashParams)
    return ['ok', { repo, secret, hashParams, dummyHash }]
  },

  handleCall(call, from, state) {
    const work = call.type === 'register' ? registerUser(call, state) : loginUser(call, state)
    // Answer when the work is done; meanwhile this server takes the next request.
    work.then(
      (result) => GenServer.reply(from, result),
      (error: unknown) => GenServer.reply(from, ['failed', error]),
    )
    return ['noreply', state]
  },
} satisfies GenServer.Behaviour<State, Omit<UserManagerOptions, 'name'>, Call, never, Reply>
// #endregion user-manager

async function registerUser(call: Call, state: State): Promise<RegisterResult> {
  const parsed = Registration.safeParse({ username: call.username, password: call.password })
  if (!parsed.success) {
    return ['error', { invalid: parsed.error.issues.map((issue) => issue.message).join('; ') }]
  }
  const { username, password } = parsed.data
  const hash = await hashPassword(password, state.hashParams)
  const created = await state.repo.createUser(username, hash)
  if (created[0] === 'error') return created
  return ['ok', credentials(state, created[1].username)]
}

async function loginUser(call: Call, state: State): Promise<LoginResult> {
  const { username, password } = call
  // Anything that could never have been registered cannot log in; no need to hash it.
  if (!Registration.safeParse({ username, password }).success) return ['error', 'unauthorized']
  const user = await state.repo.findUser(username as string)
  const matches = await verifyPassword(password as string, user?.passwordHash ?? state.dummyHash)
  if (user === undefined || !matches) return ['error', 'unauthorized']
  return ['ok', credentials(state, user.username)]
}

function credentials(state: State, username: string): Credentials {
  return { token: signUserToken(state.secret, username), username }
}
