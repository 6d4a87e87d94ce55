/**
 * Rate limiting with a token bucket, one bucket per user.
 *
 * A bucket holds up to `CAPACITY` tokens (the burst: 10) and gains `REFILL_PER_SECOND` tokens a
 * second (the steady rate: 5). Each message takes one; with none left, the message is refused,
 * and the answer says how long until there is one. A user may send 10 messages at once, then
 * 5 a second for ever, never more.
 *
 * The bucket needs no timer. It remembers how many tokens it had and when, and works out the
 * refill from the time that passed when it is next asked: a user who sends nothing costs
 * nothing. `take` is a pure function of a bucket and the time; the `RateLimiter` GenServer
 * keeps one bucket per user and reads the time from its node's clock.
 *
 * Replace each `throw new Error('TODO: ...')` with your code. The README has the tasks and hints.
 */
import { GenServer } from 'letitcrash'

/** The most tokens a bucket holds: the largest burst. */
export const CAPACITY = 10
/** Tokens a bucket gains per second: the steady rate. */
export const REFILL_PER_SECOND = 5

/** A bucket: its tokens (a fraction while refilling) when it was last counted. */
export interface Bucket {
  readonly tokens: number
  /** When `tokens` was counted, in ms of the clock passed to `take`. */
  readonly updatedAt: number
}

/** `:ok`, or `{:error, %{reason: :rate_limited, retry_after_ms: ms}}` */
export type CheckResult =
  | readonly [tag: 'ok']
  | readonly [
      tag: 'error',
      reason: { readonly reason: 'rate_limited'; readonly retry_after_ms: number },
    ]

/** A full bucket at time `now`: what a user who has not sent anything lately has. */
export function fullBucket(now: number): Bucket {
  // TODO (task 2): CAPACITY tokens, counted at `now`.
  throw new Error(`TODO: fullBucket(${now})`)
}

/**
 * Takes one token at time `now` if there is one. Returns the answer and the bucket after it;
 * the bucket given is not changed.
 * @example const [result, next] = take(fullBucket(0), 0) // ['ok'], 9 tokens left
 */
export function take(bucket: Bucket, now: number): readonly [CheckResult, Bucket] {
  // TODO (task 2): add the tokens gained since bucket.updatedAt (REFILL_PER_SECOND a second, at
  // most CAPACITY in all); then take one: [['ok'], bucket after], or, with less than one,
  // [['error', { reason: 'rate_limited', retry_after_ms }], bucket after].
  throw new Error(`TODO: take(${JSON.stringify(bucket)}, ${now})`)
}

// The RateLimiter GenServer

export const RATE_LIMITER = 'ChatApp.RateLimiter'

/** `{:check, user}` */
export type Call = readonly [tag: 'check', user: string]

/** Each user's bucket. A user not in the map has a full one. */
export type State = ReadonlyMap<string, Bucket>

/** Starts the limiter, registered as `RATE_LIMITER`, linked to the caller. */
export function startLink(): Promise<GenServer.OnStart> {
  return GenServer.startLink(RateLimiter, undefined, { name: RATE_LIMITER })
}

/** Takes a token from `user`'s bucket: `['ok']`, or how long to wait. */
export function check(user: string): Promise<CheckResult> {
  return GenServer.call(RATE_LIMITER, ['check', user] satisfies Call)
}

export const RateLimiter = {
  init: () => ['ok', new Map()],

  handleCall([, user], _from, buckets) {
    // TODO (task 3): take a token from the user's bucket (a full one for a user not seen yet)
    // at the node's clock time; reply with the answer, keep the new bucket.
    throw new Error(
      `TODO: RateLimiter.handleCall(['check', ${JSON.stringify(user)}]) with ${buckets.size} buckets`,
    )
  },
} satisfies GenServer.Behaviour<State, undefined, Call, never, CheckResult>
