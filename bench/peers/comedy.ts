/**
 * The workloads on comedy, in its `in-memory` mode (every actor in this Node process): actors
 * are objects whose methods handle topics, created with `createChild`; `send` and
 * `sendAndReceive` (request/reply) return promises. Comedy restarts (`onCrash: 'respawn'`) only
 * actors in forked OS processes, and has no registry.
 */
import { createSystem } from 'comedy'
import { heapAfterGc, median, runPeer, SIZES, signal, timeWithStalls } from '../shared.ts'

const system = createSystem({})
system.getLog().setLevel(system.getLog().levels().Silent)
const root = await system.rootActor()

/** Answers every `echo` with its value. */
const echo = { echo: (value: number) => value }

async function spawnIdle() {
  const { processes } = SIZES.spawn
  const baseline = heapAfterGc()
  const start = performance.now()
  const children = []
  // `createChild` resolves once the child is initialized and can take messages.
  for (let i = 0; i < processes; i++) children.push(await root.createChild({ noop() {} }))
  const ms = performance.now() - start
  const bytesPerProcess = (heapAfterGc() - baseline) / processes
  if (children.length !== processes) throw new Error('actors are missing')
  return { processes, ms, bytesPerProcess }
}

async function pingPong() {
  const { messages } = SIZES.pingPong
  const finished = signal()
  // The ping actor creates the pong actor as its child; they send each other `n` until 0.
  const ping = await root.createChild({
    async initialize(self: any) {
      this.partner = await self.createChild({
        initialize(pongSelf: any) {
          this.parent = pongSelf.getParent()
        },
        ping(n: number) {
          void this.parent.send('pong', n)
        },
      })
    },
    pong(n: number) {
      if (n === 0) finished.resolve()
      else void this.partner.send('ping', n - 1)
    },
  } as any)
  const [ms, maxStallMs] = await timeWithStalls(async () => {
    void ping.send('pong', messages / 2)
    await finished.done
  })
  return { messages, messagesPerSecond: (messages / ms) * 1000, maxStallMs }
}

async function call() {
  const { calls } = SIZES.call
  const server = await root.createChild(echo)
  const start = performance.now()
  for (let i = 0; i < calls; i++) {
    if ((await server.sendAndReceive('echo', i)) !== i) throw new Error('wrong reply')
  }
  return { calls, callsPerSecond: (calls / (performance.now() - start)) * 1000 }
}

async function fanOut() {
  // The replies are `sendAndReceive`'s promises: comedy's way to hear back from an actor.
  const { processes, rounds } = SIZES.fanOut
  const workers = []
  for (let i = 0; i < processes; i++) workers.push(await root.createChild(echo))
  const times: number[] = []
  for (let r = 0; r < rounds; r++) {
    const start = performance.now()
    await Promise.all(workers.map((worker) => worker.sendAndReceive('echo', r)))
    times.push(performance.now() - start)
  }
  return { processes, rounds, msPerRound: median(times) }
}

await runPeer({
  spawn: spawnIdle,
  'ping-pong': pingPong,
  call,
  'fan-out': fanOut,
  restart: 'restarts only forked actors (OS processes)',
  registry: 'no registry',
  'dynamic-supervisor': 'restarts only forked actors (OS processes)',
})
