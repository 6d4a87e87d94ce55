import { createHmac } from 'node:crypto'
import {
  createNode,
  type GenServer,
  type Node,
  setDefaultNode,
  type VirtualClock,
} from 'letitcrash'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AUTH, authenticate, login, MAX_AGE, postMessage, startLink as startAuth } from './auth.ts'
import {
  type Bucket,
  CAPACITY,
  check,
  fullBucket,
  startLink as startRateLimiter,
  take,
} from './rate-limiter.ts'
import { sign, verify } from './token.ts'

const SECRET = 'a long random secret that only the server knows'
const OTHER_SECRET = 'the secret of some other server, just as long'

// Every test gets a fresh node on a virtual clock: time only moves when the test says so.
let node: Node
let clock: VirtualClock

beforeEach(() => {
  node = createNode({ clock: 'virtual' })
  clock = node.clock as VirtualClock
  setDefaultNode(node)
})
afterEach(() => node.shutdown())

describe('task 1: signed tokens', () => {
  it('signs data into payload.signature, and verify gives the data back', () => {
    const data = { user: 'alice', rooms: ['lobby'] }
    const token = sign(SECRET, data, 1000)
    expect(token, 'a token is two base64url parts joined by a dot').toMatch(/^[\w-]+\.[\w-]+$/)
    expect(verify(SECRET, token, { maxAge: 60, now: 2000 })).toEqual(['ok', data])
  })

  it('follows the format exactly: another implementation reads it, and it reads theirs', () => {
    const token = sign(SECRET, 'alice', 1234)
    const [payload, mac] = token.split('.')
    expect(
      JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')),
      'the payload is the base64url of the JSON { data, signed }',
    ).toEqual({ data: 'alice', signed: 1234 })
    expect(
      mac,
      "the signature is the base64url of createHmac('sha256', secret).update(payload).digest()",
    ).toBe(hmac(SECRET, payload))
    expect(
      verify(SECRET, referenceToken(SECRET, 'bob', 5000), { maxAge: 60, now: 5000 }),
      'verify should accept a token made to the same format by someone else',
    ).toEqual(['ok', 'bob'])
  })

  it('refuses a token whose payload was changed', () => {
    const [, mac] = sign(SECRET, 'alice', 1000).split('.')
    const asAdmin = `${encode({ data: 'admin', signed: 1000 })}.${mac}`
    const younger = `${encode({ data: 'alice', signed: 999_999 })}.${mac}`
    expect(
      verify(SECRET, asAdmin, { maxAge: 60, now: 1000 }),
      'anyone can rewrite the payload: only the signature tells whether the server wrote it',
    ).toEqual(['error', 'invalid'])
    expect(
      verify(SECRET, younger, { maxAge: 60, now: 1000 }),
      'the signature covers the time too, or an old token could be made young again',
    ).toEqual(['error', 'invalid'])
  })

  it('refuses a token signed with another secret', () => {
    const token = referenceToken(OTHER_SECRET, 'alice', 1000)
    expect(verify(SECRET, token, { maxAge: 60, now: 1000 })).toEqual(['error', 'invalid'])
  })

  it.each([
    ['an empty string', ''],
    ['one part', 'abc'],
    ['three parts', 'a.b.c'],
    ['a lone dot', '.'],
    ['made-up parts', 'eyJkYXRhIjoiYWxpY2UifQ.c2lnbmF0dXJl'],
    ['not a string', 42 as unknown as string],
  ])('answers invalid, without throwing, for %s', (_what, token) => {
    expect(
      () => verify(SECRET, token, { maxAge: 60, now: 0 }),
      'a client can send anything as a token: verify answers, it never throws',
    ).not.toThrow()
    expect(verify(SECRET, token, { maxAge: 60, now: 0 })).toEqual(['error', 'invalid'])
  })

  it('expires a token more than maxAge seconds after it was signed', () => {
    const token = sign(SECRET, 'alice', 10_000)
    expect(
      verify(SECRET, token, { maxAge: 60, now: 70_000 }),
      'at exactly maxAge it is still valid. maxAge is in seconds, and the clock in milliseconds',
    ).toEqual(['ok', 'alice'])
    expect(verify(SECRET, token, { maxAge: 60, now: 70_001 })).toEqual(['error', 'expired'])
  })

  it('checks the signature before the age', () => {
    const old = referenceToken(OTHER_SECRET, 'alice', 0)
    expect(
      verify(SECRET, old, { maxAge: 60, now: 1_000_000 }),
      'a forged token is invalid, however old it claims to be: read nothing from a payload before its signature checks out',
    ).toEqual(['error', 'invalid'])
  })
})

describe('task 2: a token bucket', () => {
  it(`allows a burst of ${CAPACITY}, then refuses with retry_after_ms`, () => {
    let bucket = fullBucket(0)
    for (let i = 1; i <= CAPACITY; i++) {
      const [result, next] = take(bucket, 0)
      expect(result, `message ${i} of a burst of ${CAPACITY} should be allowed`).toEqual(['ok'])
      bucket = next
    }
    expect(
      take(bucket, 0)[0],
      'with no token left, refuse, and say when one will be back: 1 token at 5 a second is 200 ms',
    ).toEqual(['error', { reason: 'rate_limited', retry_after_ms: 200 }])
  })

  it('refills 5 tokens a second, in proportion to the time that passed', () => {
    const empty = drain(fullBucket(0), 0)
    const [afterWait, bucket] = take(empty, 200)
    expect(afterWait, '200 ms at 5 tokens a second bring one token').toEqual(['ok'])
    expect(take(bucket, 200)[0]).toEqual(['error', { reason: 'rate_limited', retry_after_ms: 200 }])
    expect(
      take(bucket, 300)[0],
      '100 ms later there is half a token: the other half takes 100 ms more. Keep fractions of tokens',
    ).toEqual(['error', { reason: 'rate_limited', retry_after_ms: 100 }])
  })

  it(`never holds more than ${CAPACITY} tokens`, () => {
    let bucket = drain(fullBucket(0), 0)
    let allowed = 0
    for (let i = 0; i < 3 * CAPACITY; i++) {
      const [result, next] = take(bucket, 60_000)
      if (result[0] === 'ok') allowed++
      bucket = next
    }
    expect(
      allowed,
      `a minute idle refills the bucket, but only up to ${CAPACITY}: the burst stays ${CAPACITY}`,
    ).toBe(CAPACITY)
  })

  it('changes no bucket: take returns a new one', () => {
    const bucket = Object.freeze(fullBucket(0))
    expect(() => take(bucket, 0), 'take must not change the bucket it is given').not.toThrow()
    expect(bucket).toEqual(fullBucket(0))
  })
})

describe('task 3: the RateLimiter', () => {
  beforeEach(async () => {
    ok(await startRateLimiter(), 'RateLimiter startLink()')
  })

  it(`allows each user a burst of ${CAPACITY}, then refuses with retry_after_ms`, async () => {
    for (let i = 1; i <= CAPACITY; i++)
      expect(await check('alice'), `alice's message ${i} should be allowed`).toEqual(['ok'])
    expect(await check('alice')).toEqual(['error', { reason: 'rate_limited', retry_after_ms: 200 }])
    expect(await check('bob'), 'every user has a bucket of their own').toEqual(['ok'])
  })

  it("refills as the node's clock moves", async () => {
    for (let i = 0; i < CAPACITY; i++) await check('alice')
    await clock.advance(200)
    expect(
      await check('alice'),
      "200 ms later alice has a token again: read the time from the node's clock (this.node.clock.now()), which the tests move, not Date.now()",
    ).toEqual(['ok'])
    await clock.advance(100)
    expect(await check('alice')).toEqual(['error', { reason: 'rate_limited', retry_after_ms: 100 }])
    await clock.advance(60_000)
    let allowed = 0
    for (let i = 0; i < 2 * CAPACITY; i++) if ((await check('alice'))[0] === 'ok') allowed++
    expect(allowed, `after a minute, a full bucket: ${CAPACITY}, no more`).toBe(CAPACITY)
  })

  it('sets no timer: the refill is worked out from the time that passed', async () => {
    for (let i = 0; i <= CAPACITY; i++) await check('alice')
    expect(
      clock.pendingTimers,
      'a bucket needs no timer to refill: take() computes it from bucket.updatedAt and now',
    ).toBe(0)
  })
})

describe('task 4: the login flow', () => {
  beforeEach(async () => {
    ok(await startRateLimiter(), 'RateLimiter startLink()')
    const users = new Map([
      ['alice', 'wonderland'],
      ['bob', 'builder'],
    ])
    ok(await startAuth({ secret: SECRET, users }), `${AUTH} startLink()`)
  })

  it("gives a token, signed at the node's clock time, for the right password", async () => {
    await clock.advance(5000)
    const [tag, token] = await login('alice', 'wonderland')
    expect(tag, "login('alice', 'wonderland') should answer ['ok', token]").toBe('ok')
    expect(
      referenceVerify(SECRET, token),
      "the token carries the username, signed with the server's secret at this.node.clock.now()",
    ).toEqual({ data: 'alice', signed: 5000 })
  })

  it('answers a wrong password and an unknown user alike', async () => {
    expect(await login('alice', 'builder')).toEqual(['error', 'invalid_credentials'])
    expect(
      await login('mallory', 'wonderland'),
      "one answer for both: 'unknown user' would tell a guesser which names exist",
    ).toEqual(['error', 'invalid_credentials'])
  })

  it('authenticates a token until it is MAX_AGE seconds old, by the node clock', async () => {
    const token = loggedIn(await login('alice', 'wonderland'))
    expect(await authenticate(token)).toEqual(['ok', 'alice'])
    await clock.advance(MAX_AGE * 1000)
    expect(await authenticate(token), 'a day old to the millisecond: still valid').toEqual([
      'ok',
      'alice',
    ])
    await clock.advance(1)
    expect(
      await authenticate(token),
      'a day and a millisecond old: expired. verify with maxAge MAX_AGE and now this.node.clock.now()',
    ).toEqual(['error', 'expired'])
  })

  it("turns away forged tokens and another server's", async () => {
    const token = loggedIn(await login('bob', 'builder'))
    const [, mac] = token.split('.')
    const forged = `${encode({ data: 'alice', signed: clock.now() })}.${mac}`
    expect(await authenticate(forged)).toEqual(['error', 'invalid'])
    expect(await authenticate(referenceToken(OTHER_SECRET, 'alice', 0))).toEqual([
      'error',
      'invalid',
    ])
    expect(await authenticate('not a token')).toEqual(['error', 'invalid'])
  })

  it('posts as the token’s user, and rate-limits them', async () => {
    const token = loggedIn(await login('alice', 'wonderland'))
    for (let i = 1; i <= CAPACITY; i++) {
      expect(await postMessage(token, `hello ${i}`), `post ${i} of ${CAPACITY}`).toEqual([
        'ok',
        { user: 'alice', body: `hello ${i}` },
      ])
    }
    expect(
      await postMessage(token, 'one too many'),
      "the 11th post in the same instant: pass on the RateLimiter's answer",
    ).toEqual(['error', { reason: 'rate_limited', retry_after_ms: 200 }])
  })

  it("checks the token before the rate limit: forged tokens cannot use up alice's bucket", async () => {
    const forged = referenceToken(OTHER_SECRET, 'alice', 0)
    for (let i = 0; i < 2 * CAPACITY; i++)
      expect(await postMessage(forged, 'spam')).toEqual(['error', 'invalid'])
    const token = loggedIn(await login('alice', 'wonderland'))
    expect(
      await postMessage(token, 'hi'),
      "alice's bucket was emptied by requests that were not hers: authenticate first, then check the rate limit for the user the token names",
    ).toEqual(['ok', { user: 'alice', body: 'hi' }])
  })

  it('turns away an expired token', async () => {
    const token = loggedIn(await login('alice', 'wonderland'))
    await clock.advance(MAX_AGE * 1000 + 1)
    expect(await postMessage(token, 'too late')).toEqual(['error', 'expired'])
  })
})

// --- Helpers ------------------------------------------------------------------------------------

/** The base64url of the JSON of `value`. */
function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

function hmac(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url')
}

/** A token made to the documented format, by the test rather than by your `sign`. */
function referenceToken(secret: string, data: unknown, signed: number): string {
  const payload = encode({ data, signed })
  return `${payload}.${hmac(secret, payload)}`
}

/** The `{ data, signed }` of a token, if its signature is right. */
function referenceVerify(secret: string, token: string): unknown {
  const [payload, mac] = token.split('.')
  if (mac !== hmac(secret, payload)) return 'a token whose signature does not match its payload'
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
}

/** Takes every token of `bucket` at `now`. */
function drain(bucket: Bucket, now: number): Bucket {
  let current = bucket
  for (let i = 0; i < CAPACITY; i++) current = take(current, now)[1]
  return current
}

/** The token of an `['ok', token]` login; fails the test otherwise. */
function loggedIn(result: readonly [string, string]): string {
  if (result[0] !== 'ok') expect.fail(`login should answer ['ok', token], got ${String(result)}`)
  return result[1]
}

/** Unwraps an `['ok', pid]` start result; fails the test with the result otherwise. */
function ok(result: GenServer.OnStart, what: string): void {
  if (result[0] !== 'ok') expect.fail(`${what} should give ['ok', pid], got ${String(result)}`)
}
