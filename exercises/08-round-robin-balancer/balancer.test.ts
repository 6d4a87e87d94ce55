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
    `the balancer did not answer ${request}: handleCall should return ['reply', answer, newState]`,
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
  if (started[0] !== 'ok') throw new Error(`the balancer did not start: ${String(started[1])}`)
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
      'next should hand out w1, w2, w3, then w1 again: move the worker it hands out to the end of the line',
    ).toEqual([w1, w2, w3, w1, w2, w3, w1])
  })

  it('lists the workers in the order of their next turns', async () => {
    const [w1, w2, w3] = [idleWorker(), idleWorker(), idleWorker()]
    const balancer = await startBalancer([w1, w2, w3])
    expect(await workers(balancer), "before any turn it is w1's turn").toEqual([w1, w2, w3])
    await turns(balancer, 2)
    expect(await workers(balancer), "after two turns, it is w3's turn, then w1's").toEqual([
      w3,
      w1,
      w2,
    ])
  })

  it('answers undefined when it has no workers', async () => {
    const balancer = await startBalancer([])
    expect(await next(balancer), 'with no workers, next replies undefined').toBeUndefined()
  })
})

describe('task 2: drop dead workers', () => {
  it('monitors every worker it is given', async () => {
    const pool = [idleWorker(), idleWorker()]
    const balancer = await startBalancer(pool)
    expect(
      Process.processInfo(balancer)?.monitors,
      'the balancer should monitor its workers: this.monitor(worker) for each one in init',
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
      'w2 died: its DOWN message arrives in handleInfo, which should remove it from the workers',
    ).toEqual([w3, w1])
    expect(await turns(balancer, 3), 'w2 is gone: the turns skip it').toEqual([w3, w1, w3])
  })

  it('lives on when a worker crashes', async () => {
    const [w1, w2] = [idleWorker(), idleWorker()]
    const balancer = await startBalancer([w1, w2])
    exit(w1, new Error('worker crashed'))
    await clock.runUntilIdle()
    expect(
      Process.isAlive(balancer),
      'the balancer died with its worker: monitor the workers, do not link to them',
    ).toBe(true)
    expect(await workers(balancer)).toEqual([w2])
  })

  it('answers undefined once every worker is gone', async () => {
    const [w1, w2] = [idleWorker(), idleWorker()]
    const balancer = await startBalancer([w1, w2])
    exit(w1, 'kill')
    exit(w2, 'kill')
    await clock.runUntilIdle()
    expect(await next(balancer), 'both workers died: next should reply undefined').toBeUndefined()
  })
})

describe('task 3: workers join as they start', () => {
  it('adds a joining worker at the end of the line, once, and watches it too', async () => {
    const [w1, w2, w3] = [idleWorker(), idleWorker(), idleWorker()]
    const balancer = await startBalancer([w1, w2])
    expect(await join(balancer, w3)).toBe('ok')
    expect(await join(balancer, w3), 'joining twice should still answer ok').toBe('ok')
    expect(
      await workers(balancer),
      'a worker that joins goes to the end of the line, and only once',
    ).toEqual([w1, w2, w3])
    exit(w3, 'kill')
    await clock.runUntilIdle()
    expect(
      await workers(balancer),
      'a worker that joined died, but it is still listed: monitor it when it joins',
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
    if (started[0] !== 'ok') throw new Error(`the pool did not start: ${String(started[1])}`)
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
      'every Worker should join the balancer in its init: await join(balancer, this.self)',
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
    expect(live[1], 'the supervisor should have restarted b').not.toBe(oldB)
    expect(
      [...(await workers(balancer))].sort(byId),
      'the restarted b should have joined, and the dead one left: the balancer lists exactly the live workers',
    ).toEqual([...live].sort(byId))
    expect(
      new Set(await turns(balancer, 3)),
      'three turns should reach each live worker once',
    ).toEqual(new Set(live))
  })
})

function byId(a: Pid, b: Pid): number {
  return a.id - b.id
}
