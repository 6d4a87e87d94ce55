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
 *
 * Replace each `throw new Error('TODO: ...')` with your code. The README has the tasks and hints.
 */
import { GenServer } from 'letitcrash'
import type * as RateLimiter from './rate-limiter.ts'
import type { VerifyResult } from './token.ts'

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

/**
 * Posts `body` as the token's user: authenticate, then rate-limit, then accept. In the chat
 * app, "accept" hands the message to the room (exercise 14).
 */
export async function postMessage(token: string, body: string): Promise<PostResult> {
  // TODO (task 4): authenticate the token (an error ends here), then RateLimiter.check the
  // user (an error ends here), then ['ok', { user, body }].
  throw new Error(`TODO: postMessage(${JSON.stringify(token)}, ${JSON.stringify(body)})`)
}

// Server (callbacks)

export const Auth = {
  init: (options: AuthOptions) => ['ok', options],

  handleCall(request, _from, state) {
    // TODO (task 4): ['login', username, password]: ['ok', token] signed at the node's clock
    // time, or ['error', 'invalid_credentials']. ['authenticate', token]: what verify says,
    // with maxAge MAX_AGE and `now` from the node's clock.
    throw new Error(`TODO: Auth.handleCall(${request[0]}) with ${state.users.size} users`)
  },
} satisfies GenServer.Behaviour<State, AuthOptions, Call, never, LoginResult | VerifyResult<string>>
