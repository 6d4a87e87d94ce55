/**
 * The demos crash processes on purpose and show each crash in their own log, so the runtime's
 * crash reports for their nodes would only repeat it in the browser console. This keeps
 * reports of the demos' nodes out of the console and passes every other report on.
 */
import { type CrashReport, type Logger, type Node, setLogger } from '../../../runtime/index.ts'

/** Node indexes (the first number of a pid) whose crash reports the demos keep to themselves. */
const muted = new Set<number>()
let installed = false

/** Stops crash reports of processes on `node` from reaching the console; returns the undo. */
export function muteCrashReports(node: Node): () => void {
  if (!installed) {
    installed = true
    const previous: Logger = setLogger((report: CrashReport) => {
      if (report.pid !== undefined && muted.has(report.pid.node)) return
      previous(report)
    })
  }
  muted.add(node.index)
  return () => muted.delete(node.index)
}
