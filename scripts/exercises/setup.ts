/**
 * Setup for every exercise test file (`vitest.exercises.config.ts`, and the StackBlitz project).
 *
 * Exercise tests crash processes on purpose, so crash reports stay quiet. But when a test fails,
 * the crash reports logged during it are often the best clue (an `Error: TODO: ...` from the
 * starter, or a `TypeError` in the learner's code), so they are printed for failed tests only.
 * `LETITCRASH_QUIET=1` keeps them quiet even then (`npm run check:exercises` sets it).
 */
import { setLogger } from 'letitcrash'
import { beforeEach } from 'vitest'

let reports: string[] = []

setLogger((report) => {
  reports.push(report.stack ? `${report.message}\n${trimStack(report.stack)}` : report.message)
})

beforeEach(({ onTestFailed }) => {
  reports = []
  onTestFailed(() => {
    if (reports.length === 0 || process.env.LETITCRASH_QUIET === '1') return
    console.log(`Crash reports during this test:\n${reports.join('\n')}`)
  })
})

/** The stack's frames in the learner's code, without the runtime's and vitest's. */
function trimStack(stack: string): string {
  const frames = stack.split('\n').filter((line) => /^\s+at /.test(line))
  const own = frames.filter(
    (line) => !/node_modules|node:internal|[/\\](runtime|letitcrash)[/\\]/.test(line),
  )
  return own.slice(0, 4).join('\n').replaceAll(`${process.cwd()}/`, '')
}
