/**
 * The workloads on nact: actors are functions spawned under the system or a parent
 * (`spawn`, `spawnStateless`), messages go with `dispatch`, request/reply is `query`, and a
 * parent's `onCrash` policy decides what happens to a child that throws (`ctx.reset` restarts
 * it with its initial state). Names are per parent, so there is no registry to look up.
 */
import { dispatch, query, type Ref, spawn, spawnStateless, start } from 'nact'
import { heapAfterGc, median, runPeer, SIZES, signal, timeWithStalls } from '../shared.ts'

type Request = { value: number; sender: Ref<unknown> }

const system = start()

/** Replies to every request with its value. */
const echo = (parent: Ref<any>, name?: string) =>
  spawnStateless(
    parent,
    (msg: Request, ctx) => dispatch(msg.sender, { value: msg.value, sender: ctx.self }),
    name,
  )

async function spawnIdle() {
  const { processes } = SIZES.spawn
  const baseline = heapAfterGc()
  const start = performance.now()
  const actors: Ref<unknown>[] = []
  // An actor waits for messages as soon as `spawnStateless` returns. Named, because nact's
  // random names for anonymous actors collide at this many.
  for (let i = 0; i < processes; i++) actors.push(spawnStateless(system, () => {}, `idle-${i}`))
  const ms = performance.now() - start
  const bytesPerProcess = (heapAfterGc() - baseline) / processes
  if (actors.length !== processes) throw new Error('actors are missing')
  return { processes, ms, bytesPerProcess }
}

async function pingPong() {
  const { messages } = SIZES.pingPong
  const finished = signal()
  const pong = echo(system)
  const ping = spawn(
    system,
    (left: number, msg: Request, ctx) => {
      if (left === 0) finished.resolve()
      else dispatch(msg.sender, { value: left, sender: ctx.self })
      return left - 1
    },
    'ping',
    { initialState: messages / 2 },
  )
  const [ms, maxStallMs] = await timeWithStalls(async () => {
    dispatch(ping, { value: 0, sender: pong })
    await finished.done
  })
  return { messages, messagesPerSecond: (messages / ms) * 1000, maxStallMs }
}

async function call() {
  const { calls } = SIZES.call
  const server = echo(system)
  const start = performance.now()
  for (let i = 0; i < calls; i++) {
    const reply = await query(server, (sender) => ({ value: i, sender }), 5000)
    if ((reply as Request).value !== i) throw new Error('wrong reply')
  }
  return { calls, callsPerSecond: (calls / (performance.now() - start)) * 1000 }
}

async function fanOut() {
  const { processes, rounds } = SIZES.fanOut
  const workers = Array.from({ length: processes }, (_, i) => echo(system, `worker-${i}`))
  let round = signal()
  let left = processes
  const collector = spawnStateless(system, () => {
    if (--left === 0) round.resolve()
  })
  const times: number[] = []
  for (let r = 0; r < rounds; r++) {
    round = signal()
    left = processes
    const start = performance.now()
    for (const worker of workers) dispatch(worker, { value: r, sender: collector })
    await round.done
    times.push(performance.now() - start)
  }
  return { processes, rounds, msPerRound: median(times) }
}

/** Throws on 'crash'; answers anything else. Its parent's policy restarts it (`ctx.reset`). */
const crashy = (parent: Ref<any>, name?: string) =>
  spawn(
    parent,
    (state: null, msg: 'crash' | Request) => {
      if (msg === 'crash') throw new Error('crash')
      dispatch(msg.sender, 'pong')
      return state
    },
    name,
    { initialState: null, onCrash: (_msg, _error, ctx) => ctx.reset },
  )

async function restart() {
  // There is no kill from outside: the child crashes on a message, and the latency is until
  // the restarted child answers the next one.
  const { kills } = SIZES.restart
  const child = crashy(system, 'child')
  const latencies: number[] = []
  for (let i = 0; i < kills; i++) {
    const start = performance.now()
    dispatch(child, 'crash')
    await query(child, (sender) => ({ value: i, sender }), 5000)
    latencies.push((performance.now() - start) * 1000)
  }
  return { kills, medianMicroseconds: median(latencies) }
}

async function dynamicSupervisor() {
  // A parent actor whose children are restarted by their `onCrash` policy.
  const { children } = SIZES.dynamicSupervisor
  const parent = spawnStateless(system, () => {}, 'workers')
  const start = performance.now()
  const refs: Ref<unknown>[] = []
  for (let i = 0; i < children; i++) refs.push(crashy(parent, `child-${i}`))
  const ms = performance.now() - start
  await query(refs.at(-1)!, (sender) => ({ value: 0, sender }), 5000)
  return { children, ms }
}

await runPeer({
  spawn: spawnIdle,
  'ping-pong': pingPong,
  call,
  'fan-out': fanOut,
  restart,
  registry: 'no registry (names are per parent)',
  'dynamic-supervisor': dynamicSupervisor,
})
