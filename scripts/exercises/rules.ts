/**
 * The rules `npm run check:exercises` holds every exercise to, as functions from what is on
 * disk (or what vitest reported) to a list of problems. `scripts/check-exercises.ts` gathers
 * the inputs and prints the verdicts; `rules.test.ts` pins each rule down.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { EXERCISE_FOLDER, type Exercise } from './catalog.ts'

/** A numbered task of an exercise's README (`## 2. Play n rounds`). */
export interface Task {
  readonly number: number
  readonly title: string
}

/** What one verdict says: problems fail the check, warnings do not. */
export interface Findings {
  readonly problems: string[]
  readonly warnings: string[]
}

/** One test as vitest reported it. */
export interface TestRecord {
  /** From the outermost `describe('task N: ...')`; undefined outside any task. */
  readonly task: number | undefined
  readonly name: string
  readonly status: 'passed' | 'failed' | 'skipped'
  /** The first line of the first failure message. */
  readonly message: string
  readonly timedOut: boolean
}

/** One test file's run. */
export interface FileRecord {
  readonly file: string
  /** Set when the file itself failed (it did not load): no tests ran. */
  readonly loadError: string | undefined
  readonly tests: readonly TestRecord[]
  readonly durationMs: number
}

/** Highest chapter number in CURRICULUM.md. */
const LAST_CHAPTER = 15
const META_KEYS = ['slug', 'title', 'chapter', 'concepts', 'prerequisites', 'outOfScope']
/** Exercise tests use the virtual clock; a file slower than this does something wrong. */
export const SLOW_EXERCISE_MS = 2000

// README and meta.json ---------------------------------------------------------------------

/** The README's tasks, and what is wrong with its tasks and hints. */
export function readmeTasks(markdown: string): { tasks: Task[]; problems: string[] } {
  const problems: string[] = []
  const [body, hints] = splitAt(markdown, /^## Hints\s*$/m)
  const tasks = [...body.matchAll(/^## (\d+)\. +(\S.*)$/gm)].map((m) => ({
    number: Number(m[1]),
    title: m[2].trim(),
  }))
  if (tasks.length === 0) problems.push("README has no tasks (headings like '## 1. Title')")
  tasks.forEach((task, i) => {
    if (task.number !== i + 1)
      problems.push(`README task '## ${task.number}.' should be number ${i + 1}`)
  })
  if (hints === undefined) problems.push("README has no '## Hints' section")
  else {
    const hinted = new Set([...hints.matchAll(/^### (\d+)\./gm)].map((m) => Number(m[1])))
    const missing = tasks.filter((task) => !hinted.has(task.number)).map((task) => task.number)
    if (missing.length > 0)
      problems.push(`README hints have no '### N.' heading for task ${missing.join(', ')}`)
  }
  return { tasks, problems }
}

/** What is wrong with `meta.json`'s content (already parsed) for `exercise`. */
export function metaProblems(meta: unknown, exercise: Exercise): string[] {
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta))
    return ['meta.json is not a JSON object']
  const record = meta as Record<string, unknown>
  const problems: string[] = []
  const unknown = Object.keys(record).filter((key) => !META_KEYS.includes(key))
  const missing = META_KEYS.filter((key) => !(key in record))
  if (unknown.length > 0) problems.push(`meta.json has unknown keys: ${unknown.join(', ')}`)
  if (missing.length > 0) problems.push(`meta.json lacks: ${missing.join(', ')}`)
  if ('slug' in record && record.slug !== exercise.slug)
    problems.push(
      `meta.json slug is ${JSON.stringify(record.slug)}, the folder says '${exercise.slug}'`,
    )
  if ('title' in record && (typeof record.title !== 'string' || record.title.trim() === ''))
    problems.push('meta.json title must be a non-empty string')
  const { chapter } = record
  if (
    'chapter' in record &&
    !(Number.isInteger(chapter) && (chapter as number) >= 0 && (chapter as number) <= LAST_CHAPTER)
  )
    problems.push(`meta.json chapter must be a CURRICULUM.md chapter number, got ${chapter}`)
  for (const key of ['concepts', 'prerequisites', 'outOfScope']) {
    const value = record[key]
    if (key in record && !(Array.isArray(value) && value.every((v) => typeof v === 'string')))
      problems.push(`meta.json ${key} must be an array of strings`)
  }
  return problems
}

/** Exercises come in the course's order: a chapter number never goes down. */
export function chapterOrderProblems(chapters: ReadonlyMap<string, number>): Map<string, string> {
  const problems = new Map<string, string>()
  let previous: [folder: string, chapter: number] | undefined
  for (const [folder, chapter] of [...chapters].sort(([a], [b]) => a.localeCompare(b))) {
    if (previous && chapter < previous[1])
      problems.set(
        folder,
        `meta.json chapter ${chapter} comes after ${previous[0]}'s chapter ${previous[1]}: exercises follow the course's order`,
      )
    previous = [folder, chapter]
  }
  return problems
}

// Folders and files -----------------------------------------------------------------------

/** Folder names and numbers: `NN-slug`, each number once, each solution with an exercise. */
export function folderProblems(
  exerciseFolders: readonly string[],
  solutionFolders: readonly string[],
): Map<string, string[]> {
  const problems = new Map<string, string[]>()
  const add = (folder: string, problem: string) =>
    problems.set(folder, [...(problems.get(folder) ?? []), problem])
  for (const folder of exerciseFolders) {
    if (!EXERCISE_FOLDER.test(folder))
      add(folder, 'folder name must be NN-slug (two digits, a dash, a kebab-case slug)')
    const twin = exerciseFolders.find(
      (other) => other !== folder && other.slice(0, 2) === folder.slice(0, 2),
    )
    if (twin) add(folder, `number ${folder.slice(0, 2)} is taken twice (also ${twin})`)
    if (!solutionFolders.includes(folder)) add(folder, `no solution folder solutions/${folder}/`)
  }
  for (const folder of solutionFolders)
    if (!exerciseFolders.includes(folder))
      add(folder, `solutions/${folder}/ has no exercise exercises/${folder}/`)
  return problems
}

/** The starter and solution files: TODOs where they belong, names that match, tests present. */
export function fileProblems(exercise: Exercise): string[] {
  const problems: string[] = []
  const starters = tsFiles(exercise.dir).filter((name) => !name.endsWith('.test.ts'))
  const tests = tsFiles(exercise.dir).filter((name) => name.endsWith('.test.ts'))
  if (!existsSync(join(exercise.dir, 'README.md'))) problems.push('no README.md')
  if (!existsSync(join(exercise.dir, 'meta.json'))) problems.push('no meta.json')
  if (tests.length === 0) problems.push('no test file (*.test.ts)')
  if (starters.length === 0) problems.push('no starter .ts file')
  else if (!starters.some((name) => read(exercise.dir, name).includes('TODO:')))
    problems.push("the starter has no 'TODO:' marking where the learner writes code")
  if (!existsSync(exercise.solutionDir)) return problems
  const solutions = tsFiles(exercise.solutionDir)
  if (solutions.length === 0) problems.push(`solutions/${exercise.folder}/ has no .ts file`)
  for (const name of solutions) {
    if (name.endsWith('.test.ts'))
      problems.push(`solutions/${exercise.folder}/${name}: tests belong in exercises/ only`)
    else if (!starters.includes(name))
      problems.push(
        `solutions/${exercise.folder}/${name} has no starter exercises/${exercise.folder}/${name}`,
      )
    if (/\bTODO:/.test(read(exercise.solutionDir, name)))
      problems.push(`solutions/${exercise.folder}/${name} still contains 'TODO:'`)
  }
  return problems
}

// Test results ------------------------------------------------------------------------------

/** Tests and task numbers agree with the README: every task tested, every test in a task. */
export function taskCoverageProblems(
  tasks: readonly Task[],
  files: readonly FileRecord[],
): string[] {
  const problems: string[] = []
  const tests = files.flatMap((file) => file.tests)
  const numbers = new Set(tasks.map((task) => task.number))
  for (const task of tasks)
    if (!tests.some((test) => test.task === task.number))
      problems.push(`task ${task.number} has no tests (describe('task ${task.number}: ...'))`)
  const outside = tests.filter((test) => test.task === undefined)
  if (outside.length > 0)
    problems.push(`test '${outside[0].name}' is not inside a describe('task N: ...')`)
  const extra = [...new Set(tests.map((test) => test.task))].filter(
    (n): n is number => n !== undefined && !numbers.has(n),
  )
  if (extra.length > 0) problems.push(`tests for task ${extra.join(', ')}, which the README lacks`)
  return problems
}

/** Against the starter, every task must fail at least one test, quickly and on purpose. */
export function starterFindings(tasks: readonly Task[], files: readonly FileRecord[]): Findings {
  const findings: Findings = { problems: loadProblems('starter', files), warnings: [] }
  for (const task of tasks) {
    const tests = files.flatMap((file) => file.tests).filter((test) => test.task === task.number)
    const failed = tests.filter((test) => test.status === 'failed')
    if (tests.length > 0 && failed.length === 0)
      findings.problems.push(
        `the starter already passes task ${task.number} (${task.title}): its tests must fail until the learner does the task`,
      )
    else if (failed.length > 0 && failed.every((test) => test.timedOut))
      findings.warnings.push(
        `task ${task.number} fails against the starter only by timing out: make a test fail fast, with a message that teaches`,
      )
  }
  return findings
}

/** Against the solution, everything passes, nothing is skipped, and it runs fast. */
export function solutionFindings(files: readonly FileRecord[]): Findings {
  const findings: Findings = { problems: loadProblems('solution', files), warnings: [] }
  for (const test of files.flatMap((file) => file.tests)) {
    if (test.status === 'failed')
      findings.problems.push(`the solution fails '${test.name}': ${test.message}`)
    if (test.status === 'skipped')
      findings.problems.push(`'${test.name}' is skipped (.skip/.todo/.only hide gaps)`)
  }
  const ms = files.reduce((sum, file) => sum + file.durationMs, 0)
  if (ms > SLOW_EXERCISE_MS)
    findings.warnings.push(
      `the tests take ${Math.round(ms)} ms against the solution; aim for < 2 s`,
    )
  return findings
}

function loadProblems(variant: string, files: readonly FileRecord[]): string[] {
  return files
    .filter((file) => file.loadError !== undefined)
    .map((file) => `${file.file} does not run against the ${variant}: ${file.loadError}`)
}

/**
 * Vitest's JSON report (`--reporter=json`), as test records per exercise folder.
 * @example recordsFromVitestJson(JSON.parse(text)).get('01-ping-pong')
 */
export function recordsFromVitestJson(report: VitestJsonReport): Map<string, FileRecord[]> {
  const byExercise = new Map<string, FileRecord[]>()
  for (const file of report.testResults) {
    const match = /exercises[/\\]([^/\\]+)[/\\]([^/\\]+)$/.exec(file.name)
    if (!match) continue
    const tests = file.assertionResults.map((test): TestRecord => {
      const task = /^task (\d+)\b/.exec(test.ancestorTitles[0] ?? '')
      const failure = test.failureMessages?.[0] ?? ''
      return {
        task: task ? Number(task[1]) : undefined,
        name: [...test.ancestorTitles, test.title].join(' > '),
        status:
          test.status === 'passed' ? 'passed' : test.status === 'failed' ? 'failed' : 'skipped',
        message: failure.split('\n')[0],
        timedOut: /Test timed out in/.test(failure),
      }
    })
    const loadError =
      tests.length === 0 && file.status === 'failed'
        ? (file.message || 'failed').split('\n')[0]
        : undefined
    const record = { file: match[2], loadError, tests, durationMs: file.endTime - file.startTime }
    byExercise.set(match[1], [...(byExercise.get(match[1]) ?? []), record])
  }
  return byExercise
}

/** The part of vitest's JSON report the check reads. */
export interface VitestJsonReport {
  readonly success: boolean
  readonly testResults: readonly {
    readonly name: string
    readonly status: string
    readonly message: string
    readonly startTime: number
    readonly endTime: number
    readonly assertionResults: readonly {
      readonly ancestorTitles: readonly string[]
      readonly title: string
      readonly status: string
      readonly failureMessages?: readonly string[]
    }[]
  }[]
}

// Helpers -----------------------------------------------------------------------------------

function splitAt(text: string, heading: RegExp): [before: string, after: string | undefined] {
  const match = heading.exec(text)
  return match ? [text.slice(0, match.index), text.slice(match.index)] : [text, undefined]
}

function tsFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.ts')) : []
}

function read(dir: string, name: string): string {
  return readFileSync(join(dir, name), 'utf8')
}
