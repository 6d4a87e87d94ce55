/**
 * Shared by the workloads. Each workload runs in a fresh Node process started by
 * `bench/runtime.ts` (`node --expose-gc --import tsx bench/workloads/<name>.ts [--quick]`),
 * measures one thing on the default node (real clock), and prints its result as one JSON line.
 */
import { setLogger } from 'letitcrash'

/** `--quick`: smaller sizes, for a smoke test. */
export const quick = process.argv.includes('--quick')

// Crash reports would measure the console, not the runtime.
setLogger(() => {})

/** Prints the workload's result for the runner; every value must be a number. */
export function report(result: Record<string, number>): void {
  console.log(JSON.stringify(result))
}

/** Heap bytes in use after a full garbage collection (needs `--expose-gc`). */
export function heapAfterGc(): number {
  if (typeof global.gc !== 'function') throw new Error('run with node --expose-gc')
  for (let i = 0; i < 3; i++) global.gc()
  return process.memoryUsage().heapUsed
}

/** The median of some numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
