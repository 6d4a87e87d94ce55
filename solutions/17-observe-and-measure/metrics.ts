/**
 * Metrics from telemetry: one handler, attached to two of the runtime's events, counts the
 * supervisors' restarts and collects how long `GenServer.call`s took.
 *
 * A handler runs synchronously inside the process that emits the event (the supervisor that
 * restarts, the caller whose call returned), so it only records a number and returns. The
 * durations are milliseconds of the node's clock: exact under a virtual clock.
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

// #region attach
const RESTART = Telemetry.events.restart.join('.')

/**
 * Starts recording restarts and call durations under the handler id `id`. Throws if a handler
 * with that id is attached already.
 * @example
 * const metrics = attachMetrics('dashboard')
 * metrics.callStats('disk') // { count: 100, p50: 12, p99: 48 }
 */
export function attachMetrics(id: string): Metrics {
  const restarts = new Map<unknown, number>()
  const durations = new Map<unknown, number[]>()
  const record: Telemetry.Handler = (event, measurements, metadata) => {
    if (event.join('.') === RESTART) {
      restarts.set(metadata.childId, (restarts.get(metadata.childId) ?? 0) + 1)
    } else {
      // Our own array, private to this closure: adding to it in place is cheap and safe.
      const samples = durations.get(metadata.server)
      if (samples === undefined) durations.set(metadata.server, [measurements.duration])
      else samples.push(measurements.duration)
    }
  }
  // Only `restart`: a supervisor that gives up emits `reached_max_restart_intensity` instead.
  const attached = Telemetry.attach(
    id,
    [Telemetry.events.restart, Telemetry.events.callStop],
    record,
  )
  if (attached[0] === 'error') throw new Error(`a telemetry handler '${id}' is attached already`)
  return {
    restartsOf: (childId) => restarts.get(childId) ?? 0,
    callStats(server) {
      const samples = durations.get(server)
      if (samples === undefined) return undefined
      return { count: samples.length, p50: percentile(samples, 50), p99: percentile(samples, 99) }
    },
    detach() {
      Telemetry.detach(id)
    },
  }
}
// #endregion attach

// #region percentile
/**
 * The `p`th percentile of `samples` by nearest rank: the smallest sample that at least `p`
 * percent of the samples do not exceed. `percentile(samples, 50)` is the median.
 * @example percentile([15, 20, 35, 40, 50], 30) // 20
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new RangeError('Expected `samples` to hold a number, got none')
  if (!(p >= 0 && p <= 100)) throw new RangeError(`Expected \`p\` to be 0 to 100, got \`${p}\``)
  // A copy, so the caller's samples keep their order; numbers compared as numbers, not text.
  const sorted = [...samples].sort((a, b) => a - b)
  // `p * length` first: 7 * 100 / 100 is 7, where 0.07 * 100 is 7.000000000000001.
  const rank = Math.max(1, Math.ceil((p * sorted.length) / 100))
  return sorted[rank - 1]
}
// #endregion percentile
