/**
 * One SVG bar chart per row of the report, written by hand (no chart library): a bar per
 * implementation, its value printed beside it, this runtime's bar in the accent colour, the
 * BEAM's in grey, and a line of text instead of a bar where a library has no such feature.
 */
import { formatRatio, formatValue, type Report, type Row } from './report.ts'

const WIDTH = 640
const LABEL_WIDTH = 96
const VALUE_WIDTH = 210
const BAR_HEIGHT = 22
const GAP = 8
const TOP = 56
const COLORS = { own: '#c2410c', peer: '#64748b', reference: '#a8a29e' }

/** Escapes text for SVG. */
const escapeXml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')

/** The file name of a row's chart: `spawn-ms.svg`. */
export function chartFile(row: Row): string {
  return `${row.workload}-${row.metric}.svg`
}

export function renderChart(report: Report, row: Row): string {
  const impls = report.implementations
  const values = impls.map((i) => row.cells[i.id].value ?? 0)
  const max = Math.max(...values, Number.MIN_VALUE)
  const barSpace = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 24
  const height = TOP + impls.length * (BAR_HEIGHT + GAP) + 12
  const better = row.better === 'lower' ? 'lower is better' : 'higher is better'
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" role="img" aria-label="${escapeXml(`${row.label} (${row.unit}, ${better})`)}">`,
    `<rect width="${WIDTH}" height="${height}" rx="8" fill="#ffffff"/>`,
    `<text x="16" y="24" font-size="15" font-weight="600" fill="#1c1917">${escapeXml(row.label)}</text>`,
    `<text x="16" y="43" font-size="12" fill="#57534e">${escapeXml(`${row.unit}, ${better}; median of ${report.runs} run${report.runs === 1 ? '' : 's'}`)}</text>`,
  ]
  impls.forEach((impl, i) => {
    const cell = row.cells[impl.id]
    const y = TOP + i * (BAR_HEIGHT + GAP)
    const middle = y + BAR_HEIGHT / 2 + 4
    const color =
      impl.kind === 'runtime' ? COLORS.own : impl.reference ? COLORS.reference : COLORS.peer
    parts.push(
      `<text x="${LABEL_WIDTH - 8}" y="${middle}" font-size="13" text-anchor="end" fill="#1c1917">${escapeXml(impl.title)}</text>`,
    )
    if (cell.value === null) {
      const why = cell.unsupported !== undefined ? `not supported: ${cell.unsupported}` : 'failed'
      parts.push(
        `<text x="${LABEL_WIDTH}" y="${middle}" font-size="12" font-style="italic" fill="#78716c">${escapeXml(why)}</text>`,
      )
      return
    }
    const width = Math.max(1, (cell.value / max) * barSpace)
    const ratio = cell.ratio === null ? '' : ` (${formatRatio(cell.ratio)})`
    parts.push(
      `<rect x="${LABEL_WIDTH}" y="${y}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}" rx="3" fill="${color}"/>`,
      `<text x="${(LABEL_WIDTH + width + 6).toFixed(1)}" y="${middle}" font-size="12" fill="#1c1917">${escapeXml(formatValue(cell.value, row.unit) + ratio)}</text>`,
    )
  })
  parts.push('</svg>', '')
  return parts.join('\n')
}

/** Every chart of the report, by file name. */
export function renderCharts(report: Report): Map<string, string> {
  return new Map(report.rows.map((row) => [chartFile(row), renderChart(report, row)]))
}
