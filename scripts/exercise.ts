/**
 * The learner's commands for the exercises:
 *
 *   npm run exercises                  every exercise, with your progress
 *   npm run exercise -- 03             work on one: its tests run on every save, with a
 *                                      pass/fail summary per task
 *   npm run exercise -- 03 --once      run its tests once; exit status 0 when solved
 *   npm run exercise                   the first exercise you have not solved yet
 *   ... --solution                     run the tests against solutions/ instead (for authors)
 *
 * Progress is the result of the last run of each exercise against `exercises/`, kept in
 * `.data/progress.json` (see scripts/exercises/progress.ts).
 */
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { startVitest } from 'vitest/node'
import {
  type Exercise,
  findExercise,
  fingerprint,
  listExercises,
  readMeta,
  repoRoot,
} from './exercises/catalog.ts'
import { type Progress, readProgress, recordProgress } from './exercises/progress.ts'
import { TaskReporter } from './exercises/task-reporter.ts'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    list: { type: 'boolean', default: false },
    once: { type: 'boolean', default: false },
    solution: { type: 'boolean', default: false },
  },
})

const exercises = listExercises()
if (values.list) {
  list(exercises, readProgress())
} else {
  const exercise = pick(positionals[0])
  if (exercise) await run(exercise, values)
}

function list(exercises: readonly Exercise[], progress: Progress): void {
  if (exercises.length === 0) {
    console.log('No exercises yet.')
    return
  }
  const rows = exercises.map((exercise) => {
    const meta = readMeta(exercise)
    const chapter = `chapter ${meta?.chapter ?? '?'}`
    return [
      exercise.number,
      meta?.title ?? exercise.slug,
      chapter,
      describeProgress(exercise, progress),
    ]
  })
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column].length)))
  console.log('Progress is the result of the last run of each exercise (npm run exercise -- NN).\n')
  for (const row of rows)
    console.log(`  ${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('   ')}`)
  const solved = exercises.filter((exercise) => progress[exercise.folder]?.solved).length
  const next = exercises.find((exercise) => !progress[exercise.folder]?.solved)
  console.log(`\n${solved} of ${exercises.length} solved.`)
  if (next) console.log(`Next: npm run exercise -- ${next.number}`)
}

function describeProgress(exercise: Exercise, progress: Progress): string {
  const record = progress[exercise.folder]
  if (!record) return '· not run yet'
  const stale = record.fingerprint === fingerprint(exercise) ? '' : ' (edited since the last run)'
  if (record.solved) return `✓ solved${stale}`
  return `${record.tasksDone}/${record.tasks} tasks${stale}`
}

/** The exercise the command line names, or the first one not solved yet. */
function pick(query: string | undefined): Exercise | undefined {
  if (query === undefined) {
    const progress = readProgress()
    const next = exercises.find((exercise) => !progress[exercise.folder]?.solved)
    if (!next) console.log('Every exercise is solved. Run one again with npm run exercise -- NN.')
    return next
  }
  const exercise = findExercise(query)
  if (!exercise) {
    console.error(`No exercise '${query}'. These exist:`)
    for (const e of exercises) console.error(`  ${e.number}  ${e.folder}`)
    process.exitCode = 1
  }
  return exercise
}

async function run(exercise: Exercise, options: { once: boolean; solution: boolean }) {
  // Read by vitest.exercises.config.ts: the tests then import the solution's files.
  if (options.solution) process.env.LETITCRASH_SOLUTION = '1'
  let solved = false
  const reporter = new TaskReporter({
    onResult: (results) => {
      solved = results.some((result) => result.exercise === exercise.folder && result.solved)
      if (!options.solution) recordProgress(results, exercises)
    },
    onSolved: (folder) => {
      const next = exercises[exercises.findIndex((e) => e.folder === folder) + 1]
      return [
        `Compare with the reference solution in solutions/${folder}/.`,
        next
          ? `Next: npm run exercise -- ${next.number}  (${next.folder})`
          : 'That was the last one.',
      ]
    },
  })
  const vitest = await startVitest('test', [`exercises/${exercise.folder}/`], {
    config: join(repoRoot, 'vitest.exercises.config.ts'),
    watch: !options.once,
    reporters: [reporter],
  })
  if (options.once) {
    await vitest.close()
    process.exitCode = solved ? 0 : 1
  }
}
