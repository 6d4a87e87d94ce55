/**
 * `npm run bench`: measures the runtime on five workloads (see bench/README.md). Each run of
 * each workload is a fresh Node process; the table shows the median of the runs.
 *
 *   npm run bench                  5 runs, full sizes; writes bench/results/runtime.{json,md}
 *   npm run bench -- --runs 3      another number of runs
 *   npm run bench -- --quick       1 run, smaller sizes (a smoke test): fails unless every
 *                                  cell is a number; writes bench/results/tmp/ (not committed)
 */
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildSync } from 'esbuild'
import { median } from './workloads/common.ts'

interface Metric {
  /** The key in the workload's JSON line. */
  readonly key: string
  /** What the row measures; `sizes` are the workload's own numbers (counts). */
  readonly label: (sizes: Partial<Record<string, number>>) => string
  readonly unit: 'ms' | 'B' | 'msg/s' | 'calls/s' | 'µs'
  readonly target: number
  /** Whether a result must stay at or below the target, or reach at least it. */
  readonly better: 'lower' | 'higher'
}

interface Workload {
  readonly name: string
  readonly metrics: readonly Metric[]
}

/** A size for a label; '?' when the workload failed before reporting it. */
const n = (value: number | undefined) => value?.toLocaleString('en-US') ?? '?'

const WORKLOADS: readonly Workload[] = [
  {
    name: 'spawn',
    metrics: [
      {
        key: 'ms',
        label: (s) => `spawn ${n(s.processes)} idle processes, until all wait`,
        unit: 'ms',
        target: 100,
        better: 'lower',
      },
      {
        key: 'bytesPerProcess',
        label: () => 'heap per idle process',
        unit: 'B',
        target: 600,
        better: 'lower',
      },
    ],
  },
  {
    name: 'ping-pong',
    metrics: [
      {
        key: 'messagesPerSecond',
        label: (s) => `ping-pong, ${n(s.messages)} messages`,
        unit: 'msg/s',
        target: 3_000_000,
        better: 'higher',
      },
      {
        key: 'maxStallMs',
        label: () => 'longest event-loop stall during ping-pong',
        unit: 'ms',
        target: 10,
        better: 'lower',
      },
    ],
  },
  {
    name: 'call',
    metrics: [
      {
        key: 'callsPerSecond',
        label: (s) => `${n(s.calls)} sequential GenServer.call`,
        unit: 'calls/s',
        target: 500_000,
        better: 'higher',
      },
    ],
  },
  {
    name: 'fan-out',
    metrics: [
      {
        key: 'msPerRound',
        label: (s) => `fan-out to ${n(s.processes)} processes and back, per round`,
        unit: 'ms',
        target: 4,
        better: 'lower',
      },
    ],
  },
  {
    name: 'restart',
    metrics: [
      {
        key: 'medianMicroseconds',
        label: (s) => `restart after kill (median of ${n(s.kills)})`,
        unit: 'µs',
        target: 25,
        better: 'lower',
      },
    ],
  },
]

// --- Arguments ---------------------------------------------------------------------------------

const args = process.argv.slice(2)
const quick = args.includes('--quick')
let runs = quick ? 1 : 5
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--quick') continue
  if (args[i] === '--runs' && /^[1-9]\d*$/.test(args[i + 1] ?? '')) runs = Number(args[++i])
  else {
    console.error(`Unknown argument ${args[i]}. Usage: npm run bench -- [--quick] [--runs N]`)
    process.exit(2)
  }
}

// --- Running -----------------------------------------------------------------------------------

const root = fileURLToPath(new URL('..', import.meta.url))
const RUN_TIMEOUT_MS = 120_000

const bundles = mkdtempSync(join(tmpdir(), 'letitcrash-bench-'))
process.on('exit', () => rmSync(bundles, { recursive: true, force: true }))

/**
 * Bundles a workload with esbuild, as an application would ship the runtime. Running the
 * TypeScript through tsx instead would measure tsx: it wraps every function it creates in a
 * naming helper, which costs a quarter of a GenServer.call.
 */
function bundle(name: string): string {
  const outfile = join(bundles, `${name}.mjs`)
  buildSync({
    entryPoints: [join(root, `bench/workloads/${name}.ts`)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'error',
  })
  return outfile
}

/** Runs one workload once in a fresh Node process; its last stdout line is its JSON result. */
function runOnce(name: string): Promise<Record<string, number>> {
  const file = bundle(name)
  const argv = ['--expose-gc', file, ...(quick ? ['--quick'] : [])]
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd: root, timeout: RUN_TIMEOUT_MS })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code, signal) => {
      const last = stdout.trim().split('\n').at(-1) ?? ''
      try {
        if (code !== 0) throw new Error(`exited with ${signal ?? `code ${code}`}`)
        resolve(JSON.parse(last))
      } catch (error) {
        reject(new Error(`${file}: ${(error as Error).message}\n${stderr.trim()}`))
      }
    })
  })
}

const tty = process.stderr.isTTY
function progress(line: string): void {
  if (tty) process.stderr.write(`\r\x1b[K${line}`)
  else process.stderr.write(`${line}\n`)
}

/** Every run's result for each workload; a workload that failed has fewer runs. */
const samples = new Map<string, Record<string, number>[]>()
let failed = false
const total = WORKLOADS.length * runs
let step = 0
for (const { name } of WORKLOADS) {
  samples.set(name, [])
  for (let run = 1; run <= runs; run++) {
    progress(`[${++step}/${total}] ${name}, run ${run} of ${runs} ...`)
    try {
      samples.get(name)!.push(await runOnce(name))
    } catch (error) {
      if (tty) process.stderr.write('\n')
      console.error((error as Error).message)
      failed = true
      break
    }
  }
}
if (tty) process.stderr.write('\r\x1b[K')

// --- Results -----------------------------------------------------------------------------------

interface Row {
  readonly workload: string
  readonly metric: string
  readonly label: string
  readonly value: number | null
  readonly unit: string
  readonly target: number
  readonly better: 'lower' | 'higher'
  readonly met: boolean | null
  readonly runs: number[]
}

const round = (value: number) => Number(value.toPrecision(4))

const rows: Row[] = WORKLOADS.flatMap(({ name, metrics }) =>
  metrics.map((metric): Row => {
    const results = samples.get(name) ?? []
    const values = results.map((r) => r[metric.key])
    const complete = values.length === runs && values.every((v) => Number.isFinite(v))
    const value = complete ? round(median(values)) : null
    const met =
      value === null
        ? null
        : metric.better === 'lower'
          ? value <= metric.target
          : value >= metric.target
    return {
      workload: name,
      metric: metric.key,
      label: metric.label(results[0] ?? {}),
      value,
      unit: metric.unit,
      target: metric.target,
      better: metric.better,
      met,
      runs: complete ? values.map(round) : [],
    }
  }),
)

const format = (value: number, unit: string) =>
  `${value.toLocaleString('en-US', { maximumSignificantDigits: 3 })} ${unit}`

const machine = `Node ${process.version}, ${process.platform} ${process.arch}, ${cpus()[0]?.model.trim() ?? 'unknown CPU'} × ${cpus().length}`
const table = [
  `Median of ${runs} run${runs === 1 ? '' : 's'}${quick ? ' (--quick: smaller sizes)' : ''}, each in a fresh Node process. ${machine}.`,
  '',
  '| workload | result | target | met? |',
  '|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.label} | ${r.value === null ? 'failed' : format(r.value, r.unit)} | ${r.better === 'lower' ? '≤' : '≥'} ${format(r.target, r.unit)} | ${quick ? '(quick)' : r.met ? 'yes' : r.met === false ? 'no' : '-'} |`,
  ),
  '',
].join('\n')

console.log(`\n${table}`)

const outDir = `${root}bench/results/${quick ? 'tmp/' : ''}`
mkdirSync(outDir, { recursive: true })
const json = { quick, runs, machine, results: rows }
writeFileSync(`${outDir}runtime.json`, `${JSON.stringify(json, null, 2)}\n`)
writeFileSync(`${outDir}runtime.md`, `# Runtime benchmark\n\n${table}`)
console.log(`Wrote ${outDir.slice(root.length)}runtime.json and runtime.md`)

if (failed || rows.some((r) => r.value === null)) {
  console.error('Some workloads produced no number (see above).')
  process.exit(1)
}
