/**
 * One run, inside the worker: load each test file with the learner's files, run its tests with
 * the vitest shim, and tell the page about each test as it finishes. Each test file gets fresh
 * modules, as under vitest; the worker itself is fresh for every run (client.ts).
 */
import { format } from '@vitest/utils/display'
import type { Logger } from 'letitcrash'
import { createLoader } from './modules.ts'
import { firstFrameIn, formatFailure, type RawResult } from './report.ts'
import type { RunRequest, WorkerEvent } from './types.ts'
import { createVitest, runSuite } from './vitest-shim.ts'

/** The modules the worker provides besides `'vitest'`: the runtime and xstate. */
export interface Builtins {
  readonly letitcrash: { setLogger(logger: Logger): Logger }
  readonly [name: string]: unknown
}

export async function runRequest(
  request: RunRequest,
  builtins: Builtins,
  send: (event: WorkerEvent) => void,
): Promise<void> {
  // Tests may word their failure messages in the reader's language (issue 8).
  ;(globalThis as { LETITCRASH_LOCALE?: string }).LETITCRASH_LOCALE = request.locale
  const paths = Object.keys(request.files)
  const logs = captureLogs(builtins, paths)

  try {
    for (const file of request.testFiles) {
      const created = createVitest()
      try {
        createLoader(request.files, { ...builtins, vitest: created.vitest }).load(file)
      } catch (error) {
        send({ type: 'error', message: `${file} could not run.\n${formatFailure(error, paths)}` })
        continue
      }
      await runSuite(created, {
        onTestStart(suites, name) {
          logs.clear()
          send({ type: 'start', test: [...suites, name].join(' › ') })
        },
        onTestEnd({ suites, name, state, error }) {
          const result: RawResult = { file, suites, name, state }
          const failed = state === 'fail'
          const printed = logs.text()
          send({
            type: 'result',
            result: {
              ...result,
              ...(failed && { message: formatFailure(error, paths) }),
              ...(failed && printed && { logs: printed }),
            },
          })
        },
        onError(error) {
          send({ type: 'error', message: `${file}: ${formatFailure(error, paths)}` })
        },
      })
    }
  } finally {
    logs.restore()
  }
  send({ type: 'done' })
}

/**
 * Collects the runtime's crash reports and the code's console output, per test; as in
 * scripts/exercises/setup.ts, they are shown for failed tests only.
 */
function captureLogs(builtins: Builtins, paths: readonly string[]) {
  let lines: string[] = []
  const originalConsole = { ...console }
  const previousLogger = builtins.letitcrash.setLogger((report) => {
    const where = report.stack ? firstFrameIn(report.stack, paths) : undefined
    lines.push(where ? `${report.message}\n ❯ ${where}` : report.message)
  })
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    console[level] = (...args: unknown[]) => {
      lines.push(format(...args))
    }
  }
  return {
    clear: () => void (lines = []),
    text: () => lines.join('\n'),
    restore() {
      Object.assign(console, originalConsole)
      builtins.letitcrash.setLogger(previousLogger)
    },
  }
}
