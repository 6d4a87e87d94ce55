/**
 * The learner's progress, kept in `.data/progress.json` (git-ignored): for each exercise, the
 * result of its last run against `exercises/` (`npm run exercise`), and a fingerprint of its
 * files then, so that `npm run exercises` can tell when a result is out of date.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { type Exercise, fingerprint, repoRoot } from './catalog.ts'
import type { ExerciseResult } from './task-reporter.ts'

export interface ExerciseProgress {
  readonly solved: boolean
  /** Tasks whose tests all passed, and the number of tasks. */
  readonly tasksDone: number
  readonly tasks: number
  /** The exercise's files when it ran (see `fingerprint`). */
  readonly fingerprint: string
  /** When it ran, as an ISO date. */
  readonly at: string
}

export type Progress = Record<string, ExerciseProgress>

export const progressFile = join(repoRoot, '.data', 'progress.json')

export function readProgress(file = progressFile): Progress {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Progress
  } catch {
    return {}
  }
}

/** Records the results of a run; exercises that did not run keep their last record. */
export function recordProgress(
  results: readonly ExerciseResult[],
  exercises: readonly Exercise[],
  file = progressFile,
): void {
  const progress = readProgress(file)
  for (const result of results) {
    const exercise = exercises.find((e) => e.folder === result.exercise)
    if (!exercise) continue
    const tasks = result.tasks.filter((task) => task.number > 0)
    progress[exercise.folder] = {
      solved: result.solved,
      tasksDone: tasks.filter((task) => task.passed === task.total).length,
      tasks: tasks.length,
      fingerprint: fingerprint(exercise),
      at: new Date().toISOString(),
    }
  }
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, `${JSON.stringify(progress, null, 2)}\n`)
}
