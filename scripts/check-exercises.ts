/**
 * `npm run check:exercises`: holds every exercise to the rules in `exercises/rules.ts`.
 *
 * For each `exercises/NN-slug/`: README tasks and hints, meta.json, a test group per task, a
 * matching `solutions/NN-slug/`. Then, all at once: vitest against every starter (each task
 * must fail at least one test: a starter that already passes a task is an error), vitest
 * against every solution (everything passes), and tsc over the starters, the solutions, and
 * the tests run against the solutions. One line per exercise; exit status 1 on any problem.
 */
import { execFile } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { type Exercise, listExercises, repoRoot } from './exercises/catalog.ts'
import {
  chapterOrderProblems,
  type FileRecord,
  fileProblems,
  folderProblems,
  metaProblems,
  readmeTasks,
  recordsFromVitestJson,
  solutionFindings,
  starterFindings,
  type Task,
  taskCoverageProblems,
  type VitestJsonReport,
} from './exercises/rules.ts'

const run = promisify(execFile)
/** Problems listed per exercise; the first few say what to fix. */
const SHOWN_PROBLEMS = 6
// Helpers may run the check side by side in one working tree: each run keeps to its own files.
const dataDir = join(repoRoot, '.data')
const runId = String(process.pid)
const workDir = join(dataDir, 'check-exercises', runId)
const buildInfo = join(dataDir, 'check-exercises', 'tsbuildinfo')

const started = performance.now()
const exercises = listExercises()
const exerciseFolders = subfolders(join(repoRoot, 'exercises'))
const solutionFolders = subfolders(join(repoRoot, 'solutions'))
console.log(
  `Checking ${exercises.length} exercises: files, README, meta.json; vitest against starters and solutions; tsc.`,
)

removeLeftovers()
mkdirSync(workDir, { recursive: true })
const [starterRun, solutionRun, typeErrors] = await Promise.all([
  vitest('starter'),
  vitest('solution'),
  typecheck(exercises),
]).finally(removeOwnFiles)

const problems = new Map<string, string[]>()
const warnings = new Map<string, string[]>()
const report = (folder: string, findings: { problems?: string[]; warnings?: string[] }) => {
  problems.set(folder, [...(problems.get(folder) ?? []), ...(findings.problems ?? [])])
  warnings.set(folder, [...(warnings.get(folder) ?? []), ...(findings.warnings ?? [])])
}

for (const [folder, list] of folderProblems(exerciseFolders, solutionFolders))
  report(folder, { problems: list })
const chapters = new Map<string, number>()
const summaries = new Map<string, string>()
for (const exercise of exercises) {
  const tasks = checkStatic(exercise)
  const starter = starterRun.records.get(exercise.folder) ?? []
  const solution = solutionRun.records.get(exercise.folder) ?? []
  report(exercise.folder, { problems: typeErrors.get(exercise.folder) ?? [] })
  if (solution.length === 0 && starter.length === 0) {
    const hasTests = readdirSync(exercise.dir).some((name) => name.endsWith('.test.ts'))
    if (hasTests) report(exercise.folder, { problems: ['vitest found no tests for it'] })
    continue
  }
  if (tasks.length > 0) report(exercise.folder, { problems: taskCoverageProblems(tasks, solution) })
  report(exercise.folder, starterFindings(tasks, starter))
  report(exercise.folder, solutionFindings(solution))
  summaries.set(exercise.folder, summary(tasks, solution))
}
for (const [folder, problem] of chapterOrderProblems(chapters))
  report(folder, { problems: [problem] })

// Output: one line per exercise, then anything that belongs to no exercise.
const global = [
  ...starterRun.errors,
  ...solutionRun.errors,
  ...(typeErrors.get('') ?? []).map((error) => `tsc: ${error}`),
]
const folders = [...problems.keys()].sort()
let failed = 0
for (const folder of folders) {
  const [first, ...rest] = problems.get(folder) ?? []
  if (first === undefined) console.log(`${green('✓')} ${folder}  ${summaries.get(folder) ?? ''}`)
  else {
    failed++
    console.log(`${red('✗')} ${folder}  ${first}`)
    for (const problem of rest.slice(0, SHOWN_PROBLEMS - 1)) console.log(`    ${problem}`)
    if (rest.length >= SHOWN_PROBLEMS)
      console.log(`    ... and ${rest.length - SHOWN_PROBLEMS + 1} more`)
  }
  for (const warning of warnings.get(folder) ?? [])
    console.log(`    ${yellow('warning:')} ${warning}`)
}
for (const error of global) console.log(`${red('✗')} ${error}`)
const seconds = ((performance.now() - started) / 1000).toFixed(1)
console.log(
  failed + global.length === 0
    ? `All ${exercises.length} exercises pass the check (${seconds} s).`
    : `${failed} of ${folders.length} exercise folders have problems${
        global.length > 0 ? `, and ${global.length} more outside them` : ''
      } (${seconds} s).`,
)
process.exitCode = failed + global.length === 0 ? 0 : 1

// ---------------------------------------------------------------------------------------------

/** README, meta.json and files; returns the README's tasks. */
function checkStatic(exercise: Exercise): Task[] {
  report(exercise.folder, { problems: fileProblems(exercise) })
  const readme = join(exercise.dir, 'README.md')
  const { tasks, problems: readmeProblems } = existsSync(readme)
    ? readmeTasks(readFileSync(readme, 'utf8'))
    : { tasks: [], problems: [] }
  report(exercise.folder, { problems: readmeProblems })
  const metaFile = join(exercise.dir, 'meta.json')
  if (existsSync(metaFile)) {
    try {
      const meta = JSON.parse(readFileSync(metaFile, 'utf8'))
      report(exercise.folder, { problems: metaProblems(meta, exercise) })
      if (Number.isInteger(meta?.chapter)) chapters.set(exercise.folder, meta.chapter)
    } catch (error) {
      report(exercise.folder, { problems: [`meta.json is not valid JSON: ${error}`] })
    }
  }
  return tasks
}

function summary(tasks: readonly Task[], files: readonly FileRecord[]): string {
  const tests = files.reduce((sum, file) => sum + file.tests.length, 0)
  const ms = Math.round(files.reduce((sum, file) => sum + file.durationMs, 0))
  return `${tasks.length} tasks, ${tests} tests: the starter fails every task, the solution passes (${ms} ms)`
}

/** One vitest run over every exercise, against the starters or the solutions. */
async function vitest(variant: 'starter' | 'solution') {
  const outputFile = join(workDir, `${variant}.json`)
  const args = [
    join(repoRoot, 'node_modules/vitest/vitest.mjs'),
    'run',
    '--config',
    join(repoRoot, 'vitest.exercises.config.ts'),
    '--reporter=json',
    `--outputFile=${outputFile}`,
    '--passWithNoTests',
  ]
  const env = {
    ...process.env,
    LETITCRASH_SOLUTION: variant === 'solution' ? '1' : '',
    LETITCRASH_QUIET: '1',
  }
  const result = await run(process.execPath, args, { cwd: repoRoot, env, maxBuffer: 64 << 20 })
    .then(() => undefined)
    .catch((error: { stdout?: string; stderr?: string }) => error)
  if (!existsSync(outputFile)) {
    const output = `${result?.stderr ?? ''}${result?.stdout ?? ''}`.trim().split('\n').slice(-15)
    return {
      records: new Map<string, FileRecord[]>(),
      errors: [`vitest (${variant}s) did not run:\n${output.join('\n')}`],
    }
  }
  const report = JSON.parse(readFileSync(outputFile, 'utf8')) as VitestJsonReport
  const records = recordsFromVitestJson(report)
  const allPassed = report.testResults.every((file) =>
    file.assertionResults.every((test) => test.status === 'passed'),
  )
  // vitest also fails a run for errors outside any test (an unhandled rejection, say).
  const errors =
    variant === 'solution' && !report.success && allPassed
      ? [
          'vitest (solutions) reported an error outside the tests: run LETITCRASH_SOLUTION=1 npx vitest run --config vitest.exercises.config.ts',
        ]
      : []
  return { records, errors }
}

/**
 * tsc over the starters with their tests, the solutions, and a copy of each exercise with its
 * solution files swapped in (`.data/check-NN-slug/`, as deep as `exercises/NN-slug/`, so the
 * same relative imports work): the tests must type-check against the solution too. Errors by
 * exercise folder; '' holds errors in other files. Incremental: a second run takes seconds.
 */
async function typecheck(exercises: readonly Exercise[]): Promise<Map<string, string[]>> {
  for (const exercise of exercises) {
    const copy = overlayOf(exercise.folder)
    cpSync(exercise.dir, copy, { recursive: true })
    if (existsSync(exercise.solutionDir)) cpSync(exercise.solutionDir, copy, { recursive: true })
  }
  const include = [
    join(repoRoot, 'exercises'),
    join(repoRoot, 'solutions'),
    ...exercises.map((exercise) => overlayOf(exercise.folder)),
  ]
  const config = join(workDir, 'tsconfig.json')
  const ownBuildInfo = join(workDir, 'tsbuildinfo')
  if (existsSync(buildInfo)) cpSync(buildInfo, ownBuildInfo)
  writeFileSync(
    config,
    JSON.stringify({
      extends: join(repoRoot, 'tsconfig.json'),
      compilerOptions: {
        incremental: true,
        tsBuildInfoFile: ownBuildInfo,
        // As in tsconfig.json, plus the copies: their `../messages.ts` is found in exercises/.
        rootDirs: [join(repoRoot, 'exercises'), join(repoRoot, 'solutions'), dataDir],
      },
      include,
    }),
  )
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
  const output = await run(process.execPath, [tsc, '--pretty', 'false', '-p', config], {
    cwd: repoRoot,
    maxBuffer: 64 << 20,
  })
    .then(() => '')
    .catch((error: { stdout?: string }) => error.stdout ?? String(error))
  // A rename is atomic: a run side by side never reads half a file.
  if (existsSync(ownBuildInfo)) renameSync(ownBuildInfo, buildInfo)
  const errors = new Map<string, string[]>()
  const add = (folder: string, error: string) =>
    errors.set(folder, [...(errors.get(folder) ?? []), error])
  for (const line of output.split('\n').filter((l) => /error TS\d+/.test(l))) {
    const [, file, position, message] = /^(.*?)(\(\d+,\d+\))?: error (.*)$/.exec(line) ?? []
    const where = /^(exercises|solutions|\.data[/\\]check-\d+)[/\\-](\d\d-[^/\\]+)[/\\](.*)$/.exec(
      file ?? '',
    )
    if (!where) {
      add('', line)
      continue
    }
    const [, kind, folder, name] = where
    const what =
      kind === 'exercises'
        ? 'the starter does not type-check'
        : kind === 'solutions'
          ? 'the solution does not type-check'
          : 'the tests do not type-check against the solution'
    const shown = kind === 'solutions' ? 'solutions' : 'exercises'
    add(folder, `${what}: ${shown}/${folder}/${name}${position ?? ''} ${message}`)
  }
  if (output && errors.size === 0) add('', output.trim().split('\n').slice(0, 5).join('\n'))
  return errors
}

/**
 * Where the tests meet the solution: `.data/check-<run>-NN-slug/`, as deep in the repository
 * as `exercises/NN-slug/`, so that relative imports out of the folder reach the same files.
 */
function overlayOf(folder: string): string {
  return join(dataDir, `check-${runId}-${folder}`)
}

function removeOwnFiles(): void {
  rmSync(workDir, { recursive: true, force: true })
  for (const exercise of exercises)
    rmSync(overlayOf(exercise.folder), { recursive: true, force: true })
}

/** Files of earlier runs that ended without cleaning up (their process is gone). */
function removeLeftovers(): void {
  const gone = (pid: string) => {
    try {
      process.kill(Number(pid), 0)
      return false
    } catch {
      return true
    }
  }
  const runs = join(dataDir, 'check-exercises')
  for (const name of existsSync(runs) ? readdirSync(runs) : [])
    if (/^\d+$/.test(name) && gone(name)) rmSync(join(runs, name), { recursive: true, force: true })
  for (const name of existsSync(dataDir) ? readdirSync(dataDir) : []) {
    const pid = /^check-(\d+)-/.exec(name)?.[1]
    if (pid !== undefined && gone(pid))
      rmSync(join(dataDir, name), { recursive: true, force: true })
  }
}

function subfolders(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort()
    : []
}

function paint(code: number, text: string): string {
  return process.stdout.isTTY && !process.env.NO_COLOR ? `\x1b[${code}m${text}\x1b[0m` : text
}
function red(text: string) {
  return paint(31, text)
}
function green(text: string) {
  return paint(32, text)
}
function yellow(text: string) {
  return paint(33, text)
}
