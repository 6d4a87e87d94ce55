/**
 * A tiny Benchee: runs a function many times, one run after the other, and reports how long a
 * run took. Times are read from the node's clock, so under the virtual clock a benchmark of
 * calls to a server that takes 3 ms says exactly 3 ms, on every machine, every time.
 *
 * Replace each `throw new Error('TODO: ...')` with your code. The README has the tasks and hints.
 */
import { getDefaultNode, type Node } from 'letitcrash'

export interface BenchOptions {
  /** Measured runs (default 100). */
  readonly runs?: number
  /** Runs before the measured ones, not measured: they fill caches and start what starts lazily. */
  readonly warmup?: number
  /** Whose clock to read (default: the default node). */
  readonly node?: Node
}

export interface BenchResult {
  readonly name: string
  readonly runs: number
  /** In ms, as the rest. */
  readonly average: number
  readonly median: number
  readonly p99: number
}

/**
 * Runs `fn` `warmup` times, then `runs` times measured, each run after the previous one has
 * finished. Benchee's `Benchee.run(%{"name" => fn})` for one job.
 * @example const { median } = await bench('add_message', () => Room.addMessage('lobby', 'hi'))
 */
export async function bench(
  name: string,
  fn: () => unknown,
  options: BenchOptions = {},
): Promise<BenchResult> {
  const { runs = 100, warmup = 0, node = getDefaultNode() } = options
  // TODO (task 5): check `runs`; run the warmup; then time each run with node.clock.now(),
  // awaiting it before the next; report average, median and p99 (percentile from metrics.ts).
  throw new Error(`TODO: bench '${name}' (${runs} runs after ${warmup} warmup runs)`)
}
