/**
 * The test runner, loaded when the learner opens a panel and not before: the runner brings the
 * runtime, the test harness and a worker, far too much for a page that is only being read.
 */
import type { ExerciseBundle, Locale, RunOptions, RunReport } from '../contract.ts'

export interface Runner {
  loadExercise(id: string, locale: Locale): Promise<ExerciseBundle>
  runTests(
    id: string,
    files: Readonly<Record<string, string>>,
    options: RunOptions,
  ): Promise<RunReport>
}

let runner: Promise<Runner> | undefined

export function loadRunner(): Promise<Runner> {
  runner ??= import('../runner/index.ts')
  runner.catch(() => {
    runner = undefined
  })
  return runner
}
