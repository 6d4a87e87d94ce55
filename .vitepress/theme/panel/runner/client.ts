/// <reference path="./virtual.d.ts" />
/**
 * The page's side of a run: hand the files to a fresh worker, collect what it reports, and stop
 * it when it takes too long (a `while (true) {}` never yields, so only terminating the worker
 * ends it). A worker serves one run; the next one is started in advance, so that its modules
 * are loaded by the time the learner runs the tests again.
 */
import type { Locale, RunReport } from '../contract.ts'
import { groupByTask, type RawResult } from './report.ts'
import type { RunRequest, WorkerEvent } from './types.ts'
import TestWorker from './worker.ts?worker'

let spare: Worker | undefined

function takeWorker(): Worker {
  const worker = spare ?? new TestWorker()
  spare = undefined
  return worker
}

/** Starts a worker for the next run now, so that it is ready when asked (loadExercise calls it). */
export function warmUp(): void {
  spare ??= new TestWorker()
}

export function run(
  files: Readonly<Record<string, string>>,
  testFiles: readonly string[],
  locale: Locale,
  timeoutMs: number,
): Promise<RunReport> {
  const started = performance.now()
  const worker = takeWorker()
  const results: RawResult[] = []
  const errors: string[] = []
  let running: string | undefined
  let finished = false

  return new Promise<RunReport>((resolve) => {
    const finish = () => {
      if (finished) return
      finished = true
      clearTimeout(timer)
      worker.terminate()
      warmUp()
      const ok =
        errors.length === 0 && results.length > 0 && results.every((r) => r.state === 'pass')
      if (results.length === 0 && errors.length === 0)
        errors.push('The test files register no tests.')
      resolve({
        ok,
        tasks: groupByTask(results),
        ...(errors.length > 0 && { error: errors.join('\n\n') }),
        durationMs: Math.round(performance.now() - started),
      })
    }
    const timer = setTimeout(() => {
      const where = running === undefined ? '' : ` It was running "${running}".`
      errors.push(
        `The tests did not finish within ${timeoutMs / 1000} s and were stopped.${where} Look for a loop that never ends: a loop that does not await anything keeps everything else from running.`,
      )
      finish()
    }, timeoutMs)
    worker.addEventListener('message', ({ data }: MessageEvent<WorkerEvent>) => {
      if (data.type === 'start') running = data.test
      else if (data.type === 'result') {
        running = undefined
        results.push(data.result)
      } else if (data.type === 'error') errors.push(data.message)
      else finish()
    })
    worker.addEventListener('error', (event) => {
      event.preventDefault()
      errors.push(`The test worker failed: ${event.message || 'it could not load'}.`)
      finish()
    })
    worker.postMessage({ type: 'run', files, testFiles, locale } satisfies RunRequest)
  })
}
