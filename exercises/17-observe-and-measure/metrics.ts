/**
 * Metrics from telemetry: handlers attached to the runtime's events count the supervisors'
 * restarts and collect how long `GenServer.call`s took.
 *
 * A handler runs synchronously inside the process that emits the event (the supervisor that
 * restarts, the caller whose call returned), so it only records a number and returns. The
 * durations are milliseconds of the node's clock: exact under a virtual clock.
 *
 * Replace each `throw new Error('TODO: ...')` with your code. The README has the tasks and hints.
 */
import { type GenServer, Telemetry } from 'letitcrash'

/** How long the calls to one server took, in ms. */
export interface CallStats {
  readonly count: number
  /** Half of the calls took at most this long: the median. */
  readonly p50: number
  /** 99 calls in 100 took at most this long: what the slowest users see. */
  readonly p99: number
}

/** What {@link attachMetrics} has recorded so far. */
export interface Metrics {
  /** How many times a supervisor restarted the child with this id. */
  restartsOf(childId: unknown): number
  /** The calls to `server` (named as the callers named it), or `undefined` if there were none. */
  callStats(server: GenServer.Server): CallStats | undefined
  /** Stops recording. */
  detach(): void
}

/**
 * Starts recording restarts and call durations under the handler id `id`. Throws if a handler
 * with that id is attached already.
 * @example
 * const metrics = attachMetrics('dashboard')
 * metrics.callStats('disk') // { count: 100, p50: 12, p99: 48 }
 */
export function attachMetrics(id: string): Metrics {
  // TODO (task 3): attach a handler (Telemetry.attach) that counts Telemetry.events.restart by
  // the metadata's `childId`; throw if attach answers ['error', 'already_exists'].
  // TODO (task 4): record the `duration` of every Telemetry.events.callStop by the metadata's
  // `server`.
  // Return the Metrics: restartsOf, callStats (use percentile) and detach.
  throw new Error(`TODO: attachMetrics('${id}')`)
}

/**
 * The `p`th percentile of `samples` by nearest rank: the smallest sample that at least `p`
 * percent of the samples do not exceed. `percentile(samples, 50)` is the median.
 * @example percentile([15, 20, 35, 40, 50], 30) // 20
 */
export function percentile(samples: readonly number[], p: number): number {
  // TODO (task 4): sort a copy, numerically; take the sample at rank ceil(p * n / 100) (at least
  // 1, counting from 1). Throw a RangeError when there are no samples.
  throw new Error(`TODO: percentile ${p} of ${samples.length} samples`)
}
