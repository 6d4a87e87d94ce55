/**
 * Signed tokens, like `Phoenix.Token`: after login the server gives the client a token, and the
 * client shows it with every request (or when it opens its socket). The server keeps no table
 * of sessions: the token says who the user is, and its signature proves the server made it.
 *
 * A token is `payload.signature`, both base64url:
 *
 * - `payload`: the JSON `{ "data": ..., "signed": <ms> }`, the data and when it was signed;
 * - `signature`: the HMAC-SHA256 of the payload's base64url text, keyed with the secret.
 *
 * Only someone who knows the secret can make a signature that matches a payload, so a client
 * can read its token but not change it. Signed is not encrypted: never put a secret in `data`.
 *
 * Time is passed in (`signedAt`, `now`): these are plain functions, and the caller reads its
 * clock. The Auth server (auth.ts) reads its node's.
 *
 * Why `node:crypto` and not Web Crypto: `crypto.subtle.sign` runs in browsers too, but answers
 * with a promise that settles outside the runtime's virtual clock. `createHmac` answers at
 * once, so the login flow stays a plain, deterministic GenServer, and it is what the chat app's
 * `chat/server/tokens.ts` uses.
 *
 * Replace each `throw new Error('TODO: ...')` with your code. The README has the tasks and hints.
 */
import { createHmac } from 'node:crypto'

/** `{:ok, data}` or `{:error, :invalid | :expired}` (`Phoenix.Token.verify/4`). */
export type VerifyResult<T> =
  | readonly [tag: 'ok', data: T]
  | readonly [tag: 'error', reason: 'invalid' | 'expired']

export interface VerifyOptions {
  /** How long a token stays valid, in seconds (as Phoenix's `max_age`). */
  readonly maxAge: number
  /** The time now, in milliseconds (a clock's `now()`). */
  readonly now: number
}

/**
 * Makes a token carrying `data` (any JSON value), signed at `signedAt` (ms).
 * `Phoenix.Token.sign/4`
 * @example const token = sign(secret, 'alice', clock.now())
 */
export function sign(secret: string, data: unknown, signedAt: number): string {
  // TODO (task 1): the payload is the base64url of the JSON { data, signed: signedAt }; the
  // token is `${payload}.${the base64url of signature(secret, payload)}`.
  throw new Error(
    `TODO: sign(secret, ${JSON.stringify(data)}, ${signedAt}) with ${secret.length} characters of secret`,
  )
}

/**
 * The data of a token made by `sign` with the same secret, if it is at most `maxAge` seconds
 * old. Never throws: a client can send anything. `Phoenix.Token.verify/4`
 * @example verify(secret, token, { maxAge: 86_400, now: clock.now() }) // ['ok', 'alice']
 */
export function verify<T = unknown>(
  secret: string,
  token: string,
  { maxAge, now }: VerifyOptions,
): VerifyResult<T> {
  // TODO (task 1): split the token in two at '.', check the signature (in constant time), then
  // read { data, signed } from the payload: ['ok', data], or ['error', 'invalid'].
  // TODO (task 1): ['error', 'expired'] when the token is more than maxAge seconds old at `now`.
  throw new Error(
    `TODO: verify(secret, ${JSON.stringify(token)}, { maxAge: ${maxAge}, now: ${now} }) with ${secret.length} characters of secret`,
  )
}

/** HMAC-SHA256 of the payload's text, keyed with the secret. */
function signature(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest()
}
