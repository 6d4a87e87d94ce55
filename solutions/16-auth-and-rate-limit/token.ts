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
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

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

// #region token
/**
 * Makes a token carrying `data` (any JSON value), signed at `signedAt` (ms).
 * `Phoenix.Token.sign/4`
 * @example const token = sign(secret, 'alice', clock.now())
 */
export function sign(secret: string, data: unknown, signedAt: number): string {
  const payload = Buffer.from(JSON.stringify({ data, signed: signedAt })).toString('base64url')
  return `${payload}.${signature(secret, payload).toString('base64url')}`
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
  const [payload, mac, ...rest] = typeof token === 'string' ? token.split('.') : []
  if (payload === undefined || mac === undefined || rest.length > 0) return ['error', 'invalid']
  // The signature first: nothing in a payload means anything until it is proven ours.
  const expected = signature(secret, payload)
  const given = Buffer.from(mac, 'base64url')
  // In constant time, so the time taken does not tell a forger how much of a guess was right.
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return ['error', 'invalid']
  const { data, signed } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
  if (signed + maxAge * 1000 < now) return ['error', 'expired']
  return ['ok', data]
}
// #endregion token

/** HMAC-SHA256 of the payload's text, keyed with the secret. */
function signature(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest()
}
