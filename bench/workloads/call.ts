/** 200,000 sequential `GenServer.call` round trips from outside any process: calls per second. */
import { GenServer } from 'letitcrash'
import { report, SIZES } from './common.ts'

const { calls } = SIZES.call

const Echo = {
  init: () => ['ok', null],
  handleCall: (request, _from, state) => ['reply', request, state],
} satisfies GenServer.Behaviour<null, undefined, number, never, number>

const started = await GenServer.start(Echo, undefined)
if (started[0] !== 'ok') throw new Error(`Echo did not start: ${started}`)
const server = started[1]

const start = performance.now()
for (let i = 0; i < calls; i++) {
  if ((await GenServer.call(server, i)) !== i) throw new Error('wrong reply')
}
const ms = performance.now() - start

report({ calls, callsPerSecond: (calls / ms) * 1000 })
