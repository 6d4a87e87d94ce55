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
import { t } from '../messages.ts'
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
  if (result[0] !== 'ok')
    throw new Error(
      t(
        `ReplicatedState did not start: ${String(result[1])}`,
        `ReplicatedState가 시작하지 않았습니다: ${String(result[1])}`,
      ),
    )
  return result[1]
}

/** Tells a learner who forgot `{ caller: ctx }` what went wrong. */
const CALLER_HINT = t(
  'the call found no process: pass { caller: ctx } to GenServer.call, so it starts from the node of ctx',
  'call이 프로세스를 찾지 못했습니다: GenServer.call에 { caller: ctx }를 넘겨 ctx의 노드에서 출발하게 하세요',
)

describe('task 1: join the cluster', () => {
  it('joins through one seed and meets every node connected to it', () => {
    b.connect(C)
    expect(
      joinCluster(a, [B]),
      t(
        'joinCluster should return true once a seed let it in',
        '시드가 받아 주면 joinCluster는 true를 반환해야 합니다',
      ),
    ).toBe(true)
    expect(
      a.nodes().sort(),
      t(
        'a connected to b, and so to c: connect to the seed with node.connect(seed)',
        'a는 b에 연결되었으니 c에도 연결됩니다: node.connect(seed)로 시드에 연결하세요',
      ),
    ).toEqual([B, C])
  })

  it('skips itself and seeds that refuse it', () => {
    const other = 'other@127.0.0.1'
    cluster.addNode(other, { cookie: 'another secret' })
    expect(
      joinCluster(a, [A, other, B]),
      t(
        'the seed list names the node itself (skip it: a node cannot connect to itself) and a node with another cookie (connect returns false: try the next seed)',
        '시드 목록에는 노드 자신(건너뛰세요: 노드는 자기 자신에게 연결할 수 없습니다)과 쿠키가 다른 노드(connect가 false를 반환합니다: 다음 시드를 시도하세요)가 들어 있습니다',
      ),
    ).toBe(true)
    expect(a.nodes()).toEqual([B])
  })

  it('cannot join a cluster with another cookie', () => {
    const stranger = cluster.addNode('stranger@127.0.0.1', { cookie: 'wrong' })
    expect(
      joinCluster(stranger, [A, B, C]),
      t(
        'no seed shares its cookie: return false',
        '쿠키가 같은 시드가 없습니다: false를 반환하세요',
      ),
    ).toBe(false)
    expect(
      stranger.nodes(),
      t('a node with the wrong cookie must stay alone', '쿠키가 틀린 노드는 혼자 남아야 합니다'),
    ).toEqual([])
  })
})

describe('task 2: one state for the whole cluster', () => {
  it('runs one ReplicatedState under a global name; a second start finds the first', async () => {
    connectAll()
    const pid = await startPrimary(b, { count: 0 })
    expect(
      REPLICATED_STATE,
      t(
        'the name should be a global name: { global: ... }',
        '이름은 전역 이름이어야 합니다: { global: ... }',
      ),
    ).toHaveProperty('global')
    for (const node of [a, b, c]) {
      expect(
        cluster.global.whereis(node, REPLICATED_STATE.global)?.pid,
        t(
          `${node} does not see the ReplicatedState: start it with { name: REPLICATED_STATE, node }`,
          `${node}에서 ReplicatedState가 보이지 않습니다: { name: REPLICATED_STATE, node }로 시작하세요`,
        ),
      ).toBe(pid)
    }
    const second = startReplicatedState(c, { count: 99 })
    await clock.runUntilIdle()
    expect(
      await second,
      t(
        'a second start, from another node, should fail with already_started: the name is taken cluster-wide',
        '다른 노드에서 한 번 더 시작하면 already_started로 실패해야 합니다: 그 이름은 클러스터 전체에서 이미 쓰이고 있습니다',
      ),
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
      t(
        'an update from c should be what a reads next: updateState casts ["update", state] to the global name',
        'c에서 한 업데이트를 a가 다음에 읽어야 합니다: updateState는 전역 이름으로 ["update", state]를 cast합니다',
      ),
    ).toEqual({ count: 1 })
  })
})

describe('task 3: a replica on every node', () => {
  async function startReplicas(): Promise<void> {
    for (const node of [a, b, c]) {
      const started = startReplica(node)
      await clock.runUntilIdle()
      const result = await started
      if (result[0] !== 'ok')
        throw new Error(
          t(
            `the replica did not start: ${String(result[1])}`,
            `복제본이 시작하지 않았습니다: ${String(result[1])}`,
          ),
        )
    }
  }

  it('registers a replica on each node under the local name REPLICA', async () => {
    connectAll()
    await startReplicas()
    const pids = [a, b, c].map((node) => node.whereis(REPLICA))
    expect(
      pids.every((pid) => pid !== undefined),
      t(
        'start each replica with { name: REPLICA, node }',
        '복제본마다 { name: REPLICA, node }로 시작하세요',
      ),
    ).toBe(true)
    expect(
      new Set(pids).size,
      t('every node needs a replica of its own', '노드마다 자기 복제본이 있어야 합니다'),
    ).toBe(3)
  })

  it('gives every replica the first state and every update', async () => {
    connectAll()
    await startReplicas()
    await startPrimary(b, { count: 0 })
    for (const node of [a, b, c]) {
      expect(
        await runOn(node, (ctx) => readLocal(ctx)).catch(explain),
        t(
          `the replica on ${node} never got the first state: send it from the primary's init`,
          `${node}의 복제본이 첫 상태를 받지 못했습니다: 프라이머리의 init에서 보내세요`,
        ),
      ).toEqual({ count: 0 })
    }
    await runOn(a, async (ctx) => updateState(ctx, { count: 1 }))
    for (const node of [a, b, c]) {
      expect(
        await runOn(node, (ctx) => readLocal(ctx)).catch(explain),
        t(
          `the replica on ${node} did not get the update: after each update, cast it to { name: REPLICA, node } for this node and every node in this.node.nodes()`,
          `${node}의 복제본이 업데이트를 받지 못했습니다: 업데이트할 때마다 이 노드와 this.node.nodes()의 모든 노드에 대해 { name: REPLICA, node }로 cast하세요`,
        ),
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
        t(
          `b crashed with the primary; the replica on ${node} should still have the last state`,
          `b가 프라이머리와 함께 크래시했습니다. ${node}의 복제본에는 마지막 상태가 남아 있어야 합니다`,
        ),
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
      t(
        'readLocal should ask the replica on its own node (GenServer.call(REPLICA, ..., { caller: ctx })), never the primary',
        'readLocal은 프라이머리가 아니라 자기 노드의 복제본에 물어야 합니다(GenServer.call(REPLICA, ..., { caller: ctx }))',
      ),
    ).toEqual({ count: 3 })
  })
})

/** Turns "no process" into a hint about `{ caller: ctx }`. */
function explain(error: unknown): never {
  if ((error as { reason?: unknown })?.reason === 'noproc') throw new Error(CALLER_HINT)
  throw error
}
