/**
 * Turns the runs into the report: one row per metric, one cell per implementation (the median
 * of its runs, or why it has no number), each compared with the best JS library in its row.
 * The report is what `bench.json` holds; `renderMarkdown` makes `bench.md` from it.
 */
import { cpus, loadavg, platform } from 'node:os'
import type { Implementation, Workload } from './catalog.ts'
import { median } from './shared.ts'

/** What one implementation did on one workload. */
export interface Outcome {
  runs: Record<string, number>[]
  /** The library has no such feature: why. */
  unsupported?: string
  /** A run failed: the first line of its error. */
  error?: string
}

export interface Cell {
  /** The median of the runs; null when there is none (unsupported or failed). */
  readonly value: number | null
  readonly runs: number[]
  /** Times worse than the best JS library in the row (1 = the best); null without a value. */
  readonly ratio: number | null
  readonly unsupported?: string
  readonly error?: string
}

export interface Row {
  readonly workload: string
  readonly metric: string
  readonly label: string
  readonly unit: string
  readonly better: 'lower' | 'higher'
  readonly target: number | null
  /** By implementation id. */
  readonly cells: Record<string, Cell>
}

export interface Report {
  readonly quick: boolean
  readonly runs: number
  readonly date: string
  readonly machine: {
    readonly cpu: string
    readonly cores: number
    readonly node: string
    readonly platform: string
    /** The 1-minute load average when the report was written: other work on the machine. */
    readonly loadAverage: number
  }
  readonly implementations: readonly Implementation[]
  readonly rows: readonly Row[]
}

const round = (value: number) => Number(value.toPrecision(4))

export function buildReport(input: {
  quick: boolean
  runs: number
  workloads: readonly Workload[]
  implementations: readonly Implementation[]
  outcomes: (workload: string, impl: string) => Outcome | undefined
}): Report {
  const rows = input.workloads.flatMap((workload) =>
    workload.metrics.map((metric): Row => {
      const outcomes = input.implementations.map((i) => input.outcomes(workload.name, i.id))
      // Every implementation runs the same sizes; take them from the first that reported.
      const sizes = outcomes.find((o) => o?.runs[0] !== undefined)?.runs[0] ?? {}
      const values = new Map<string, number[]>()
      input.implementations.forEach((impl, i) => {
        const outcome = outcomes[i]
        const runs = (outcome?.runs ?? []).map((r) => r[metric.key])
        const complete =
          outcome?.error === undefined && runs.length > 0 && runs.every(Number.isFinite)
        if (complete) values.set(impl.id, runs)
      })
      const medians = new Map([...values].map(([id, runs]) => [id, round(median(runs))]))
      const peers = input.implementations.filter((i) => !i.reference && medians.has(i.id))
      const pick = metric.better === 'lower' ? Math.min : Math.max
      const best = peers.length > 0 ? pick(...peers.map((i) => medians.get(i.id)!)) : null
      const cells: Record<string, Cell> = {}
      input.implementations.forEach((impl, i) => {
        const outcome = outcomes[i]
        const value = medians.get(impl.id) ?? null
        const ratio =
          value === null || best === null || value === 0 || best === 0
            ? null
            : round(metric.better === 'lower' ? value / best : best / value)
        cells[impl.id] = {
          value,
          runs: (values.get(impl.id) ?? []).map(round),
          ratio,
          ...(outcome?.unsupported !== undefined ? { unsupported: outcome.unsupported } : {}),
          ...(outcome?.error !== undefined ? { error: outcome.error } : {}),
        }
      })
      return {
        workload: workload.name,
        metric: metric.key,
        label: metric.label(sizes),
        unit: metric.unit,
        better: metric.better,
        target: metric.target ?? null,
        cells,
      }
    }),
  )
  return {
    quick: input.quick,
    runs: input.runs,
    date: new Date().toISOString().slice(0, 10),
    machine: {
      cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
      cores: cpus().length,
      node: process.version,
      platform: `${platform()} ${process.arch}`,
      loadAverage: round(loadavg()[0]),
    },
    implementations: input.implementations,
    rows,
  }
}

/** A number with at most 3 significant digits and its unit: `5,130,000 msg/s`, `12.7 µs`. */
export function formatValue(value: number, unit: string): string {
  return `${value.toLocaleString('en-US', { maximumSignificantDigits: 3 })} ${unit}`
}

/** Against the best JS library: `best`, `2.4×` (worse), or `9.6× better` (the BEAM can be). */
export function formatRatio(ratio: number): string {
  const times = (r: number) =>
    `${r.toLocaleString('en-US', { maximumSignificantDigits: r < 10 ? 2 : 3 })}×`
  if (ratio === 1) return 'best'
  return ratio > 1 ? times(ratio) : `${times(1 / ratio)} better`
}

function formatCell(cell: Cell, unit: string): string {
  if (cell.unsupported !== undefined) return `not supported: ${cell.unsupported}`
  if (cell.value === null) return 'failed'
  const value = formatValue(cell.value, unit)
  if (cell.ratio === null) return value
  const ratio = `(${formatRatio(cell.ratio)})`
  return cell.ratio === 1 ? `**${value}** ${ratio}` : `${value} ${ratio}`
}

export function renderMarkdown(report: Report): string {
  const { machine, implementations } = report
  const header = ['workload', ...implementations.map((i) => i.title), 'letitcrash target']
  const lines = [
    `Median of ${report.runs} run${report.runs === 1 ? '' : 's'}${report.quick ? ' (--quick: smaller sizes)' : ''}, each in a fresh process, on ${report.date}. ${machine.cpu} × ${machine.cores} cores, Node ${machine.node}, ${machine.platform}; load average ${machine.loadAverage} at the end.`,
    '',
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...report.rows.map((row) => {
      const cells = implementations.map((i) => formatCell(row.cells[i.id], row.unit))
      const target =
        row.target === null
          ? '-'
          : `${row.better === 'lower' ? '≤' : '≥'} ${formatValue(row.target, row.unit)}`
      return `| ${row.label} | ${cells.join(' | ')} | ${target} |`
    }),
    '',
    'In parentheses: how many times worse than the best JS library in the row, the best in bold; the BEAM column is compared with the same best. Versions: ' +
      `${implementations.map((i) => `${i.title} ${i.version}`).join(', ')}.`,
    '',
  ]
  return lines.join('\n')
}
