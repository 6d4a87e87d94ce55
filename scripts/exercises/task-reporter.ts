/**
 * A vitest reporter for learners: after each run it prints, per exercise, which tasks pass
 * (tests are grouped `describe('task N: ...')`), then the failing tests of the first task
 * that is not done yet, with their messages and the crash reports logged during them.
 *
 *   01-ping-pong
 *     ✓ task 1: answer pings              4/4
 *     ✗ task 2: play n rounds             1/4
 *
 * Used by `npm run exercise` and by the StackBlitz projects, so it imports nothing but vitest
 * and Node.
 */
import { relative } from 'node:path'
import type { Reporter, SerializedError, TestCase, TestModule, Vitest } from 'vitest/node'

/** How one task of an exercise did in the last run. */
export interface TaskResult {
  /** The task number from `describe('task N: ...')`; 0 for tests outside any task. */
  readonly number: number
  /** The describe's name, e.g. `task 2: play n rounds`. */
  readonly title: string
  readonly passed: number
  readonly total: number
  readonly failures: readonly FailedTest[]
}

export interface FailedTest {
  readonly name: string
  readonly message: string
  readonly logs: readonly string[]
}

/** One exercise's result: its tasks in order, and errors that kept tests from running. */
export interface ExerciseResult {
  /** The exercise folder, e.g. `01-ping-pong`. */
  readonly exercise: string
  readonly tasks: readonly TaskResult[]
  readonly errors: readonly string[]
  /** Every test ran and passed. */
  readonly solved: boolean
}

export interface TaskReporterOptions {
  /** Called after each run with the result of every exercise that ran. */
  onResult?: (results: readonly ExerciseResult[]) => void
  /** Lines to print when `exercise` is solved (where the solution is, what comes next). */
  onSolved?: (exercise: string) => readonly string[]
}

/** Failing tests shown in full for the next task: the first few say enough. */
const SHOWN_FAILURES = 3

type ConsoleLog = Parameters<NonNullable<Reporter['onUserConsoleLog']>>[0]

export class TaskReporter implements Reporter {
  private vitest: Vitest | undefined
  /** The latest run of each test file: in watch mode only changed files run again. */
  private readonly modules = new Map<string, TestModule>()
  private readonly logs = new Map<string, string[]>()

  constructor(private readonly options: TaskReporterOptions = {}) {}

  onInit(vitest: Vitest): void {
    this.vitest = vitest
  }

  onWatcherRerun(): void {
    // A fresh screen per run: the summary is the whole story, not a scrollback of old ones.
    this.vitest?.logger.clearFullScreen()
  }

  onUserConsoleLog(log: ConsoleLog): void {
    if (log.taskId === undefined) return
    const logs = this.logs.get(log.taskId) ?? []
    logs.push(log.content.trimEnd())
    this.logs.set(log.taskId, logs)
  }

  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
  ): void {
    for (const module of testModules) this.modules.set(module.moduleId, module)
    const results = this.results(unhandledErrors)
    const lines = results.flatMap((result) => this.describe(result))
    if (results.length === 0) lines.push('No exercise tests ran.')
    if (this.vitest?.config.watch)
      lines.push('', dim('Watching for changes: save a file to run again, press q to quit.'))
    this.print(lines.join('\n'))
    this.options.onResult?.(results)
    this.logs.clear()
  }

  private results(unhandledErrors: ReadonlyArray<SerializedError>): ExerciseResult[] {
    const byExercise = new Map<string, TestModule[]>()
    for (const module of this.modules.values()) {
      const exercise = exerciseOf(module.moduleId)
      byExercise.set(exercise, [...(byExercise.get(exercise) ?? []), module])
    }
    return [...byExercise.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([exercise, modules]) => {
        const tasks = new Map<number, { title: string; tests: TestCase[] }>()
        for (const test of modules.flatMap((module) => [...module.children.allTests()])) {
          const { number, title } = taskOf(test)
          const task = tasks.get(number) ?? { title, tests: [] }
          task.tests.push(test)
          tasks.set(number, task)
        }
        const errors = [
          ...modules.flatMap((module) =>
            module.errors().map((error) => `${module.relativeModuleId}: ${formatError(error)}`),
          ),
          ...unhandledErrors.map((error) => `unhandled error: ${formatError(error)}`),
        ]
        const taskResults = [...tasks.entries()]
          .sort(([a], [b]) => a - b)
          .map(([number, { title, tests }]) => this.taskResult(number, title, tests))
        const solved =
          errors.length === 0 &&
          taskResults.length > 0 &&
          taskResults.every((task) => task.passed === task.total)
        return { exercise, tasks: taskResults, errors, solved }
      })
  }

  private taskResult(number: number, title: string, tests: TestCase[]): TaskResult {
    const failed = tests.filter((test) => test.result().state !== 'passed')
    const failures = failed.map((test) => {
      const result = test.result()
      const errors = result.state === 'failed' ? result.errors : []
      const message =
        result.state === 'skipped' ? 'skipped' : errors.map(formatError).join('\n') || 'failed'
      return { name: test.name, message, logs: this.logs.get(test.id) ?? [] }
    })
    return { number, title, passed: tests.length - failed.length, total: tests.length, failures }
  }

  private describe(result: ExerciseResult): string[] {
    const lines = ['', bold(result.exercise)]
    const width = Math.max(...result.tasks.map((task) => task.title.length), 0)
    for (const task of result.tasks) {
      const done = task.passed === task.total
      const mark = done ? green('✓') : red('✗')
      lines.push(`  ${mark} ${task.title.padEnd(width)}  ${task.passed}/${task.total}`)
    }
    for (const error of result.errors)
      lines.push('', red('The tests could not run:'), indent(error))
    const next = result.tasks.find((task) => task.passed < task.total)
    const done = result.tasks.filter((task) => task.passed === task.total && task.number > 0)
    const numbered = result.tasks.filter((task) => task.number > 0)
    if (next) {
      lines.push('', `Next: ${bold(next.title)}`)
      for (const failure of next.failures.slice(0, SHOWN_FAILURES)) {
        lines.push(`  ${red('✗')} ${failure.name}`, indent(failure.message, 6))
        for (const log of failure.logs) lines.push(indent(dim(log), 6))
      }
      const more = next.failures.length - SHOWN_FAILURES
      if (more > 0) lines.push(`  ... and ${more} more failing ${more === 1 ? 'test' : 'tests'}`)
    }
    if (result.solved) {
      lines.push('', green(`Solved: all ${numbered.length} tasks pass.`))
      lines.push(...(this.options.onSolved?.(result.exercise) ?? []))
    } else {
      lines.push('', `${done.length} of ${numbered.length} tasks done.`)
      lines.push(`Tasks and hints: exercises/${result.exercise}/README.md`)
    }
    return lines
  }

  private print(text: string): void {
    if (this.vitest) this.vitest.logger.log(text)
    else console.log(text)
  }
}

/** `01-ping-pong` for `/…/exercises/01-ping-pong/ping-pong.test.ts`. */
function exerciseOf(moduleId: string): string {
  const match = /exercises[/\\]([^/\\]+)[/\\]/.exec(moduleId)
  return match ? match[1] : relative(process.cwd(), moduleId)
}

/** The task a test belongs to: its outermost `describe('task N: ...')`. */
function taskOf(test: TestCase): { number: number; title: string } {
  let title: string | undefined
  for (let suite = test.parent; suite.type === 'suite'; suite = suite.parent) title = suite.name
  const match = title === undefined ? null : /^task (\d+)\b/.exec(title)
  return match ? { number: Number(match[1]), title: title! } : { number: 0, title: 'other tests' }
}

function formatError(error: SerializedError): string {
  const message = error.message.split('\n').slice(0, 8).join('\n')
  const frame = error.stacks?.find((stack) => !stack.file.includes('node_modules'))
  const where = frame ? `\n  at ${relative(process.cwd(), frame.file)}:${frame.line}` : ''
  return `${message}${where}`
}

function indent(text: string, spaces = 4): string {
  return text.replace(/^/gm, ' '.repeat(spaces))
}

const colors = process.stdout.isTTY === true && !process.env.NO_COLOR
const paint = (code: number) => (text: string) => (colors ? `\x1b[${code}m${text}\x1b[0m` : text)
const bold = paint(1)
const dim = paint(2)
const red = paint(31)
const green = paint(32)
