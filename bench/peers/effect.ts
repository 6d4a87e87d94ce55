/**
 * The workloads on Effect (v3). Effect has fibers, not actors: a "process" here is a fiber
 * reading its own `Queue` (its mailbox), request/reply puts a `Deferred` in the request, and a
 * restart is `Effect.retry` running a failed fiber's effect again; `FiberSet` holds children
 * started on demand. There is no registry of fibers by name.
 */
import { Deferred, Effect, Fiber, FiberSet, Queue, Schedule } from 'effect'
import { heapAfterGc, median, runPeer, SIZES, signal, timeWithStalls } from '../shared.ts'

type Request = { value: number; reply: Deferred.Deferred<number> }

/** A fiber that answers every request in `inbox` forever. */
const server = (inbox: Queue.Queue<Request>) =>
  Effect.fork(
    Effect.forever(Effect.flatMap(Queue.take(inbox), (r) => Deferred.succeed(r.reply, r.value))),
  )

const run = <A>(effect: Effect.Effect<A>) => Effect.runPromise(effect)

async function spawnIdle() {
  const { processes } = SIZES.spawn
  let waiting = 0
  const all = signal()
  const baseline = heapAfterGc()
  const start = performance.now()
  const fibers = await run(
    Effect.gen(function* () {
      const fibers = []
      for (let i = 0; i < processes; i++) {
        const inbox = yield* Queue.unbounded<number>()
        const waitForMessage = Effect.suspend(() => {
          if (++waiting === processes) all.resolve()
          return Queue.take(inbox)
        })
        // A daemon: a plain `fork` would be interrupted when this program ends.
        fibers.push(yield* Effect.forkDaemon(waitForMessage))
      }
      return fibers
    }),
  )
  await all.done
  const ms = performance.now() - start
  const bytesPerProcess = (heapAfterGc() - baseline) / processes
  if (fibers.length !== processes) throw new Error('fibers are missing')
  return { processes, ms, bytesPerProcess }
}

async function pingPong() {
  const { messages } = SIZES.pingPong
  const [ms, maxStallMs] = await timeWithStalls(() =>
    run(
      Effect.gen(function* () {
        const toPong = yield* Queue.unbounded<number>()
        const toPing = yield* Queue.unbounded<number>()
        yield* Effect.fork(
          Effect.forever(Effect.flatMap(Queue.take(toPong), (n) => Queue.offer(toPing, n))),
        )
        for (let i = 0; i < messages / 2; i++) {
          yield* Queue.offer(toPong, i)
          yield* Queue.take(toPing)
        }
      }),
    ),
  )
  return { messages, messagesPerSecond: (messages / ms) * 1000, maxStallMs }
}

async function call() {
  const { calls } = SIZES.call
  const start = performance.now()
  await run(
    Effect.gen(function* () {
      const inbox = yield* Queue.unbounded<Request>()
      yield* server(inbox)
      for (let i = 0; i < calls; i++) {
        const reply = yield* Deferred.make<number>()
        yield* Queue.offer(inbox, { value: i, reply })
        if ((yield* Deferred.await(reply)) !== i) throw new Error('wrong reply')
      }
    }),
  )
  return { calls, callsPerSecond: (calls / (performance.now() - start)) * 1000 }
}

async function fanOut() {
  const { processes, rounds } = SIZES.fanOut
  const times = await run(
    Effect.gen(function* () {
      const replies = yield* Queue.unbounded<number>()
      const inboxes = []
      for (let i = 0; i < processes; i++) {
        const inbox = yield* Queue.unbounded<number>()
        yield* Effect.fork(
          Effect.forever(Effect.flatMap(Queue.take(inbox), (n) => Queue.offer(replies, n))),
        )
        inboxes.push(inbox)
      }
      const times: number[] = []
      for (let r = 0; r < rounds; r++) {
        const start = performance.now()
        for (const inbox of inboxes) yield* Queue.offer(inbox, r)
        for (let i = 0; i < processes; i++) yield* Queue.take(replies)
        times.push(performance.now() - start)
      }
      return times
    }),
  )
  return { processes, rounds, msPerRound: median(times) }
}

/** A child that tells `started` it runs, then fails on its first message. */
const crashingChild = (inbox: Queue.Queue<'crash'>, started: Queue.Queue<true>) =>
  Effect.zipRight(
    Queue.offer(started, true),
    Effect.flatMap(Queue.take(inbox), () => Effect.fail('crash')),
  )

async function restart() {
  // There is no kill from outside that a retry would undo (interruption is not a failure): the
  // child fails on a message, and the latency is until its retried effect says it started.
  const { kills } = SIZES.restart
  const latencies = await run(
    Effect.gen(function* () {
      const inbox = yield* Queue.unbounded<'crash'>()
      const started = yield* Queue.unbounded<true>()
      const child = yield* Effect.fork(
        Effect.retry(crashingChild(inbox, started), Schedule.forever),
      )
      yield* Queue.take(started)
      const latencies: number[] = []
      for (let i = 0; i < kills; i++) {
        const start = performance.now()
        yield* Queue.offer(inbox, 'crash')
        yield* Queue.take(started)
        latencies.push((performance.now() - start) * 1000)
      }
      yield* Fiber.interrupt(child)
      return latencies
    }),
  )
  return { kills, medianMicroseconds: median(latencies) }
}

async function dynamicSupervisor() {
  // A FiberSet starts each child (an effect retried when it fails) and waits until it has run.
  const { children } = SIZES.dynamicSupervisor
  const ms = await run(
    Effect.scoped(
      Effect.gen(function* () {
        const set = yield* FiberSet.make()
        const started = yield* Queue.unbounded<true>()
        const start = performance.now()
        for (let i = 0; i < children; i++) {
          const inbox = yield* Queue.unbounded<'crash'>()
          yield* FiberSet.run(set, Effect.retry(crashingChild(inbox, started), Schedule.forever))
          yield* Queue.take(started)
        }
        const ms = performance.now() - start
        if ((yield* FiberSet.size(set)) !== children) throw new Error('children are missing')
        return ms
      }),
    ),
  )
  return { children, ms }
}

await runPeer({
  spawn: spawnIdle,
  'ping-pong': pingPong,
  call,
  'fan-out': fanOut,
  restart,
  registry: 'no registry of fibers by name',
  'dynamic-supervisor': dynamicSupervisor,
})
