/**
 * From raw test results to what the panel shows: tests grouped by task, failures worded as
 * vitest words them. Pure functions, used by the worker and by the page.
 */
import { processError } from '@vitest/utils/error'
import type { TaskResult, TestResult } from '../contract.ts'

/** One test as the worker reports it: where it sits (its describe blocks) and how it went. */
export interface RawResult extends TestResult {
  readonly file: string
  /** The names of the describe blocks around the test, outermost first. */
  readonly suites: readonly string[]
}

const TASK = /^task +(\d+) *[:.] *(.*)$/i

/**
 * Groups tests by the `describe('task N: title')` around them, in task order; tests outside a
 * task are grouped by their outermost describe (or their file) after the tasks, with task null.
 * A test's name includes the describe blocks between the task and the test: `inner › name`.
 */
export function groupByTask(results: readonly RawResult[]): TaskResult[] {
  const groups = new Map<string, { task: number | null; title: string; tests: TestResult[] }>()
  for (const { file, suites, name, ...rest } of results) {
    const at = suites.findIndex((suite) => TASK.test(suite))
    const task = at === -1 ? null : TASK.exec(suites[at])!
    const key = task ? `task ${Number(task[1])}` : `other ${suites[0] ?? file}`
    if (!groups.has(key)) {
      groups.set(key, {
        task: task ? Number(task[1]) : null,
        title: task ? task[2] : (suites[0] ?? file),
        tests: [],
      })
    }
    const inner = task ? suites.slice(at + 1) : suites.slice(1)
    groups.get(key)!.tests.push({ ...rest, name: [...inner, name].join(' › ') })
  }
  const order = (group: { task: number | null }) => group.task ?? Number.POSITIVE_INFINITY
  // Array.sort is stable: groups outside a task keep the order they appeared in.
  return [...groups.values()].sort((a, b) => order(a) - order(b))
}

const ANSI_COLOR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g')

/**
 * The failure as vitest prints it: `AssertionError: <your message>: expected 3 to be 4`, then
 * the `- Expected / + Received` diff, then where it happened in the exercise's files.
 * `files` are the paths the stack may point into (the runner names each module by its path).
 */
export function formatFailure(error: unknown, files: readonly string[] = []): string {
  if (error === null || typeof error !== 'object') return `Thrown: ${describeValue(error)}`
  const stack = (error as { stack?: unknown }).stack
  // processError adds the diff and serializes; it needs expected/actual, which only matchers set.
  const processed = processError(error) as { name?: string; message?: string; diff?: string }
  const name = processed.name ?? 'Error'
  const lines = [`${name}: ${processed.message ?? describeValue(error)}`]
  if (processed.diff) lines.push('', processed.diff)
  const where = typeof stack === 'string' ? firstFrameIn(stack, files) : undefined
  if (where) lines.push('', ` ❯ ${where}`)
  return lines.join('\n').replace(ANSI_COLOR, '')
}

/**
 * `counter.ts:12` for the first stack frame in one of `files`, or undefined. Lines only: the
 * compiled code keeps the file's lines, but not its columns.
 */
export function firstFrameIn(stack: string, files: readonly string[]): string | undefined {
  for (const frame of stack.split('\n')) {
    const location = /\(?([^\s()]+):(\d+):\d+\)?\s*$/.exec(frame)
    if (location && files.includes(location[1])) return `${location[1]}:${location[2]}`
  }
  return undefined
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return value
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}
