/**
 * The shapes the runner's parts pass each other: the exercise data the build generates (one
 * chunk per exercise) and the messages between the page and the test worker.
 */
import type { Locale } from '../contract.ts'
import type { RawResult } from './report.ts'

export interface Hint {
  readonly task: number
  readonly title: string
  /** Rendered at build time; code blocks are highlighted as on the course pages. */
  readonly html: string
}

/** One exercise as the build hands it to the page: `virtual:letitcrash/exercise/NN-slug`. */
export interface ExerciseData {
  readonly id: string
  readonly title: { readonly en: string; readonly ko?: string }
  readonly hints: { readonly en: readonly Hint[]; readonly ko?: readonly Hint[] }
  /** The files the learner edits: the exercise's files that its solution replaces. */
  readonly starter: Readonly<Record<string, string>>
  readonly solution: Readonly<Record<string, string>>
  /**
   * Files the tests need but the learner does not edit: the exercise's other files, and files
   * outside the exercise folder that it imports (`../../chat/...`).
   */
  readonly given: Readonly<Record<string, string>>
  readonly tests: Readonly<Record<string, string>>
  readonly runsInBrowser: boolean
  readonly reason?: string
}

/** The page asks the worker to run `testFiles` among `files` (every file the tests need). */
export interface RunRequest {
  readonly type: 'run'
  readonly files: Readonly<Record<string, string>>
  readonly testFiles: readonly string[]
  readonly locale: Locale
}

/** What the worker tells the page while it runs, in order; `done` comes last. */
export type WorkerEvent =
  | { readonly type: 'start'; readonly test: string }
  | { readonly type: 'result'; readonly result: RawResult }
  /** A file that could not load, an afterAll hook that failed, an unhandled rejection. */
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'done' }
