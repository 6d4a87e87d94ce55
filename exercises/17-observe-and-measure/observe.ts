/**
 * Reading `Observer.snapshot()`: who is falling behind, and which supervisor keeps restarting.
 *
 * A snapshot is plain data, taken in one instant. One snapshot answers "how is it now?" (the
 * longest mailbox); a trend ("restarts keep climbing") needs two, taken some time apart.
 *
 * Replace each `throw new Error('TODO: ...')` with your code. The README has the tasks and hints.
 */
import type { Observer } from 'letitcrash'

/**
 * The process with the most messages waiting in its mailbox: the one falling behind. `undefined`
 * when every mailbox is empty.
 */
export function longestMailbox(snapshot: Observer.Snapshot): Observer.ProcessSnapshot | undefined {
  // TODO (task 1): look through snapshot.processes for the longest messageQueueLength.
  throw new Error(`TODO: longestMailbox of ${snapshot.processes.length} processes`)
}

/** A supervisor that restarted children between two snapshots. */
export interface Climbing {
  readonly pid: string
  readonly name: string | null
  /** Restarts between the two snapshots. */
  readonly restarts: number
}

/**
 * The supervisors, at any depth of the trees, that restarted children between `before` and
 * `after`, the most restarts first. A supervisor that is new in `after` (it started, or was
 * itself restarted, in between) counts all its restarts.
 */
export function climbingSupervisors(
  before: Observer.Snapshot,
  after: Observer.Snapshot,
): Climbing[] {
  // TODO (task 2): collect every supervisor of each snapshot (the roots in `trees`, and every
  // child whose `supervisor` is set, at any depth), then compare their `restarts` by pid.
  throw new Error(
    `TODO: climbingSupervisors between ${before.nodes[0]?.time} ms and ${after.nodes[0]?.time} ms`,
  )
}
