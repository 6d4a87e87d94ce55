import {
  type Cluster,
  createCluster,
  createNode,
  type Node,
  type Pid,
  type ProcessContext,
  setDefaultNode,
  type VirtualClock,
} from 'letitcrash'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  getState,
  joinCluster,
  REPLICA,
  REPLICATED_STATE,
  readLocal,
  startReplica,
  startReplicatedState,
  updateState,
} from './replicated-state.ts'

const A = 'a@127.0.0.1'
const B = 'b@127.0.0.1'
const C = 'c@127.0.0.1'

// Three nodes with the same cookie, not connected yet, on the cluster's virtual clock.
let cluster: Cluster
let clock: VirtualClock
let a: Node
let b: Node
let c: Node
let previousDefault: Node

beforeEach(() => {
  cluster = createCluster({ seed: 1, tickTime: 1_000 })
  clock = cluster.clock as VirtualClock
  ;[a, b, c] = [A, B, C].map((name) => cluster.addNode(name, { cookie: 'secret' }))
  // The default node is outside the cluster: a call that does not say which process it
  // comes from (`{ caller: ctx }`) starts there, and finds nothing.
  previousDefault = setDefaultNode(createNode({ clock: 'virtual' }))
})

afterEach(() => {
  for (const node of cluster.nodes()) node.shutdown()
  setDefaultNode(previousDefault)
})

interface Outcome<T> {
  done: boolean
  value?: T
  error?: unknown
}

/** Runs `body` in a new process on `node`: the caller the client functions expect. */
function onNode<T>(node: Node, body: (ctx: ProcessContext) => Promise<T>): Outcome<T> {
  const outcome: Outcome<T> = { done: false }
  node.spawn(async (ctx) => {
    try {
      outcome.value = await body(ctx)
    } catch (error) {
      outcome.error = error
    } finally {
      outcome.done = true
    }
  })
  return outcome
}

/** Runs `body` on `node` until it is done, and returns its value or throws its error. */
async function runOn<T>(node: Node, body: (ctx: ProcessContext) => Promise<T>): Promise<T> {
  const outcome = onNode(node, body)
  await clock.runUntilIdle()
  if (outcome.error !== undefined) throw outcome.error
  return outcome.value as T
}

function connectAll(): void {
  a.connect(B)
  a.connect(C)
}

async function startPrimary(node: Node, initial: unknown): Promise<Pid> {
  const started = startReplicatedState(node, initial)
  await clock.runUntilIdle()
  const result = await started
  if (result[0] !== 'ok') throw new Error(`ReplicatedState did not start: ${String(result[1])}`)
  return result[1]
}

/** Tells a learner who forgot `{ caller: ctx }` what went wrong. */
const CALLER_HINT =
  'the call found no process: pass { caller: ctx } to GenServer.call, so it starts from the node of ctx'

describe('task 1: join the cluster', () => {
  it('joins through one seed and meets every node connected to it', () => {
    b.connect(C)
    expect(joinCluster(a, [B]), 'joinCluster should return true once a seed let it in').toBe(true)
    expect(
      a.nodes().sort(),
      'a connected to b, and so to c: connect to the seed with node.connect(seed)',
    ).toEqual([B, C])
  })

  it('skips itself and seeds that refuse it', () => {
    const other = 'other@127.0.0.1'
    cluster.addNode(other, { cookie: 'another secret' })
    expect(
      joinCluster(a, [A, other, B]),
      'the seed list names the node itself (skip it: a node cannot connect to itself) and a node with another cookie (connect returns false: try the next seed)',
    ).toBe(true)
    expect(a.nodes()).toEqual([B])
  })

  it('cannot join a cluster with another cookie', () => {
    const stranger = cluster.addNode('stranger@127.0.0.1', { cookie: 'wrong' })
    expect(joinCluster(stranger, [A, B, C]), 'no seed shares its cookie: return false').toBe(false)
    expect(stranger.nodes(), 'a node with the wrong cookie must stay alone').toEqual([])
  })
})

describe('task 2: one state for the whole cluster', () => {
  it('runs one ReplicatedState under a global name; a second start finds the first', async () => {
    connectAll()
    const pid = await startPrimary(b, { count: 0 })
    expect(REPLICATED_STATE, 'the name should be a global name: { global: ... }').toHaveProperty(
      'global',
    )
    for (const node of [a, b, c]) {
      expect(
        cluster.global.whereis(node, REPLICATED_STATE.global)?.pid,
        `${node} does not see the ReplicatedState: start it with { name: REPLICATED_STATE, node }`,
      ).toBe(pid)
    }
    const second = startReplicatedState(c, { count: 99 })
    await clock.runUntilIdle()
    expect(
      await second,
      'a second start, from another node, should fail with already_started: the name is taken cluster-wide',
    ).toEqual(['error', ['already_started', pid]])
  })

  it('answers getState on every node', async () => {
    connectAll()
    await startPrimary(b, { count: 0 })
    for (const node of [a, b, c]) {
      expect(await runOn(node, (ctx) => getState(ctx)).catch(explain)).toEqual({ count: 0 })
    }
  })

  it('lets any node update the state, and every node reads the new one', async () => {
    connectAll()
    await startPrimary(b, { count: 0 })
    await runOn(c, async (ctx) => updateState(ctx, { count: 1 }))
    expect(
      await runOn(a, (ctx) => getState(ctx)).catch(explain),
      'an update from c should be what a reads next: updateState casts ["update", state] to the global name',
    ).toEqual({ count: 1 })
  })
})

describe('task 3: a replica on every node', () => {
  async function startReplicas(): Promise<void> {
    for (const node of [a, b, c]) {
      const started = startReplica(node)
      await clock.runUntilIdle()
      const result = await started
      if (result[0] !== 'ok') throw new Error(`the replica did not start: ${String(result[1])}`)
    }
  }

  it('registers a replica on each node under the local name REPLICA', async () => {
    connectAll()
    await startReplicas()
    const pids = [a, b, c].map((node) => node.whereis(REPLICA))
    expect(
      pids.every((pid) => pid !== undefined),
      'start each replica with { name: REPLICA, node }',
    ).toBe(true)
    expect(new Set(pids).size, 'every node needs a replica of its own').toBe(3)
  })

  it('gives every replica the first state and every update', async () => {
    connectAll()
    await startReplicas()
    await startPrimary(b, { count: 0 })
    for (const node of [a, b, c]) {
      expect(
        await runOn(node, (ctx) => readLocal(ctx)).catch(explain),
        `the replica on ${node} never got the first state: send it from the primary's init`,
      ).toEqual({ count: 0 })
    }
    await runOn(a, async (ctx) => updateState(ctx, { count: 1 }))
    for (const node of [a, b, c]) {
      expect(
        await runOn(node, (ctx) => readLocal(ctx)).catch(explain),
        `the replica on ${node} did not get the update: after each update, cast it to { name: REPLICA, node } for this node and every node in this.node.nodes()`,
      ).toEqual({ count: 1 })
    }
  })

  it("keeps the data when the primary's node crashes", async () => {
    connectAll()
    await startReplicas()
    await startPrimary(b, { count: 0 })
    await runOn(c, async (ctx) => updateState(ctx, { count: 7 }))
    cluster.crash(B)
    await clock.advance(1_000)
    for (const node of [a, c]) {
      expect(
        await runOn(node, (ctx) => readLocal(ctx)).catch(explain),
        `b crashed with the primary; the replica on ${node} should still have the last state`,
      ).toEqual({ count: 7 })
    }
  })

  it('reads from its own node while the primary is cut off', async () => {
    connectAll()
    await startReplicas()
    await startPrimary(b, { count: 3 })
    cluster.partition([A], [B, C])
    const read = onNode(a, (ctx) => readLocal(ctx))
    await clock.advance(10)
    expect(
      read.value,
      'readLocal should ask the replica on its own node (GenServer.call(REPLICA, ..., { caller: ctx })), never the primary',
    ).toEqual({ count: 3 })
  })
})

/** Turns "no process" into a hint about `{ caller: ctx }`. */
function explain(error: unknown): never {
  if ((error as { reason?: unknown })?.reason === 'noproc') throw new Error(CALLER_HINT)
  throw error
}
