/**
 * Restart intensity: a supervisor allows at most `maxRestarts` restarts within `maxSeconds`.
 * One more means its children keep crashing for a reason a restart does not fix, so it gives up
 * (stops them all and exits with `shutdown`) and lets its own supervisor deal with it. This is
 * how a failure climbs the supervision tree.
 *
 * Time comes from the node's clock, so tests move a virtual clock instead of waiting.
 * A restart counts while it is at most `maxSeconds` old (Erlang keeps `now - t =< period`).
 * @internal
 */
import type { Clock } from './clock.ts'
import { assertNonNegativeInteger, describeGot } from './validate.ts'

export class RestartIntensity {
  /** When recent restarts happened (clock milliseconds), oldest first. */
  private recent: number[] = []
  /** Restarts since the supervisor started, for the observer. */
  total = 0

  constructor(
    readonly maxRestarts: number,
    readonly maxSeconds: number,
    private readonly clock: Clock,
  ) {}

  /** Records a restart; false when it is one too many and the supervisor must give up. */
  add(): boolean {
    const now = this.clock.now()
    const oldest = now - this.maxSeconds * 1000
    this.recent = this.recent.filter((t) => t >= oldest)
    this.recent.push(now)
    this.total++
    return this.recent.length <= this.maxRestarts
  }

  /** Restarts within the last `maxSeconds`: how close the supervisor is to giving up. */
  inWindow(): number {
    const oldest = this.clock.now() - this.maxSeconds * 1000
    return this.recent.filter((t) => t >= oldest).length
  }
}

/** Checks `maxRestarts` and `maxSeconds` as both supervisors take them. */
export function assertIntensity(flags: { maxRestarts?: unknown; maxSeconds?: unknown }): void {
  if (flags.maxRestarts !== undefined) assertNonNegativeInteger(flags.maxRestarts, 'maxRestarts')
  const s = flags.maxSeconds
  if (s !== undefined && !(typeof s === 'number' && Number.isInteger(s) && s > 0)) {
    throw new TypeError(`Expected \`maxSeconds\` to be a positive integer, ${describeGot(s)}`)
  }
}
