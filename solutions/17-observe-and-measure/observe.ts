/**
 * Reading `Observer.snapshot()`: who is falling behind, and which supervisor keeps restarting.
 *
 * A snapshot is plain data, taken in one instant. One snapshot answers "how is it now?" (the
 * longest mailbox); a trend ("restarts keep climbing") needs two, taken some time apart.
 */
import type { Observer } from 'letitcrash'

// #region mailbox
/**
 * The process with the most messages waiting in its mailbox: the one falling behind. `undefined`
 * when every mailbox is empty.
 */
export function longestMailbox(snapshot: Observer.Snapshot): Observer.ProcessSnapshot | undefined {
  let longest: Observer.ProcessSnapshot | undefined
  for (const process of snapshot.processes) {
    if (process.messageQueueLength > (longest?.messageQueueLength ?? 0)) longest = process
  }
  return longest
}
// #endregion mailbox

// #region climbing
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
  const earlier = new Map(supervisorsIn(before).map((s) => [s.pid, s.restarts]))
  return supervisorsIn(after)
    .map(({ pid, name, restarts }) => ({
      pid,
      name,
      restarts: restarts - (earlier.get(pid) ?? 0),
    }))
    .filter((supervisor) => supervisor.restarts > 0)
    .sort((a, b) => b.restarts - a.restarts)
}

/** Every supervisor of the snapshot's trees: the roots, and the supervisors among the children. */
function supervisorsIn(snapshot: Observer.Snapshot): Observer.SupervisorSnapshot[] {
  const walk = (supervisor: Observer.SupervisorSnapshot): Observer.SupervisorSnapshot[] => [
    supervisor,
    ...supervisor.children.flatMap((child) => (child.supervisor ? walk(child.supervisor) : [])),
  ]
  return snapshot.trees.flatMap(walk)
}
// #endregion climbing
