import { createHmac } from 'node:crypto'
import {
  createNode,
  type GenServer,
  type Node,
  setDefaultNode,
  type VirtualClock,
} from 'letitcrash'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { t } from '../messages.ts'
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
    expect(
      token,
      t(
        'a token is two base64url parts joined by a dot',
        '토큰은 base64url 두 부분을 점으로 이은 것입니다',
      ),
    ).toMatch(/^[\w-]+\.[\w-]+$/)
    expect(verify(SECRET, token, { maxAge: 60, now: 2000 })).toEqual(['ok', data])
  })

  it('follows the format exactly: another implementation reads it, and it reads theirs', () => {
    const token = sign(SECRET, 'alice', 1234)
    const [payload, mac] = token.split('.')
    expect(
      JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')),
      t(
        'the payload is the base64url of the JSON { data, signed }',
        '페이로드는 JSON { data, signed }의 base64url입니다',
      ),
    ).toEqual({ data: 'alice', signed: 1234 })
    expect(
      mac,
      t(
        "the signature is the base64url of createHmac('sha256', secret).update(payload).digest()",
        "서명은 createHmac('sha256', secret).update(payload).digest()의 base64url입니다",
      ),
    ).toBe(hmac(SECRET, payload))
    expect(
      verify(SECRET, referenceToken(SECRET, 'bob', 5000), { maxAge: 60, now: 5000 }),
      t(
        'verify should accept a token made to the same format by someone else',
        'verify는 다른 누군가가 같은 형식으로 만든 토큰도 받아들여야 합니다',
      ),
    ).toEqual(['ok', 'bob'])
  })

  it('refuses a token whose payload was changed', () => {
    const [, mac] = sign(SECRET, 'alice', 1000).split('.')
    const asAdmin = `${encode({ data: 'admin', signed: 1000 })}.${mac}`
    const younger = `${encode({ data: 'alice', signed: 999_999 })}.${mac}`
    expect(
      verify(SECRET, asAdmin, { maxAge: 60, now: 1000 }),
      t(
        'anyone can rewrite the payload: only the signature tells whether the server wrote it',
        '페이로드는 누구나 고쳐 쓸 수 있습니다: 서버가 쓴 것인지는 서명만이 알려 줍니다',
      ),
    ).toEqual(['error', 'invalid'])
    expect(
      verify(SECRET, younger, { maxAge: 60, now: 1000 }),
      t(
        'the signature covers the time too, or an old token could be made young again',
        '서명은 시각까지 덮어야 합니다. 그러지 않으면 오래된 토큰을 다시 새것으로 만들 수 있습니다',
      ),
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
      t(
        'a client can send anything as a token: verify answers, it never throws',
        '클라이언트는 무엇이든 토큰이라고 보낼 수 있습니다: verify는 답할 뿐, 절대 예외를 던지지 않습니다',
      ),
    ).not.toThrow()
    expect(verify(SECRET, token, { maxAge: 60, now: 0 })).toEqual(['error', 'invalid'])
  })

  it('expires a token more than maxAge seconds after it was signed', () => {
    const token = sign(SECRET, 'alice', 10_000)
    expect(
      verify(SECRET, token, { maxAge: 60, now: 70_000 }),
      t(
        'at exactly maxAge it is still valid. maxAge is in seconds, and the clock in milliseconds',
        '정확히 maxAge일 때는 아직 유효합니다. maxAge는 초 단위이고 시계는 밀리초 단위입니다',
      ),
    ).toEqual(['ok', 'alice'])
    expect(verify(SECRET, token, { maxAge: 60, now: 70_001 })).toEqual(['error', 'expired'])
  })

  it('checks the signature before the age', () => {
    const old = referenceToken(OTHER_SECRET, 'alice', 0)
    expect(
      verify(SECRET, old, { maxAge: 60, now: 1_000_000 }),
      t(
        'a forged token is invalid, however old it claims to be: read nothing from a payload before its signature checks out',
        '위조된 토큰은 스스로 얼마나 오래되었다고 주장하든 무효입니다: 서명이 확인되기 전에는 페이로드에서 아무것도 읽지 마세요',
      ),
    ).toEqual(['error', 'invalid'])
  })
})

describe('task 2: a token bucket', () => {
  it(`allows a burst of ${CAPACITY}, then refuses with retry_after_ms`, () => {
    let bucket = fullBucket(0)
    for (let i = 1; i <= CAPACITY; i++) {
      const [result, next] = take(bucket, 0)
      expect(
        result,
        t(
          `message ${i} of a burst of ${CAPACITY} should be allowed`,
          `한 번에 몰려온 ${CAPACITY}개 중 ${i}번째 메시지는 허용되어야 합니다`,
        ),
      ).toEqual(['ok'])
      bucket = next
    }
    expect(
      take(bucket, 0)[0],
      t(
        'with no token left, refuse, and say when one will be back: 1 token at 5 a second is 200 ms',
        '남은 토큰이 없으면 거절하고, 언제 토큰이 다시 생기는지 알려 주세요: 초당 5개일 때 토큰 1개는 200ms입니다',
      ),
    ).toEqual(['error', { reason: 'rate_limited', retry_after_ms: 200 }])
  })

  it('refills 5 tokens a second, in proportion to the time that passed', () => {
    const empty = drain(fullBucket(0), 0)
    const [afterWait, bucket] = take(empty, 200)
    expect(
      afterWait,
      t(
        '200 ms at 5 tokens a second bring one token',
        '초당 토큰 5개라면 200ms에 토큰이 1개 생깁니다',
      ),
    ).toEqual(['ok'])
    expect(take(bucket, 200)[0]).toEqual(['error', { reason: 'rate_limited', retry_after_ms: 200 }])
    expect(
      take(bucket, 300)[0],
      t(
        '100 ms later there is half a token: the other half takes 100 ms more. Keep fractions of tokens',
        '100ms 뒤에는 토큰이 반 개 있습니다: 나머지 반 개에는 100ms가 더 걸립니다. 토큰의 소수점 아래도 보관하세요',
      ),
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
      t(
        `a minute idle refills the bucket, but only up to ${CAPACITY}: the burst stays ${CAPACITY}`,
        `1분 동안 쉬면 버킷이 다시 차지만 ${CAPACITY}개까지만입니다: 한 번에 몰려올 수 있는 양은 ${CAPACITY}개 그대로입니다`,
      ),
    ).toBe(CAPACITY)
  })

  it('changes no bucket: take returns a new one', () => {
    const bucket = Object.freeze(fullBucket(0))
    expect(
      () => take(bucket, 0),
      t('take must not change the bucket it is given', 'take는 받은 버킷을 바꾸면 안 됩니다'),
    ).not.toThrow()
    expect(bucket).toEqual(fullBucket(0))
  })
})

describe('task 3: the RateLimiter', () => {
  beforeEach(async () => {
    ok(await startRateLimiter(), 'RateLimiter startLink()')
  })

  it(`allows each user a burst of ${CAPACITY}, then refuses with retry_after_ms`, async () => {
    for (let i = 1; i <= CAPACITY; i++)
      expect(
        await check('alice'),
        t(`alice's message ${i} should be allowed`, `alice의 ${i}번째 메시지는 허용되어야 합니다`),
      ).toEqual(['ok'])
    expect(await check('alice')).toEqual(['error', { reason: 'rate_limited', retry_after_ms: 200 }])
    expect(
      await check('bob'),
      t('every user has a bucket of their own', '사용자마다 자기 버킷이 있습니다'),
    ).toEqual(['ok'])
  })

  it("refills as the node's clock moves", async () => {
    for (let i = 0; i < CAPACITY; i++) await check('alice')
    await clock.advance(200)
    expect(
      await check('alice'),
      t(
        "200 ms later alice has a token again: read the time from the node's clock (this.node.clock.now()), which the tests move, not Date.now()",
        '200ms 뒤에는 alice에게 다시 토큰이 있습니다: 시각은 Date.now()가 아니라 테스트가 움직이는 노드의 시계(this.node.clock.now())에서 읽으세요',
      ),
    ).toEqual(['ok'])
    await clock.advance(100)
    expect(await check('alice')).toEqual(['error', { reason: 'rate_limited', retry_after_ms: 100 }])
    await clock.advance(60_000)
    let allowed = 0
    for (let i = 0; i < 2 * CAPACITY; i++) if ((await check('alice'))[0] === 'ok') allowed++
    expect(
      allowed,
      t(
        `after a minute, a full bucket: ${CAPACITY}, no more`,
        `1분 뒤에는 버킷이 가득 찹니다: ${CAPACITY}개, 그 이상은 아닙니다`,
      ),
    ).toBe(CAPACITY)
  })

  it('sets no timer: the refill is worked out from the time that passed', async () => {
    for (let i = 0; i <= CAPACITY; i++) await check('alice')
    expect(
      clock.pendingTimers,
      t(
        'a bucket needs no timer to refill: take() computes it from bucket.updatedAt and now',
        '버킷을 다시 채우는 데 타이머는 필요 없습니다: take()가 bucket.updatedAt과 now로 계산합니다',
      ),
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
    expect(
      tag,
      t(
        "login('alice', 'wonderland') should answer ['ok', token]",
        "login('alice', 'wonderland')는 ['ok', token]으로 답해야 합니다",
      ),
    ).toBe('ok')
    expect(
      referenceVerify(SECRET, token),
      t(
        "the token carries the username, signed with the server's secret at this.node.clock.now()",
        '토큰에는 사용자 이름이 들어 있고, this.node.clock.now() 시각에 서버의 비밀 키로 서명되어 있습니다',
      ),
    ).toEqual({ data: 'alice', signed: 5000 })
  })

  it('answers a wrong password and an unknown user alike', async () => {
    expect(await login('alice', 'builder')).toEqual(['error', 'invalid_credentials'])
    expect(
      await login('mallory', 'wonderland'),
      t(
        "one answer for both: 'unknown user' would tell a guesser which names exist",
        "두 경우 모두 같은 답을 하세요: 'unknown user'라고 답하면 추측하는 사람에게 어떤 이름이 있는지 알려 주게 됩니다",
      ),
    ).toEqual(['error', 'invalid_credentials'])
  })

  it('authenticates a token until it is MAX_AGE seconds old, by the node clock', async () => {
    const token = loggedIn(await login('alice', 'wonderland'))
    expect(await authenticate(token)).toEqual(['ok', 'alice'])
    await clock.advance(MAX_AGE * 1000)
    expect(
      await authenticate(token),
      t(
        'a day old to the millisecond: still valid',
        '밀리초까지 정확히 하루 지난 토큰: 아직 유효합니다',
      ),
    ).toEqual(['ok', 'alice'])
    await clock.advance(1)
    expect(
      await authenticate(token),
      t(
        'a day and a millisecond old: expired. verify with maxAge MAX_AGE and now this.node.clock.now()',
        '하루하고 1밀리초 지난 토큰: 만료되었습니다. maxAge는 MAX_AGE, now는 this.node.clock.now()로 verify하세요',
      ),
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
      expect(
        await postMessage(token, `hello ${i}`),
        t(`post ${i} of ${CAPACITY}`, `${CAPACITY}개 중 ${i}번째 post`),
      ).toEqual(['ok', { user: 'alice', body: `hello ${i}` }])
    }
    expect(
      await postMessage(token, 'one too many'),
      t(
        "the 11th post in the same instant: pass on the RateLimiter's answer",
        '같은 순간의 11번째 post: RateLimiter의 답을 그대로 전달하세요',
      ),
    ).toEqual(['error', { reason: 'rate_limited', retry_after_ms: 200 }])
  })

  it("checks the token before the rate limit: forged tokens cannot use up alice's bucket", async () => {
    const forged = referenceToken(OTHER_SECRET, 'alice', 0)
    for (let i = 0; i < 2 * CAPACITY; i++)
      expect(await postMessage(forged, 'spam')).toEqual(['error', 'invalid'])
    const token = loggedIn(await login('alice', 'wonderland'))
    expect(
      await postMessage(token, 'hi'),
      t(
        "alice's bucket was emptied by requests that were not hers: authenticate first, then check the rate limit for the user the token names",
        'alice의 것이 아닌 요청들이 alice의 버킷을 비웠습니다: 먼저 인증하고, 그다음 토큰에 적힌 사용자에 대해 요청 속도 제한을 확인하세요',
      ),
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
  if (result[0] !== 'ok')
    expect.fail(
      t(
        `login should answer ['ok', token], got ${String(result)}`,
        `login은 ['ok', token]으로 답해야 하는데 받은 값은 ${String(result)}입니다`,
      ),
    )
  return result[1]
}

/** Unwraps an `['ok', pid]` start result; fails the test with the result otherwise. */
function ok(result: GenServer.OnStart, what: string): void {
  if (result[0] !== 'ok')
    expect.fail(
      t(
        `${what} should give ['ok', pid], got ${String(result)}`,
        `${what}: ['ok', pid]를 기대했는데 받은 값은 ${String(result)}입니다`,
      ),
    )
}
