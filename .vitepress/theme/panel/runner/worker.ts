/**
 * The test worker: it loads the runtime, sucrase and the vitest shim once, runs one request and
 * is then thrown away (client.ts), so no process, timer or module state outlives a run.
 */
import * as xstate from 'xstate'
import * as letitcrash from '../../../../runtime/index.ts'
import { formatFailure } from './report.ts'
import { runRequest } from './run.ts'
import type { RunRequest, WorkerEvent } from './types.ts'

const send = (event: WorkerEvent) => self.postMessage(event)

// A promise the code forgot to await rejected: vitest fails the run with such errors too.
self.addEventListener('unhandledrejection', (event) => {
  event.preventDefault()
  send({ type: 'error', message: `Unhandled rejection:\n${formatFailure(event.reason)}` })
})

self.addEventListener('message', (event: MessageEvent<RunRequest>) => {
  runRequest(event.data, { letitcrash, xstate }, send).catch((error: unknown) => {
    send({ type: 'error', message: formatFailure(error) })
    send({ type: 'done' })
  })
})
