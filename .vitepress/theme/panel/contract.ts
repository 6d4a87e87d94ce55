/**
 * What the exercise panel's interface (components/) and its test runner (runner/) agree on.
 * The interface imports these types and the two functions of `runner/index.ts`; the runner
 * loads its heavy parts (the worker, the runtime, the exercise's files) only when called.
 */

export type Locale = 'en' | 'ko'

/** Everything the panel needs about one exercise, loaded on demand. */
export interface ExerciseBundle {
  /** `'03-counter'` */
  readonly id: string
  readonly title: string
  /** Hints in task order, rendered to HTML for the given locale. */
  readonly hints: readonly {
    readonly task: number
    readonly title: string
    readonly html: string
  }[]
  /** The files the learner edits (path relative to the exercise folder → starter content). */
  readonly starter: Readonly<Record<string, string>>
  /** The same paths → the reference solution's content. */
  readonly solution: Readonly<Record<string, string>>
  /** The test files, read-only in the panel (path → content). */
  readonly tests: Readonly<Record<string, string>>
  /**
   * Files the tests need that the learner does not edit (path → content): the exercise's other
   * files and what they import from outside the folder (`../messages.ts`). Read-only.
   */
  readonly given?: Readonly<Record<string, string>>
  /**
   * False when the tests need Node (a database, the file system, sockets): the panel then
   * offers StackBlitz and the CLI only, and says why (`reason`).
   */
  readonly runsInBrowser: boolean
  readonly reason?: string
}

export interface TestResult {
  readonly name: string
  readonly state: 'pass' | 'fail' | 'skip'
  /** The failure message, as vitest would print it (assertion message, expected/actual). */
  readonly message?: string
  /**
   * For a failed test only: the crash reports the runtime logged and what the code printed
   * (console.log) during the test, often the best clue (`Error: TODO` in the starter).
   */
  readonly logs?: string
}

export interface TaskResult {
  /** The task number from `describe('task N: ...')`, or null for tests outside a task. */
  readonly task: number | null
  readonly title: string
  readonly tests: readonly TestResult[]
}

export interface RunReport {
  /** True when every test passed. */
  readonly ok: boolean
  readonly tasks: readonly TaskResult[]
  /** Set when the code could not run at all (syntax error, missing export, a hang). */
  readonly error?: string
  readonly durationMs: number
}

export interface RunOptions {
  readonly locale: Locale
  /** Give up and report an error after this long (default 10 s); the worker is replaced. */
  readonly timeoutMs?: number
}
