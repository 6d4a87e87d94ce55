/**
 * The workloads on XState v5: every actor is a state machine (`setup().createMachine`), actors
 * talk with `sendTo` and events that carry the sender's ref, and the system's `systemId`s are
 * the registry. XState has no supervision: an actor that throws stops, and nothing restarts it.
 *
 * XState delivers an event synchronously when the target is idle, so a message exchange runs
 * to its end without going back to the event loop (see the stall in ping-pong).
 */
import { type AnyActorRef, createActor, enqueueActions, sendTo, setup } from 'xstate'
import {
  heapAfterGc,
  median,
  registryKeys,
  runPeer,
  SIZES,
  signal,
  timeWithStalls,
} from '../shared.ts'

type Reply = { type: 'reply'; value: number }
type Request = { type: 'request'; value: number; replyTo: AnyActorRef }

/** Answers every request with the same value, to the ref the request carries. */
const echo = setup({ types: {} as { events: Request } }).createMachine({
  on: {
    request: {
      actions: sendTo(
        ({ event }) => event.replyTo,
        ({ event }): Reply => ({ type: 'reply', value: event.value }),
      ),
    },
  },
})

/** Sends `requests` requests to `server` one after the other; calls `done` after the last reply. */
const client = setup({
  types: {} as {
    context: { left: number; server: AnyActorRef; done: () => void }
    input: { requests: number; server: AnyActorRef; done: () => void }
    events: Reply | { type: 'go' }
  },
  actions: {
    request: enqueueActions(({ context, self, enqueue }) => {
      if (context.left === 0) context.done()
      else enqueue.sendTo(context.server, { type: 'request', value: context.left, replyTo: self })
    }),
  },
}).createMachine({
  context: ({ input }) => ({ left: input.requests, server: input.server, done: input.done }),
  on: {
    go: { actions: 'request' },
    reply: { actions: [({ context }) => void context.left--, 'request'] },
  },
})

const idle = setup({}).createMachine({ initial: 'waiting', states: { waiting: {} } })

async function spawnIdle() {
  const { processes } = SIZES.spawn
  const baseline = heapAfterGc()
  const start = performance.now()
  const actors: AnyActorRef[] = []
  // Root actors: each `start()` has run the machine's initial state when it returns.
  for (let i = 0; i < processes; i++) actors.push(createActor(idle).start())
  const ms = performance.now() - start
  const bytesPerProcess = (heapAfterGc() - baseline) / processes
  if (actors.at(-1)!.getSnapshot().value !== 'waiting') throw new Error('not waiting')
  return { processes, ms, bytesPerProcess }
}

async function pingPong() {
  const { messages } = SIZES.pingPong
  const finished = signal()
  const server = createActor(echo).start()
  const player = createActor(client, {
    input: { requests: messages / 2, server, done: finished.resolve },
  }).start()
  const [ms, maxStallMs] = await timeWithStalls(async () => {
    player.send({ type: 'go' })
    await finished.done
  })
  return { messages, messagesPerSecond: (messages / ms) * 1000, maxStallMs }
}

async function call() {
  // No request/reply from outside an actor: a client actor waits for each reply before the next.
  const { calls } = SIZES.call
  const finished = signal()
  const server = createActor(echo).start()
  const caller = createActor(client, {
    input: { requests: calls, server, done: finished.resolve },
  }).start()
  const start = performance.now()
  caller.send({ type: 'go' })
  await finished.done
  return { calls, callsPerSecond: (calls / (performance.now() - start)) * 1000 }
}

async function fanOut() {
  const { processes, rounds } = SIZES.fanOut
  const workers = Array.from({ length: processes }, () => createActor(echo).start())
  let round = signal()
  let left = processes
  const collector = createActor(
    setup({}).createMachine({
      on: { reply: { actions: () => --left === 0 && round.resolve() } },
    }),
  ).start()
  const times: number[] = []
  for (let r = 0; r < rounds; r++) {
    round = signal()
    left = processes
    const start = performance.now()
    for (const worker of workers) worker.send({ type: 'request', value: r, replyTo: collector })
    await round.done
    times.push(performance.now() - start)
  }
  return { processes, rounds, msPerRound: median(times) }
}

async function registry() {
  const { keys: count, lookups } = SIZES.registry
  const keys = registryKeys(count)
  // Children spawned with a `systemId` can be found by it anywhere in the actor system.
  const parent = createActor(
    setup({ actors: { idle } }).createMachine({
      entry: enqueueActions(({ enqueue }) => {
        for (const key of keys) enqueue.spawnChild('idle', { id: key, systemId: key })
      }),
    }),
  ).start()
  const spawned = parent.getSnapshot().children as Record<string, AnyActorRef>
  const children = keys.map((key) => spawned[key])
  const start = performance.now()
  for (let i = 0; i < lookups; i++) {
    const k = i % count
    if (parent.system.get(keys[k]) !== children[k]) throw new Error('wrong actor')
  }
  const ms = performance.now() - start
  return { keys: count, lookups, lookupsPerSecond: (lookups / ms) * 1000 }
}

await runPeer({
  spawn: spawnIdle,
  'ping-pong': pingPong,
  call,
  'fan-out': fanOut,
  restart: 'no supervision (a failed actor stays stopped)',
  registry,
  'dynamic-supervisor': 'no supervision (children are not restarted)',
})
