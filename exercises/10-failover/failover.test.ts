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
import { t } from '../messages.ts'
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
  expect(
    done,
    t(
      'startOrFind did not return: it should resolve once GenServer.start has',
      'startOrFind가 반환하지 않았습니다: GenServer.start가 resolve되면 startOrFind도 resolve되어야 합니다',
    ),
  ).toBe(true)
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
      t(
        'nothing can tell a dead node from a slow one before the tick time has passed',
        '틱 타임이 지나기 전에는 죽은 노드와 느린 노드를 구별할 방법이 없습니다',
      ),
    ).toEqual([])
    await clock.advance(1)
    expect(
      seen,
      t(
        "b crashed at 100 ms; a notices at 100 + tickTime: use ctx.monitorNode(peer) and wait for { type: 'nodedown', node: peer }",
        "b는 100ms에 크래시했고, a는 100 + tickTime에 알아차립니다: ctx.monitorNode(peer)를 쓰고 { type: 'nodedown', node: peer }를 기다리세요",
      ),
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
    expect(onA, t('a should see b go down', 'a는 b가 다운되는 것을 알아야 합니다')).toEqual([
      { node: B, at: 10 + TICK_TIME },
    ])
    expect(
      onB,
      t(
        'b should see a go down: from its side, a is the one that went silent',
        'b는 a가 다운되는 것을 알아야 합니다: b 쪽에서 보면 조용해진 것은 a입니다',
      ),
    ).toEqual([{ node: A, at: 10 + TICK_TIME }])
  })

  it('records only the node it watches', async () => {
    const seen: NodeDown[] = []
    watchNode(a, B, seen)
    await clock.advance(10)
    cluster.crash(C)
    await clock.advance(TICK_TIME)
    expect(
      seen,
      t('c went down, but the watcher watches b', '다운된 것은 c인데 감시자는 b를 지켜봅니다'),
    ).toEqual([])
  })
})

describe('task 2: start or find the scheduler', () => {
  it('starts the scheduler under its global name when none runs', async () => {
    const pid = await startedOrFound(b)
    expect(
      b.isAlive(pid),
      t(
        'startOrFind should return the pid of the scheduler it started',
        'startOrFind는 자기가 시작한 스케줄러의 pid를 반환해야 합니다',
      ),
    ).toBe(true)
    expect(
      await whereFrom(a),
      t(
        'the scheduler should run on b, under the global name SCHEDULER: GenServer.start(Scheduler, node.name, { name: SCHEDULER, node })',
        '스케줄러는 b에서 전역 이름 SCHEDULER로 실행되어야 합니다: GenServer.start(Scheduler, node.name, { name: SCHEDULER, node })',
      ),
    ).toBe(B)
  })

  it('finds the running scheduler instead of starting a second one', async () => {
    const first = await startedOrFound(b)
    const second = await startedOrFound(c)
    expect(
      second,
      t(
        "the start on c fails with ['error', ['already_started', pid]]: return that pid",
        "c에서의 시작은 ['error', ['already_started', pid]]로 실패합니다: 그 pid를 반환하세요",
      ),
    ).toBe(first)
    expect(
      schedulersOn(a, b, c),
      t('exactly one scheduler should run', '스케줄러는 정확히 하나만 실행되어야 합니다'),
    ).toEqual([first])
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
    expect(
      await whereFrom(a),
      t(
        'the guard should start the scheduler with startOrFind',
        '가드는 startOrFind로 스케줄러를 시작해야 합니다',
      ),
    ).toBe(B)
    const [scheduler] = schedulersOn(b)
    expect(
      Process.processInfo(guard)?.monitors,
      t(
        'the guard should monitor the scheduler: ctx.monitor(pid), then wait for its DOWN',
        '가드는 스케줄러를 모니터링해야 합니다: ctx.monitor(pid)를 한 뒤 그 DOWN을 기다리세요',
      ),
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
      t(
        'after the DOWN of the crashed scheduler, the guard should go round again: startOrFind, monitor, wait',
        '크래시한 스케줄러의 DOWN을 받으면 가드는 처음으로 돌아가야 합니다: startOrFind, 모니터, 기다리기',
      ),
    ).toHaveLength(1)
    expect(again[0]).not.toBe(first)
  })

  it('brings the scheduler back on another node within one tick time of a node crash', async () => {
    startGuard(b)
    await clock.advance(10)
    startGuard(a)
    startGuard(c)
    await clock.advance(10)
    expect(
      schedulersOn(a, b, c),
      t('three guards, one scheduler', '가드는 셋, 스케줄러는 하나'),
    ).toHaveLength(1)
    expect(await whereFrom(a)).toBe(B)

    cluster.crash(B)
    await clock.advance(TICK_TIME + 10)
    const where = await whereFrom(a)
    expect(
      where === A || where === C,
      t(
        `b crashed; ${TICK_TIME} ms later its DOWN (reason 'noconnection') reached the guards on a and c, which should have started the scheduler again (where: ${where})`,
        `b가 크래시했습니다. ${TICK_TIME}ms 뒤 그 DOWN(이유 'noconnection')이 a와 c의 가드에 도착했으니, 가드가 스케줄러를 다시 시작했어야 합니다(위치: ${where})`,
      ),
    ).toBe(true)
    expect(
      await whereFrom(c),
      t('a and c should reach the same scheduler', 'a와 c는 같은 스케줄러에 닿아야 합니다'),
    ).toBe(where)
    expect(
      schedulersOn(a, c),
      t(
        'the guards on a and c must agree on one scheduler',
        'a와 c의 가드는 스케줄러 하나에 합의해야 합니다',
      ),
    ).toHaveLength(1)
  })
})
