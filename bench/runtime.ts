/**
 * `npm run bench`: this runtime side by side with XState, nact, comedy and Effect (and the
 * BEAM when `elixir` is installed) on seven workloads (see bench/README.md). Every run of every
 * workload is a fresh process; the results are the medians of the runs.
 *
 *   npm run bench                  5 runs, full sizes; writes bench/results/
 *   npm run bench -- --runs 3      another number of runs
 *   npm run bench -- --only spawn,call   some workloads only
 *   npm run bench -- --quick       1 run, smaller sizes (a smoke test, under a minute): fails
 *                                  unless every cell is a number or "not supported"; writes
 *                                  bench/results/tmp/ (not committed)
 */
import { spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildSync } from 'esbuild'
import { type Implementation, implementations, WORKLOADS } from './catalog.ts'
import { renderCharts } from './charts.ts'
import { buildReport, type Outcome, renderMarkdown } from './report.ts'
import type { WorkloadName } from './shared.ts'

// --- Arguments ---------------------------------------------------------------------------------

const USAGE = 'Usage: npm run bench -- [--quick] [--runs N] [--only workload,workload]'
const args = process.argv.slice(2)
const quick = args.includes('--quick')
let runs = quick ? 1 : 5
let only: string[] | undefined
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--quick') continue
  if (args[i] === '--runs' && /^[1-9]\d*$/.test(args[i + 1] ?? '')) runs = Number(args[++i])
  else if (args[i] === '--only' && args[i + 1] !== undefined) only = args[++i].split(',')
  else fail(`Unknown argument ${args[i]}. ${USAGE}`)
}
const known = WORKLOADS.map((w) => w.name as string)
for (const name of only ?? []) {
  if (!known.includes(name)) fail(`Unknown workload ${name}: expected one of ${known.join(', ')}`)
}
const workloads = WORKLOADS.filter((w) => only === undefined || only.includes(w.name))

function fail(message: string): never {
  console.error(message)
  process.exit(2)
}

// --- Running -----------------------------------------------------------------------------------

const root = fileURLToPath(new URL('..', import.meta.url))
const RUN_TIMEOUT_MS = 180_000
// Inside node_modules, so that a peer's bundle finds its library there.
const bundles = join(root, 'node_modules/.cache/letitcrash-bench')

/**
 * Bundles a script with esbuild, as an application would ship it. Running the TypeScript
 * through tsx instead would measure tsx: it wraps every function it creates in a naming
 * helper, which costs a quarter of a GenServer.call. Peers' libraries stay outside the bundle,
 * loaded by Node as published.
 */
const bundled = new Map<string, string>()
function bundle(entry: string, external: boolean): string {
  const done = bundled.get(entry)
  if (done !== undefined) return done
  const outfile = join(bundles, `${entry.replaceAll('/', '-').replace(/\.ts$/, '')}.mjs`)
  buildSync({
    entryPoints: [join(root, entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'error',
    ...(external ? { packages: 'external' as const } : {}),
  })
  bundled.set(entry, outfile)
  return outfile
}

/** The command that runs one workload once on one implementation. */
function command(impl: Implementation, workload: WorkloadName): [string, string[]] {
  const flags = quick ? ['--quick'] : []
  if (impl.kind === 'beam') return ['elixir', ['bench/peers/beam.exs', workload, ...flags]]
  const file =
    impl.kind === 'runtime'
      ? bundle(`bench/workloads/${workload}.ts`, false)
      : bundle(`bench/peers/${impl.id}.ts`, true)
  const args = impl.kind === 'runtime' ? [file] : [file, workload]
  return [process.execPath, ['--expose-gc', ...args, ...flags]]
}

/** Runs one workload once in a fresh process; its last stdout line is its JSON result. */
function runOnce(impl: Implementation, workload: WorkloadName): Promise<Record<string, unknown>> {
  const [cmd, argv] = command(impl, workload)
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: root, timeout: RUN_TIMEOUT_MS })
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
        const what = `${impl.id} ${workload}: ${(error as Error).message}`
        reject(new Error(`${what}\n${stderr.trim().split('\n').slice(-5).join('\n')}`))
      }
    })
  })
}

const tty = process.stderr.isTTY
function progress(line: string): void {
  if (tty) process.stderr.write(`\r\x1b[K${line}`)
  else process.stderr.write(`${line}\n`)
}

const impls = implementations()
if (!impls.some((i) => i.kind === 'beam'))
  console.error('elixir is not installed: no BEAM column (apt-get install elixir adds it).')

/** Each workload's outcome on each implementation: its runs, "unsupported", or an error. */
const outcomes = new Map<string, Outcome>()
const key = (workload: string, impl: string) => `${workload}/${impl}`
const total = workloads.length * impls.length * runs
const started = performance.now()
let step = 0
for (const { name } of workloads) {
  // Runs of one workload alternate between implementations, so that a busy moment on a shared
  // machine spreads over all of them instead of hitting one.
  for (let run = 1; run <= runs; run++) {
    for (const impl of impls) {
      const outcome = outcomes.get(key(name, impl.id)) ?? { runs: [] }
      outcomes.set(key(name, impl.id), outcome)
      step++
      if (outcome.unsupported !== undefined || outcome.error !== undefined) continue
      const elapsed = Math.round((performance.now() - started) / 1000)
      progress(`[${step}/${total}] ${name} · ${impl.title} · run ${run} of ${runs} (${elapsed} s)`)
      try {
        const result = await runOnce(impl, name)
        if (typeof result.unsupported === 'string') outcome.unsupported = result.unsupported
        else outcome.runs.push(result as Record<string, number>)
      } catch (error) {
        if (tty) process.stderr.write('\n')
        console.error((error as Error).message)
        outcome.error = (error as Error).message.split('\n')[0]
      }
    }
  }
}
if (tty) process.stderr.write('\r\x1b[K')

// --- Results -----------------------------------------------------------------------------------

const report = buildReport({
  quick,
  runs,
  workloads,
  implementations: impls,
  outcomes: (w, i) => outcomes.get(key(w, i)),
})
const markdown = renderMarkdown(report)
console.log(`\n${markdown}`)

const outDir = join(root, 'bench/results', quick ? 'tmp' : '')
mkdirSync(outDir, { recursive: true })
writeFileSync(join(outDir, 'bench.json'), `${JSON.stringify(report, null, 2)}\n`)
writeFileSync(join(outDir, 'bench.md'), markdown)
const charts = renderCharts(report)
for (const [file, svg] of charts) writeFileSync(join(outDir, file), svg)
console.log(`Wrote ${outDir.slice(root.length)}/: bench.json, bench.md and ${charts.size} charts`)

const missing = report.rows.flatMap((row) =>
  Object.entries(row.cells)
    .filter(([, cell]) => cell.value === null && cell.unsupported === undefined)
    .map(([impl]) => `${row.label} on ${impl}`),
)
if (missing.length > 0) {
  console.error(`No number and not "not supported": ${missing.join('; ')}`)
  process.exit(1)
}
