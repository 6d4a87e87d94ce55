import { describe, expect, it } from 'vitest'
import { ok, useVirtualNode } from '../../runtime/test/helpers.ts'
import * as RateLimiter from '../server/rate-limiter.ts'
import { TokenBucket } from '../server/rate-limiter.ts'

const limited = (ms: number) => ['error', { reason: 'rate_limited', retry_after_ms: ms }]

describe('TokenBucket', () => {
  it('allows a burst of `capacity`, then refuses with the wait until the next token', () => {
    const bucket = new TokenBucket({ capacity: 10, refillPerSecond: 5 }, 0)
    for (let i = 0; i < 10; i++) expect(bucket.take(0)).toEqual(['ok'])
    expect(bucket.take(0)).toEqual(limited(200))
    expect(bucket.take(150)).toEqual(limited(50))
  })

  it('refills `refillPerSecond` tokens a second, never beyond capacity', () => {
    const bucket = new TokenBucket({ capacity: 10, refillPerSecond: 5 }, 0)
    for (let i = 0; i < 10; i++) bucket.take(0)
    expect(bucket.take(200)).toEqual(['ok'])
    expect(bucket.take(200)).toEqual(limited(200))
    expect(bucket.tokens(1200)).toBeCloseTo(5)
    expect(bucket.tokens(60_000)).toBe(10)
    expect(bucket.isFull(60_000)).toBe(true)
  })

  it('sustains exactly the refill rate: 5 a second over a minute after the burst', () => {
    const bucket = new TokenBucket({}, 0)
    let accepted = 0
    for (let t = 0; t < 60_000; t += 10) if (bucket.take(t)[0] === 'ok') accepted++
    // Never more than the burst plus what refilled in 60 s, and only the last fraction less.
    expect(accepted).toBeLessThanOrEqual(10 + 5 * 60)
    expect(accepted).toBeGreaterThanOrEqual(10 + 5 * 60 - 1)
  })

  it('takes a cost larger than one, and adds nothing when the clock goes backwards', () => {
    const bucket = new TokenBucket({ capacity: 4, refillPerSecond: 2 }, 1000)
    expect(bucket.take(1000, 3)).toEqual(['ok'])
    expect(bucket.take(500)).toEqual(['ok'])
    expect(bucket.take(500)).toEqual(limited(500))
  })

  it('rejects a capacity or rate that is not a positive number', () => {
    expect(() => new TokenBucket({ capacity: 0 })).toThrow(
      'Expected `capacity` to be a positive number, got `0`',
    )
    expect(() => new TokenBucket({ refillPerSecond: Number.NaN })).toThrow(/`refillPerSecond`/)
  })
})

describe('RateLimiter', () => {
  const t = useVirtualNode()

  it('keeps one bucket per user on the node clock', async () => {
    const limiter = ok(await RateLimiter.startLink())
    for (let i = 0; i < 10; i++) expect(await RateLimiter.check(limiter, 'ann')).toEqual(['ok'])
    expect(await RateLimiter.check(limiter, 'ann')).toEqual(limited(200))
    // Another user is not affected.
    expect(await RateLimiter.check(limiter, 'bob')).toEqual(['ok'])
    await t.clock.advance(199)
    expect(await RateLimiter.check(limiter, 'ann')).toEqual(limited(1))
    await t.clock.advance(1)
    expect(await RateLimiter.check(limiter, 'ann')).toEqual(['ok'])
  })

  it('forgets buckets that are full again, and then schedules nothing more', async () => {
    const limiter = ok(await RateLimiter.startLink({ sweepMs: 10_000 }))
    await RateLimiter.check(limiter, 'ann')
    for (let i = 0; i < 10; i++) await RateLimiter.check(limiter, 'bob')
    expect(await RateLimiter.bucketCount(limiter)).toBe(2)
    // At 1.5 s ann is full again, bob (10 tokens short, 2 s to refill) is not.
    await t.clock.advance(1_500)
    await RateLimiter.check(limiter, 'cy')
    await t.clock.advance(8_500) // the sweep at 10 s: all three are full again
    expect(await RateLimiter.bucketCount(limiter)).toBe(0)
    expect(t.clock.pendingTimers).toBe(0)
    // A forgotten user starts again with a full bucket.
    for (let i = 0; i < 10; i++) expect(await RateLimiter.check(limiter, 'bob')).toEqual(['ok'])
  })

  it('keeps a bucket that is still refilling at the sweep', async () => {
    const limiter = ok(await RateLimiter.startLink({ sweepMs: 1_000 }))
    for (let i = 0; i < 10; i++) await RateLimiter.check(limiter, 'ann')
    await t.clock.advance(1_000)
    expect(await RateLimiter.bucketCount(limiter)).toBe(1)
    expect(await RateLimiter.check(limiter, 'ann')).toEqual(['ok']) // 5 tokens back, not 10
    await t.clock.runUntilIdle() // the sweeps stop once the bucket is full: the node goes idle
    expect(await RateLimiter.bucketCount(limiter)).toBe(0)
  })

  it('fails to start with bad options, and check rejects a key that is not a string', async () => {
    const [tag, reason] = await RateLimiter.startLink({ refillPerSecond: -1 })
    expect(tag).toBe('error')
    expect(String(reason)).toMatch(/`refillPerSecond` to be a positive number/)
    const limiter = ok(await RateLimiter.startLink())
    expect(() => RateLimiter.check(limiter, 7 as unknown as string)).toThrow(/`key`/)
  })
})
