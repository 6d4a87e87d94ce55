import { GenServer, Supervisor, setLogger } from 'letitcrash'

// Server (callbacks): a counter that crashes when asked to.
const Counter = {
  init: (start: number) => ['ok', start],
  handleCall: (request, _from, count) => {
    if (request === 'crash') throw new Error('boom')
    return ['reply', count, count]
  },
  handleCast: (_request, count) => ['noreply', count + 1],
} satisfies GenServer.Behaviour<number, number, 'get' | 'crash', 'increment', number>

// One line per crash report instead of a stack trace.
setLogger((report) => console.log(report.message))

// The supervisor starts the counter, and starts it again whenever it dies.
const started = await Supervisor.startLink(
  [{ id: 'counter', start: () => GenServer.startLink(Counter, 0, { name: 'counter' }) }],
  { strategy: 'one_for_one' },
)
if (started[0] !== 'ok') throw new Error(`the supervisor did not start: ${started}`)
const supervisor = started[1]

GenServer.cast('counter', 'increment')
GenServer.cast('counter', 'increment')
console.log('count:', await GenServer.call('counter', 'get'))
const before = GenServer.whereis('counter')

// Let it crash: the call fails, the supervisor restarts the counter with a fresh state.
await GenServer.call('counter', 'crash').catch((error) =>
  console.log('call failed:', error.message),
)
const [child] = await Supervisor.whichChildren(supervisor)
console.log('restarted:', String(before), '->', String(child.pid))
console.log('count:', await GenServer.call('counter', 'get'))
