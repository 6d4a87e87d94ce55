/**
 * The login flow: the Auth server checks passwords and hands out tokens, and checks tokens
 * later; `postMessage` shows the order every request goes through, like a Plug pipeline:
 *
 *   token → authenticate (who is it?) → rate limit (not too often?) → the action
 *
 * The token is checked first. A request whose token is forged or expired is turned away
 * before it costs anything, and above all before it can use up someone else's bucket.
 *
 * The server reads the time from its node's clock, to sign tokens and to tell their age: in
 * tests, the virtual clock decides when a token expires.
 */
import { GenServer } from 'letitcrash'
import * as RateLimiter from './rate-limiter.ts'
import { sign, type VerifyResult, verify } from './token.ts'

export const AUTH = 'ChatApp.Auth'

/** How long a token stays valid, in seconds: one day. */
export const MAX_AGE = 86_400

export interface AuthOptions {
  /** The key tokens are signed with: long, random, and never sent to anyone. */
  readonly secret: string
  /** Username → password. (A real server keeps password hashes: `chat/server/passwords.ts`.) */
  readonly users: ReadonlyMap<string, string>
}

/** `{:ok, token}` or `{:error, :invalid_credentials}` */
export type LoginResult =
  | readonly [tag: 'ok', token: string]
  | readonly [tag: 'error', reason: 'invalid_credentials']

/** What `postMessage` answers: the message as accepted, or why not. */
export type PostResult =
  | readonly [tag: 'ok', message: { readonly user: string; readonly body: string }]
  | readonly [tag: 'error', reason: 'invalid' | 'expired']
  | Extract<RateLimiter.CheckResult, readonly ['error', unknown]>

export type Call =
  | readonly [tag: 'login', username: string, password: string]
  | readonly [tag: 'authenticate', token: string]

export type State = AuthOptions

// Client

/** Starts the Auth server, registered as `AUTH`, linked to the caller. */
export function startLink(options: AuthOptions): Promise<GenServer.OnStart> {
  return GenServer.startLink(Auth, options, { name: AUTH })
}

/** A token for `username`, if the password is theirs. */
export function login(username: string, password: string): Promise<LoginResult> {
  return GenServer.call(AUTH, ['login', username, password] satisfies Call)
}

/** The user a token was made for: `['ok', username]`, or why it is no good. */
export function authenticate(token: string): Promise<VerifyResult<string>> {
  return GenServer.call(AUTH, ['authenticate', token] satisfies Call)
}

// #region pipeline
/**
 * Posts `body` as the token's user: authenticate, then rate-limit, then accept. In the chat
 * app, "accept" hands the message to the room (exercise 14).
 */
export async function postMessage(token: string, body: string): Promise<PostResult> {
  const identity = await authenticate(token)
  if (identity[0] === 'error') return identity
  const user = identity[1]
  const allowed = await RateLimiter.check(user)
  if (allowed[0] === 'error') return allowed
  return ['ok', { user, body }]
}
// #endregion pipeline

// Server (callbacks)

export const Auth = {
  init: (options: AuthOptions) => ['ok', options],

  handleCall(request, _from, state) {
    const now = this.node.clock.now()
    if (request[0] === 'authenticate') {
      return ['reply', verify<string>(state.secret, request[1], { maxAge: MAX_AGE, now }), state]
    }
    const [, username, password] = request
    const known = state.users.get(username)
    // One answer for an unknown user and a wrong password: no hint for who guesses names.
    if (known === undefined || known !== password) {
      return ['reply', ['error', 'invalid_credentials'], state]
    }
    return ['reply', ['ok', sign(state.secret, username, now)], state]
  },
} satisfies GenServer.Behaviour<State, AuthOptions, Call, never, LoginResult | VerifyResult<string>>
