import {
  createNode,
  exit,
  GenServer,
  type Node,
  type Pid,
  Process,
  Supervisor,
  setDefaultNode,
  spawn,
  type VirtualClock,
} from 'letitcrash'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { t } from '../messages.ts'
import * as client from './balancer.ts'

let node: Node
let clock: VirtualClock

beforeEach(() => {
  node = createNode({ clock: 'virtual' })
  clock = node.clock as VirtualClock
  setDefaultNode(node)
})
afterEach(() => node.shutdown())

/** The client functions, failing with a hint when the balancer does not answer. */
const next = (balancer: Pid) => answered(client.next(balancer), "'next'")
const workers = (balancer: Pid) => answered(client.workers(balancer), "'workers'")
const join = (balancer: Pid, worker: Pid) =>
  answered(client.join(balancer, worker), "['join', worker]")

async function answered<T>(reply: Promise<T>, request: string): Promise<T> {
  let done = false
  const settled = reply.finally(() => {
    done = true
  })
  settled.catch(() => {}) // awaited below, once time has passed
  await clock.advance(100)
  expect(
    done,
    t(
      `the balancer did not answer ${request}: handleCall should return ['reply', answer, newState]`,
      `밸런서가 ${request}에 답하지 않았습니다: handleCall은 ['reply', answer, newState]를 반환해야 합니다`,
    ),
  ).toBe(true)
  return settled
}

/** A stand-in worker: a process that waits forever. */
function idleWorker(): Pid {
  return spawn(async (ctx) => {
    await ctx.receive(() => false)
  })
}

async function startBalancer(pool: readonly Pid[]): Promise<Pid> {
  const started = await client.startLink(pool)
  if (started[0] !== 'ok')
    throw new Error(
      t(
        `the balancer did not start: ${String(started[1])}`,
        `밸런서가 시작하지 않았습니다: ${String(started[1])}`,
      ),
    )
  return started[1]
}

async function turns(balancer: Pid, count: number): Promise<(Pid | undefined)[]> {
  const handedOut: (Pid | undefined)[] = []
  for (let i = 0; i < count; i++) handedOut.push(await next(balancer))
  return handedOut
}

describe('task 1: hand out workers in turn', () => {
  it('hands out the workers one after another, and starts again after the last', async () => {
    const [w1, w2, w3] = [idleWorker(), idleWorker(), idleWorker()]
    const balancer = await startBalancer([w1, w2, w3])
    expect(
      await turns(balancer, 7),
      t(
        'next should hand out w1, w2, w3, then w1 again: move the worker it hands out to the end of the line',
        'next는 w1, w2, w3, 그다음 다시 w1을 내줘야 합니다: 내준 워커는 줄의 맨 뒤로 보내세요',
      ),
    ).toEqual([w1, w2, w3, w1, w2, w3, w1])
  })

  it('lists the workers in the order of their next turns', async () => {
    const [w1, w2, w3] = [idleWorker(), idleWorker(), idleWorker()]
    const balancer = await startBalancer([w1, w2, w3])
    expect(
      await workers(balancer),
      t("before any turn it is w1's turn", '아직 아무도 차례를 받지 않았으면 w1의 차례입니다'),
    ).toEqual([w1, w2, w3])
    await turns(balancer, 2)
    expect(
      await workers(balancer),
      t(
        "after two turns, it is w3's turn, then w1's",
        '차례가 두 번 지나면 w3의 차례이고, 그다음은 w1입니다',
      ),
    ).toEqual([w3, w1, w2])
  })

  it('answers undefined when it has no workers', async () => {
    const balancer = await startBalancer([])
    expect(
      await next(balancer),
      t('with no workers, next replies undefined', '워커가 없으면 next는 undefined로 답합니다'),
    ).toBeUndefined()
  })
})

describe('task 2: drop dead workers', () => {
  it('monitors every worker it is given', async () => {
    const pool = [idleWorker(), idleWorker()]
    const balancer = await startBalancer(pool)
    expect(
      Process.processInfo(balancer)?.monitors,
      t(
        'the balancer should monitor its workers: this.monitor(worker) for each one in init',
        '밸런서는 워커들을 모니터링해야 합니다: init에서 워커마다 this.monitor(worker)를 호출하세요',
      ),
    ).toEqual(pool)
  })

  it('drops a worker when it dies, and the turns go on with the others', async () => {
    const [w1, w2, w3] = [idleWorker(), idleWorker(), idleWorker()]
    const balancer = await startBalancer([w1, w2, w3])
    expect(await next(balancer)).toBe(w1)
    exit(w2, 'kill')
    await clock.runUntilIdle()
    expect(
      await workers(balancer),
      t(
        'w2 died: its DOWN message arrives in handleInfo, which should remove it from the workers',
        'w2가 죽었습니다: 그 DOWN 메시지는 handleInfo로 들어오며, handleInfo는 w2를 워커 목록에서 빼야 합니다',
      ),
    ).toEqual([w3, w1])
    expect(
      await turns(balancer, 3),
      t('w2 is gone: the turns skip it', 'w2는 사라졌습니다: 차례는 w2를 건너뜁니다'),
    ).toEqual([w3, w1, w3])
  })

  it('lives on when a worker crashes', async () => {
    const [w1, w2] = [idleWorker(), idleWorker()]
    const balancer = await startBalancer([w1, w2])
    exit(w1, new Error('worker crashed'))
    await clock.runUntilIdle()
    expect(
      Process.isAlive(balancer),
      t(
        'the balancer died with its worker: monitor the workers, do not link to them',
        '밸런서가 워커와 함께 죽었습니다: 워커와 링크하지 말고 모니터링하세요',
      ),
    ).toBe(true)
    expect(await workers(balancer)).toEqual([w2])
  })

  it('answers undefined once every worker is gone', async () => {
    const [w1, w2] = [idleWorker(), idleWorker()]
    const balancer = await startBalancer([w1, w2])
    exit(w1, 'kill')
    exit(w2, 'kill')
    await clock.runUntilIdle()
    expect(
      await next(balancer),
      t(
        'both workers died: next should reply undefined',
        '워커가 둘 다 죽었습니다: next는 undefined로 답해야 합니다',
      ),
    ).toBeUndefined()
  })
})

describe('task 3: workers join as they start', () => {
  it('adds a joining worker at the end of the line, once, and watches it too', async () => {
    const [w1, w2, w3] = [idleWorker(), idleWorker(), idleWorker()]
    const balancer = await startBalancer([w1, w2])
    expect(await join(balancer, w3)).toBe('ok')
    expect(
      await join(balancer, w3),
      t('joining twice should still answer ok', '두 번 join해도 ok로 답해야 합니다'),
    ).toBe('ok')
    expect(
      await workers(balancer),
      t(
        'a worker that joins goes to the end of the line, and only once',
        'join한 워커는 줄의 맨 뒤에, 한 번만 들어갑니다',
      ),
    ).toEqual([w1, w2, w3])
    exit(w3, 'kill')
    await clock.runUntilIdle()
    expect(
      await workers(balancer),
      t(
        'a worker that joined died, but it is still listed: monitor it when it joins',
        'join한 워커가 죽었는데 아직 목록에 있습니다: join할 때 모니터링하세요',
      ),
    ).toEqual([w1, w2])
  })

  /** A supervised pool of three Workers that join `balancer` as they start. */
  async function startPool(balancer: Pid): Promise<Pid> {
    const started = await Supervisor.startLink(
      ['a', 'b', 'c'].map((id) => ({
        id,
        start: () => GenServer.startLink(client.Worker, { id, balancer }),
      })),
      { strategy: 'one_for_one' },
    )
    if (started[0] !== 'ok')
      throw new Error(
        t(
          `the pool did not start: ${String(started[1])}`,
          `풀이 시작하지 않았습니다: ${String(started[1])}`,
        ),
      )
    return started[1]
  }

  async function poolPids(pool: Pid): Promise<Pid[]> {
    const children = await Supervisor.whichChildren(pool)
    return children.map((child) => child.pid as Pid).reverse() // start order
  }

  it('fills the rotation as the workers of a supervised pool start', async () => {
    const balancer = await startBalancer([])
    const pool = await startPool(balancer)
    expect(
      await workers(balancer),
      t(
        'every Worker should join the balancer in its init: await join(balancer, this.self)',
        '모든 Worker는 init에서 밸런서에 join해야 합니다: await join(balancer, this.self)',
      ),
    ).toEqual(await poolPids(pool))
    const worker = await next(balancer)
    expect(await GenServer.call(worker!, 'ping')).toBe('a did ping')
  })

  it('puts a restarted worker in the place of the one that crashed', async () => {
    const balancer = await startBalancer([])
    const pool = await startPool(balancer)
    const [, oldB] = await poolPids(pool)
    exit(oldB, 'kill')
    await clock.runUntilIdle()
    const live = await poolPids(pool)
    expect(
      live[1],
      t('the supervisor should have restarted b', '슈퍼바이저가 b를 재시작했어야 합니다'),
    ).not.toBe(oldB)
    expect(
      [...(await workers(balancer))].sort(byId),
      t(
        'the restarted b should have joined, and the dead one left: the balancer lists exactly the live workers',
        '재시작된 b는 join하고 죽은 b는 빠졌어야 합니다: 밸런서 목록에는 살아 있는 워커만 정확히 있어야 합니다',
      ),
    ).toEqual([...live].sort(byId))
    expect(
      new Set(await turns(balancer, 3)),
      t(
        'three turns should reach each live worker once',
        '세 번의 차례가 살아 있는 워커에게 한 번씩 돌아가야 합니다',
      ),
    ).toEqual(new Set(live))
  })
})

function byId(a: Pid, b: Pid): number {
  return a.id - b.id
}
