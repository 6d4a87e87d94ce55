import {
  type Cluster,
  createCluster,
  createNode,
  exit,
  GenServer,
  type Node,
  type Pid,
  Process,
  setDefaultNode,
  type VirtualClock,
} from 'letitcrash'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type NodeDown, SCHEDULER, startGuard, startOrFind, watchNode } from './failover.ts'

const A = 'a@127.0.0.1'
const B = 'b@127.0.0.1'
const C = 'c@127.0.0.1'
/** How long a node waits for a silent peer before it declares it down. */
const TICK_TIME = 1_000

// Three connected nodes on the cluster's virtual clock; messages take 1 ms.
let cluster: Cluster
let clock: VirtualClock
let a: Node
let b: Node
let c: Node
let previousDefault: Node

beforeEach(() => {
  cluster = createCluster({ seed: 1, tickTime: TICK_TIME })
  clock = cluster.clock as VirtualClock
  ;[a, b, c] = [A, B, C].map((name) => cluster.addNode(name))
  a.connect(B)
  a.connect(C)
  previousDefault = setDefaultNode(createNode({ clock: 'virtual' }))
})

afterEach(() => {
  for (const node of cluster.nodes()) node.shutdown()
  setDefaultNode(previousDefault)
})

/** Asks the scheduler where it runs, from a process on `node`; undefined if nobody answers in 100 ms. */
async function whereFrom(node: Node): Promise<string | undefined> {
  let answer: string | undefined
  node.spawn(async (ctx) => {
    answer = await GenServer.call<string>(SCHEDULER, 'where', { caller: ctx, timeout: 100 }).catch(
      () => undefined,
    )
  })
  await clock.advance(100)
  return answer
}

async function startedOrFound(node: Node): Promise<Pid> {
  let done = false
  const found = startOrFind(node).finally(() => {
    done = true
  })
  found.catch(() => {}) // awaited below, once time has passed
  await clock.advance(10)
  expect(done, 'startOrFind did not return: it should resolve once GenServer.start has').toBe(true)
  return found
}

/** The schedulers running on `nodes` (a GenServer is a scheduler here; guards are plain processes). */
function schedulersOn(...nodes: Node[]): Pid[] {
  return nodes.flatMap((node) =>
    node.list().filter((pid) => node.processInfo(pid)?.behaviour === 'GenServer'),
  )
}

describe('task 1: notice a node going down', () => {
  it('records a crashed node one tick time after the crash, not before', async () => {
    const seen: NodeDown[] = []
    watchNode(a, B, seen)
    await clock.advance(100)
    cluster.crash(B)
    await clock.advance(TICK_TIME - 1)
    expect(
      seen,
      'nothing can tell a dead node from a slow one before the tick time has passed',
    ).toEqual([])
    await clock.advance(1)
    expect(
      seen,
      "b crashed at 100 ms; a notices at 100 + tickTime: use ctx.monitorNode(peer) and wait for { type: 'nodedown', node: peer }",
    ).toEqual([{ node: B, at: 100 + TICK_TIME }])
  })

  it('records a partition the same way, on both sides', async () => {
    const onA: NodeDown[] = []
    const onB: NodeDown[] = []
    watchNode(a, B, onA)
    watchNode(b, A, onB)
    await clock.advance(10)
    cluster.partition([A, C], [B])
    await clock.advance(TICK_TIME)
    expect(onA, 'a should see b go down').toEqual([{ node: B, at: 10 + TICK_TIME }])
    expect(onB, 'b should see a go down: from its side, a is the one that went silent').toEqual([
      { node: A, at: 10 + TICK_TIME },
    ])
  })

  it('records only the node it watches', async () => {
    const seen: NodeDown[] = []
    watchNode(a, B, seen)
    await clock.advance(10)
    cluster.crash(C)
    await clock.advance(TICK_TIME)
    expect(seen, 'c went down, but the watcher watches b').toEqual([])
  })
})

describe('task 2: start or find the scheduler', () => {
  it('starts the scheduler under its global name when none runs', async () => {
    const pid = await startedOrFound(b)
    expect(b.isAlive(pid), 'startOrFind should return the pid of the scheduler it started').toBe(
      true,
    )
    expect(
      await whereFrom(a),
      'the scheduler should run on b, under the global name SCHEDULER: GenServer.start(Scheduler, node.name, { name: SCHEDULER, node })',
    ).toBe(B)
  })

  it('finds the running scheduler instead of starting a second one', async () => {
    const first = await startedOrFound(b)
    const second = await startedOrFound(c)
    expect(
      second,
      "the start on c fails with ['error', ['already_started', pid]]: return that pid",
    ).toBe(first)
    expect(schedulersOn(a, b, c), 'exactly one scheduler should run').toEqual([first])
  })

  it('starts a new one once the old one is gone', async () => {
    const first = await startedOrFound(b)
    exit(first, 'kill')
    await clock.advance(10)
    const second = await startedOrFound(c)
    expect(second).not.toBe(first)
    expect(await whereFrom(a)).toBe(C)
  })
})

describe('task 3: fail over', () => {
  it('starts the scheduler when none runs, and monitors it', async () => {
    const guard = startGuard(b)
    await clock.advance(10)
    expect(await whereFrom(a), 'the guard should start the scheduler with startOrFind').toBe(B)
    const [scheduler] = schedulersOn(b)
    expect(
      Process.processInfo(guard)?.monitors,
      'the guard should monitor the scheduler: ctx.monitor(pid), then wait for its DOWN',
    ).toEqual([scheduler])
  })

  it('starts it again when it crashes', async () => {
    startGuard(b)
    await clock.advance(10)
    const [first] = schedulersOn(b)
    exit(first, new Error('scheduler crashed'))
    await clock.advance(10)
    const again = schedulersOn(a, b, c)
    expect(
      again,
      'after the DOWN of the crashed scheduler, the guard should go round again: startOrFind, monitor, wait',
    ).toHaveLength(1)
    expect(again[0]).not.toBe(first)
  })

  it('brings the scheduler back on another node within one tick time of a node crash', async () => {
    startGuard(b)
    await clock.advance(10)
    startGuard(a)
    startGuard(c)
    await clock.advance(10)
    expect(schedulersOn(a, b, c), 'three guards, one scheduler').toHaveLength(1)
    expect(await whereFrom(a)).toBe(B)

    cluster.crash(B)
    await clock.advance(TICK_TIME + 10)
    const where = await whereFrom(a)
    expect(
      where === A || where === C,
      `b crashed; ${TICK_TIME} ms later its DOWN (reason 'noconnection') reached the guards on a and c, which should have started the scheduler again (where: ${where})`,
    ).toBe(true)
    expect(await whereFrom(c), 'a and c should reach the same scheduler').toBe(where)
    expect(schedulersOn(a, c), 'the guards on a and c must agree on one scheduler').toHaveLength(1)
  })
})
