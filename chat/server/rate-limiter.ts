/**
 * Rate limiting with a token bucket, one bucket per user.
 *
 * A bucket holds up to `capacity` tokens (the burst: 10) and gains `refillPerSecond` tokens a
 * second (the sustained rate: 5 messages a second). Each message takes one token; with none
 * left, the message is refused, and the answer says how long until a token is back. A user
 * may send 10 messages at once, then 5 a second for ever, but never more.
 *
 * The bucket does no work while nobody sends: it stores its token count and when it last
 * counted, and works out the refill from the elapsed time at the next `take`.
 *
 * `TokenBucket` is a plain class that is told the time, so it is tested with numbers alone.
 * `RateLimiter` is a GenServer holding one bucket per user; it reads the node's clock, so
 * tests run it on the virtual clock. A bucket left alone long enough to be full again is the
 * same as a new one, so the limiter forgets it (a sweep every `sweepMs` while it has buckets)
 * and its memory stays proportional to the users sending right now.
 *
 * @example
 * await RateLimiter.startLink({ name: 'rate_limiter' })
 * await RateLimiter.check('rate_limiter', 'alice') // ['ok']
 * // ... 10 more in the same instant:
 * await RateLimiter.check('rate_limiter', 'alice') // ['error', { reason: 'rate_limited', retry_after_ms: 200 }]
 */
import { GenServer, type Name } from 'letitcrash'

/** `:ok` or `{:error, %{reason: "rate_limited", retry_after_ms: ms}}` */
export type CheckResult =
  | readonly [tag: 'ok']
  | readonly [tag: 'error', reason: { readonly reason: 'rate_limited'; retry_after_ms: number }]

export interface BucketOptions {
  /** Most tokens held, i.e. the largest burst (default 10). */
  readonly capacity?: number
  /** Tokens added per second, i.e. the sustained rate (default 5). */
  readonly refillPerSecond?: number
}

/**
 * One token bucket. Time is passed in (ms, from any clock), so it holds no timers.
 * @example
 * const bucket = new TokenBucket({ capacity: 10, refillPerSecond: 5 }, 0)
 * bucket.take(0) // ['ok']: 9 tokens left
 */
export class TokenBucket {
  readonly capacity: number
  readonly refillPerSecond: number
  private level: number
  private updatedAt: number

  /** A full bucket at time `now`. */
  constructor(options: BucketOptions = {}, now = 0) {
    const { capacity = 10, refillPerSecond = 5 } = options
    assertPositive(capacity, 'capacity')
    assertPositive(refillPerSecond, 'refillPerSecond')
    this.capacity = capacity
    this.refillPerSecond = refillPerSecond
    this.level = capacity
    this.updatedAt = now
  }

  /** Tokens available at `now` (a fraction while refilling). */
  tokens(now: number): number {
    this.refill(now)
    return this.level
  }

  /** Takes `cost` tokens if there are enough; otherwise says when there will be. */
  // #region take
  take(now: number, cost = 1): CheckResult {
    this.refill(now)
    if (this.level >= cost) {
      this.level -= cost
      return ['ok']
    }
    const missing = cost - this.level
    // The epsilon absorbs floating-point noise (0.995 tokens must mean 1 ms, not 2).
    const retryAfterMs = Math.ceil((missing * 1000) / this.refillPerSecond - 1e-9)
    return ['error', { reason: 'rate_limited', retry_after_ms: retryAfterMs }]
  }

  /** True once the bucket is full again at `now`: it then behaves like a new one. */
  isFull(now: number): boolean {
    return this.tokens(now) >= this.capacity
  }

  private refill(now: number): void {
    // A clock that went backwards adds nothing (and takes nothing away).
    const elapsed = Math.max(0, now - this.updatedAt)
    this.level = Math.min(this.capacity, this.level + (elapsed * this.refillPerSecond) / 1000)
    this.updatedAt = Math.max(this.updatedAt, now)
  }
  // #endregion take
}

// --- The RateLimiter GenServer -------------------------------------------------------------

export interface RateLimiterOptions extends BucketOptions {
  /** Register under this name. */
  readonly name?: Name
  /** How often to forget full buckets, in ms (default 60,000). */
  readonly sweepMs?: number
}

type Call = { readonly type: 'check'; readonly key: string } | { readonly type: 'count' }

interface State {
  readonly bucket: BucketOptions
  readonly sweepMs: number
  readonly buckets: Map<string, TokenBucket>
  /** Whether a sweep is scheduled: only while there are buckets, so an idle node stays idle. */
  sweeping: boolean
}

/**
 * Starts a limiter linked to the caller (its supervisor).
 * @example children: [{ id: 'rate_limiter', start: () => RateLimiter.startLink({ name: 'rate_limiter' }) }]
 */
export function startLink(options: RateLimiterOptions = {}): Promise<GenServer.OnStart> {
  const { name, ...args } = options
  return GenServer.startLink(RateLimiter, args, name === undefined ? {} : { name })
}

/** Takes one token from `key`'s bucket (a username): `['ok']`, or how long to wait. */
export function check(server: GenServer.Server, key: string): Promise<CheckResult> {
  if (typeof key !== 'string')
    throw new TypeError(`Expected \`key\` to be a string, got \`${String(key)}\``)
  return GenServer.call(server, { type: 'check', key })
}

/** How many buckets the limiter holds (users who sent recently). */
export function bucketCount(server: GenServer.Server): Promise<number> {
  return GenServer.call(server, { type: 'count' })
}

/** The behaviour; use `startLink` rather than starting it directly. */
export const RateLimiter = {
  init: ({ sweepMs = 60_000, ...bucket }: Omit<RateLimiterOptions, 'name'>) => {
    new TokenBucket(bucket) // checks the options now, not at the first message
    assertPositive(sweepMs, 'sweepMs')
    const state: State = { bucket, sweepMs, buckets: new Map(), sweeping: false }
    return ['ok', state] as const
  },

  // #region limiter
  handleCall(call, _from, state) {
    if (call.type === 'count') return ['reply', state.buckets.size, state]
    const now = this.node.clock.now()
    let bucket = state.buckets.get(call.key)
    if (bucket === undefined) {
      bucket = new TokenBucket(state.bucket, now)
      state.buckets.set(call.key, bucket)
      if (!state.sweeping) {
        this.node.sendAfter(this.self, 'sweep', state.sweepMs)
        state.sweeping = true
      }
    }
    return ['reply', bucket.take(now), state]
  },
  // #endregion limiter

  handleInfo(_sweep, state) {
    const now = this.node.clock.now()
    for (const [key, bucket] of state.buckets) if (bucket.isFull(now)) state.buckets.delete(key)
    state.sweeping = state.buckets.size > 0
    if (state.sweeping) this.node.sendAfter(this.self, 'sweep', state.sweepMs)
    return ['noreply', state]
  },
} satisfies GenServer.Behaviour<
  State,
  Omit<RateLimiterOptions, 'name'>,
  Call,
  never,
  unknown,
  'sweep'
>

function assertPositive(value: unknown, name: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw new TypeError(`Expected \`${name}\` to be a positive number, got \`${String(value)}\``)
}
