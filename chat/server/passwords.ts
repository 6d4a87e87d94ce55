/**
 * Password hashing with scrypt (`node:crypto`), stored as one self-describing string:
 * `scrypt$N$r$p$salt$hash` (salt and hash in base64url).
 *
 * - scrypt is slow and memory-hungry on purpose: each guess of an attacker who stole the
 *   table costs ~50 ms and 16 MiB, instead of nanoseconds for a plain SHA-256.
 * - A random salt per password: equal passwords get different hashes, and no precomputed
 *   table helps.
 * - The parameters travel with the hash, so raising the cost later keeps old hashes valid.
 * - The comparison takes the same time whether the first byte or the last one differs
 *   (`timingSafeEqual`), so response times leak nothing.
 * - The async `crypto.scrypt` runs on libuv's thread pool: hashing never blocks the event loop,
 *   so every other process of the runtime keeps running meanwhile.
 *
 * @example
 * const stored = await hashPassword('correct horse battery staple')
 * await verifyPassword('correct horse battery staple', stored) // true
 */
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto'

/** scrypt's cost parameters: CPU/memory cost `N` (a power of two), block size `r`, parallelism `p`. */
export interface ScryptParams {
  readonly N: number
  readonly r: number
  readonly p: number
}

/** OWASP's recommended minimum: N = 2^14 with r = 8 uses 16 MiB per hash. */
export const DEFAULT_PARAMS: ScryptParams = { N: 2 ** 14, r: 8, p: 1 }

const KEY_LENGTH = 32
const SALT_LENGTH = 16
// Refuse stored parameters beyond these: a forged hash must not make us burn gigabytes.
const MAX_N = 2 ** 20
const MAX_RP = 64

// #region hash
/**
 * Hashes `password` with a fresh random salt; resolves to `scrypt$N$r$p$salt$hash`.
 * Tests may pass cheap `params` (say `{ N: 1024, r: 8, p: 1 }`) to run fast.
 */
export async function hashPassword(
  password: string,
  params: ScryptParams = DEFAULT_PARAMS,
): Promise<string> {
  assertParams(params)
  const salt = randomBytes(SALT_LENGTH)
  const hash = await derive(password, salt, params)
  const { N, r, p } = params
  return ['scrypt', N, r, p, salt.toString('base64url'), hash.toString('base64url')].join('$')
}

/**
 * True if `password` matches `stored` (made by `hashPassword`). A malformed `stored` is
 * simply not a match.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored)
  if (parsed === undefined) return false
  const actual = await derive(password, parsed.salt, parsed.params, parsed.hash.length)
  return timingSafeEqual(actual, parsed.hash)
}
// #endregion hash

function derive(
  password: string,
  salt: Buffer,
  { N, r, p }: ScryptParams,
  length = KEY_LENGTH,
): Promise<Buffer> {
  // Node refuses to use more than `maxmem` (32 MiB by default); scrypt needs 128 * N * r bytes.
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, length, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  )
}

function parse(stored: string): { params: ScryptParams; salt: Buffer; hash: Buffer } | undefined {
  if (typeof stored !== 'string') return undefined
  const parts = stored.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined
  const [N, r, p] = parts.slice(1, 4).map(Number)
  const params = { N, r, p }
  if (!validParams(params)) return undefined
  const salt = Buffer.from(parts[4], 'base64url')
  const hash = Buffer.from(parts[5], 'base64url')
  if (salt.length === 0 || hash.length < 16) return undefined
  return { params, salt, hash }
}

function validParams({ N, r, p }: ScryptParams): boolean {
  const powerOfTwo = Number.isInteger(N) && N > 1 && N <= MAX_N && (N & (N - 1)) === 0
  const small = (x: number) => Number.isInteger(x) && x >= 1 && x <= MAX_RP
  return powerOfTwo && small(r) && small(p)
}

function assertParams(params: ScryptParams): void {
  if (!validParams(params))
    throw new TypeError(
      `Expected \`params\` to be { N: a power of two up to 2^20, r and p: integers 1..${MAX_RP} }, got \`${JSON.stringify(params)}\``,
    )
}
