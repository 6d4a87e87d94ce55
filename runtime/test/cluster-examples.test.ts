/**
 * The two worked distribution examples (issue 3): the article's `ReplicatedState`, reachable
 * from every node, and a failover singleton that another node starts when its node dies. The
 * example modules live in `./examples/`, written to be copied.
 */
import { afterEach, describe, expect, it } from 'vitest'
import {
  type Cluster,
  createCluster,
  ExitError,
  type Node,
  type ProcessContext,
  type VirtualClock,
} from '../index.ts'
import * as Failover from './examples/failover.ts'
import * as ReplicatedState from './examples/replicated-state.ts'
import { ok } from './helpers.ts'

const A = 'a@127.0.0.1'
const B = 'b@127.0.0.1'
const C = 'c@127.0.0.1'
const TICK = 1_000

let cluster: Cluster
let clock: VirtualClock

/** Three connected nodes on a virtual clock. */
function threeNodes(): [Node, Node, Node] {
  cluster = createCluster({ seed: 3, tickTime: TICK, latency: [1, 5] })
  clock = cluster.clock as VirtualClock
  const nodes = [A, B, C].map((name) => cluster.addNode(name)) as [Node, Node, Node]
  nodes[0].connect(B)
  nodes[0].connect(C)
  return nodes
}

afterEach(() => {
  for (const node of cluster.nodes()) node.shutdown()
})

/** Runs `fn` in a new process on `node` and resolves with what it returns (within a second). */
async function onNode<T>(node: Node, fn: (ctx: ProcessContext) => Promise<T>): Promise<T> {
  let result: { value: T } | { error: unknown } | undefined
  node.spawn(async (ctx) => {
    result = await fn(ctx).then(
      (value) => ({ value }),
      (error) => ({ error }),
    )
  })
  for (let waited = 0; result === undefined && waited < 1_000; waited += 10) await clock.advance(10)
  if (result === undefined) throw new Error(`the process on ${node} did not finish`)
  if ('error' in result) throw result.error
  return result.value
}

/** Starts the singleton on `node` (or finds it) and waits for it. */
async function startSingleton(node: Node) {
  const started = Failover.startOrFind(node)
  await clock.runUntilIdle()
  return started
}

/** Where the singleton runs, asked from `node`. */
function whereFrom(node: Node): Promise<string> {
  return onNode(node, (ctx) => Failover.where(ctx))
}

describe('ReplicatedState (the article, with a global name)', () => {
  it('is started once and reachable from every node by its global name', async () => {
    const [a, b, c] = threeNodes()
    const started = ReplicatedState.startLink({ users: ['ana'] }, a)
    await clock.runUntilIdle()
    const pid = ok(await started)

    for (const node of [a, b, c]) {
      expect(await onNode(node, (ctx) => ReplicatedState.getState(ctx))).toEqual({
        users: ['ana'],
      })
    }
    // The name is taken cluster-wide: a second start on another node finds the first.
    const again = ReplicatedState.startLink({}, b)
    await clock.runUntilIdle()
    expect(await again).toEqual(['error', ['already_started', pid]])
  })

  it('an update cast from node C is seen from node A, as a copy', async () => {
    const [a, , c] = threeNodes()
    const started = ReplicatedState.startLink({ users: [] }, a)
    await clock.runUntilIdle()
    ok(await started)

    const update = { users: ['ana', 'bo'] }
    await onNode(c, async (ctx) => {
      ReplicatedState.updateState(ctx, update)
      update.users.push('too late') // the cast copied the state when it was sent
    })
    expect(await onNode(a, (ctx) => ReplicatedState.getState(ctx))).toEqual({
      users: ['ana', 'bo'],
    })
  })
})

describe('Failover of a global singleton', () => {
  interface Attempt {
    readonly at: number
    readonly took: number
    readonly where?: string
    readonly error?: unknown
  }

  /** A client on `node` that calls the singleton every 10 ms (timeout 100 ms) and logs each try. */
  function poll(node: Node): Attempt[] {
    const log: Attempt[] = []
    node.spawn(async (ctx) => {
      for (;;) {
        const at = clock.now()
        try {
          const where = await Failover.where(ctx, 100)
          log.push({ at, took: clock.now() - at, where })
        } catch (error) {
          log.push({ at, took: clock.now() - at, error })
        }
        await ctx.receive({ timeout: 10 })
      }
    })
    return log
  }

  it('comes back on B within one tickTime after node A crashes; calls in the gap fail clearly', async () => {
    const [a, b, c] = threeNodes()
    await startSingleton(a)
    Failover.startFailoverWatcher(b)
    const log = poll(c)
    await clock.advance(100)
    expect(log.at(-1)?.where).toBe(A)

    const crashedAt = clock.now()
    cluster.crash(A)
    await clock.advance(TICK + 100)

    const gap = log.filter((entry) => entry.at >= crashedAt && entry.where === undefined)
    const back = log.find((entry) => entry.at >= crashedAt && entry.where !== undefined)!
    // Back on B, measured on the virtual clock: one tick to notice, then a poll and a round trip.
    expect(back.where).toBe(B)
    expect(back.at + back.took - crashedAt).toBeLessThanOrEqual(TICK + 10 + 2 * 5)
    expect(back.at + back.took - crashedAt).toBeGreaterThanOrEqual(TICK)
    // In the gap every call failed with a clear reason, and none hung past its timeout. (The
    // simulation knows at once that A's processes are gone, so it says `noproc`; on the BEAM the
    // call would wait for its timeout, or fail with `{nodedown, A}` when the tick notices.)
    expect(gap.length).toBeGreaterThan(0)
    for (const { error, took } of gap) {
      expect(error).toBeInstanceOf(ExitError)
      expect(['noproc', 'noconnection', 'timeout']).toContain((error as ExitError).reason)
      expect(took).toBeLessThanOrEqual(100)
    }
    // Afterwards every node agrees: one singleton, on B.
    for (const node of [b, c]) expect(await whereFrom(node)).toBe(B)
  })

  it('with a watcher on every other node, exactly one of them takes over', async () => {
    const [a, b, c] = threeNodes()
    await startSingleton(a)
    Failover.startFailoverWatcher(b)
    Failover.startFailoverWatcher(c)
    await clock.runUntilIdle()

    cluster.crash(A)
    await clock.advance(TICK)
    await clock.runUntilIdle()
    const singletons = [b, c].flatMap((node) =>
      node.list().filter((pid) => node.processInfo(pid)?.behaviour === 'GenServer'),
    )
    expect(singletons).toHaveLength(1)
    expect(await whereFrom(b)).toBe(await whereFrom(c))
  })

  it('the watcher also restarts a singleton that crashed on a healthy node', async () => {
    const [a, b] = threeNodes()
    const pid = await startSingleton(a)
    Failover.startFailoverWatcher(b)
    await clock.runUntilIdle()
    a.exit(pid, 'kill')
    await clock.runUntilIdle()
    expect(await whereFrom(a)).toBe(B)
  })
})
