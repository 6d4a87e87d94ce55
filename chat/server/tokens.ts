/**
 * Signed tokens, like `Phoenix.Token`: the server hands a client a token after login, and the
 * client shows it when it opens a socket. The server needs no session table: the token itself
 * says who the user is, and an HMAC signature proves the server issued it.
 *
 * A token is `payload.signature`, both base64url: the payload is JSON `{ data, signed }`
 * (`signed`: when it was made, in ms since 1970), the signature an HMAC-SHA256 of the payload
 * under a key derived from the server's secret and a `salt`. The salt names the token's
 * purpose, so a token made for one purpose (say, password reset) is no good for another.
 * Tokens are signed, not encrypted: never put secrets in `data`.
 *
 * `verify` answers `['ok', data]`, `['error', 'invalid']` (tampered, wrong secret or salt,
 * garbage) or `['error', 'expired']` (older than `maxAge` seconds, default one day).
 * Time is wall-clock time (`Date.now()`, tokens outlive any process); tests pass `now`.
 *
 * @example
 * const token = sign(secret, 'user socket', 'alice')
 * verify(secret, 'user socket', token) // ['ok', 'alice']
 * verify(secret, 'user socket', token, { now: Date.now() + 2 * 86_400_000 }) // ['error', 'expired']
 */
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** `{:ok, data}` or `{:error, :invalid | :expired}` (`Phoenix.Token.verify/4`). */
export type VerifyResult<T> =
  | readonly [tag: 'ok', data: T]
  | readonly [tag: 'error', reason: 'invalid' | 'expired']

export interface SignOptions {
  /** When the token counts as made, in ms since 1970 (default now). */
  readonly signedAt?: number
}

export interface VerifyOptions {
  /** Seconds a token stays valid (default 86,400: one day), or `'infinity'`. */
  readonly maxAge?: number | 'infinity'
  /** The current time in ms since 1970 (default `Date.now()`); for tests. */
  readonly now?: number
}

/** The salt of the tokens that identify a user to the socket. */
export const USER_SALT = 'user socket'

/** Shortest secret accepted: 32 characters. */
export const MIN_SECRET_LENGTH = 32

/**
 * Makes a token carrying `data` (any JSON value). `Phoenix.Token.sign/4`
 * @example const token = sign(secret, USER_SALT, 'alice')
 */
export function sign(
  secret: string,
  salt: string,
  data: unknown,
  options: SignOptions = {},
): string {
  const { signedAt = Date.now() } = options
  const payload = Buffer.from(JSON.stringify({ data, signed: signedAt })).toString('base64url')
  return `${payload}.${signature(secret, salt, payload).toString('base64url')}`
}

/**
 * Checks a token made by `sign` with the same secret and salt, and returns its data.
 * `Phoenix.Token.verify/4`
 * @example
 * const [tag, user] = verify(secret, USER_SALT, token)
 * if (tag === 'ok') console.log(`hello ${user}`)
 */
// #region verify
export function verify<T = unknown>(
  secret: string,
  salt: string,
  token: string,
  options: VerifyOptions = {},
): VerifyResult<T> {
  const { maxAge = 86_400, now = Date.now() } = options
  if (typeof token !== 'string') return ['error', 'invalid']
  const [payload, mac, ...rest] = token.split('.')
  if (payload === undefined || mac === undefined || rest.length > 0) return ['error', 'invalid']
  const expected = signature(secret, salt, payload)
  const given = Buffer.from(mac, 'base64url')
  // Compare in constant time, so timing does not reveal how much of a forgery was right.
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return ['error', 'invalid']
  let decoded: { data: T; signed: number }
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
  } catch {
    return ['error', 'invalid']
  }
  if (typeof decoded?.signed !== 'number') return ['error', 'invalid']
  if (maxAge !== 'infinity' && decoded.signed + maxAge * 1000 < now) return ['error', 'expired']
  return ['ok', decoded.data]
}
// #endregion verify

/** A token that names `username`, for the socket. */
export function signUserToken(secret: string, username: string, options?: SignOptions): string {
  return sign(secret, USER_SALT, username, options)
}

/** The username inside a token made by `signUserToken`. */
export function verifyUserToken(
  secret: string,
  token: string,
  options?: VerifyOptions,
): VerifyResult<string> {
  const result = verify(secret, USER_SALT, token, options)
  if (result[0] === 'ok' && typeof result[1] !== 'string') return ['error', 'invalid']
  return result as VerifyResult<string>
}

/**
 * The server's signing secret: `env.CHAT_SECRET` if set; else the one kept in
 * `<dataDir>/secret`, generated (and written with mode 0600) on first use, so tokens stay
 * valid across restarts; else, with no data directory or `'memory'`, a random one for this run.
 */
export function loadSecret(
  options: { env?: { CHAT_SECRET?: string }; dataDir?: string | 'memory' } = {},
): string {
  const { env = process.env, dataDir } = options
  const fromEnv = env.CHAT_SECRET
  if (fromEnv !== undefined && fromEnv !== '') {
    if (fromEnv.length < MIN_SECRET_LENGTH)
      throw new Error(`CHAT_SECRET must be at least ${MIN_SECRET_LENGTH} characters long`)
    return fromEnv
  }
  const fresh = randomBytes(32).toString('base64url')
  if (dataDir === undefined || dataDir === 'memory') return fresh
  const path = join(dataDir, 'secret')
  mkdirSync(dataDir, { recursive: true })
  try {
    // `wx`: create only if missing; a server starting at the same moment keeps its own.
    writeFileSync(path, `${fresh}\n`, { mode: 0o600, flag: 'wx' })
    return fresh
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
  const kept = readFileSync(path, 'utf8').trim()
  if (kept.length < MIN_SECRET_LENGTH)
    throw new Error(`${path} holds no usable secret; delete it to make a new one`)
  return kept
}

/** HMAC-SHA256 of `payload` under a key for this salt, derived from the secret (HKDF). */
function signature(secret: string, salt: string, payload: string): Buffer {
  const key = Buffer.from(hkdfSync('sha256', secret, salt, 'letitcrash token', 32))
  return createHmac('sha256', key).update(payload).digest()
}
