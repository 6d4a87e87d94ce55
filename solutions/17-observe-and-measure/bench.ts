/**
 * A tiny Benchee: runs a function many times, one run after the other, and reports how long a
 * run took. Times are read from the node's clock, so under the virtual clock a benchmark of
 * calls to a server that takes 3 ms says exactly 3 ms, on every machine, every time.
 */
import { getDefaultNode, type Node } from 'letitcrash'
import { percentile } from './metrics.ts'

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

// #region bench
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
  if (!Number.isInteger(runs) || runs < 1)
    throw new TypeError(`Expected \`options.runs\` to be a positive integer, got \`${runs}\``)
  if (!Number.isInteger(warmup) || warmup < 0)
    throw new TypeError(
      `Expected \`options.warmup\` to be a non-negative integer, got \`${warmup}\``,
    )
  for (let i = 0; i < warmup; i++) await fn()
  const samples: number[] = []
  for (let i = 0; i < runs; i++) {
    const start = node.clock.now()
    await fn()
    samples.push(node.clock.now() - start)
  }
  const total = samples.reduce((sum, ms) => sum + ms, 0)
  return {
    name,
    runs,
    average: total / runs,
    median: percentile(samples, 50),
    p99: percentile(samples, 99),
  }
}
// #endregion bench
