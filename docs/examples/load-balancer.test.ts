import { exit, GenServer, type Pid, Process } from 'letitcrash'
import { describe, expect, it } from 'vitest'
import { ok, useVirtualNode } from '../../runtime/test/helpers.ts'
import {
  BALANCER,
  getWorker,
  NaiveBalancer,
  square,
  startLink,
  Worker,
} from './load-balancer.ts'

const t = useVirtualNode()

/** Starts workers named `names`, unlinked, and returns their pids. */
async function startWorkers(...names: string[]): Promise<Pid[]> {
  const pids: Pid[] = []
  for (const name of names) pids.push(ok(await GenServer.start(Worker, name)))
  return pids
}

describe('chapter 7: round robin', () => {
  it('the article’s balancer hands out the workers in turn', async () => {
    const [w1, w2, w3] = await startWorkers('w1', 'w2', 'w3')
    const balancer = ok(await GenServer.start(NaiveBalancer, [w1, w2, w3]))
    const turns: Pid[] = []
    for (let i = 0; i < 4; i++)
      turns.push(await GenServer.call(balancer, 'get_worker'))
    expect(turns).toEqual([w1, w2, w3, w1])
  })

  it('… and keeps handing out a worker that has died', async () => {
    const [w1, w2] = await startWorkers('w1', 'w2')
    const balancer = ok(await GenServer.start(NaiveBalancer, [w1, w2]))
    exit(w2, 'kill')
    await t.clock.runUntilIdle()
    await GenServer.call(balancer, 'get_worker')
    const next: Pid = await GenServer.call(balancer, 'get_worker')
    expect(next).toBe(w2)
    expect(Process.isAlive(next)).toBe(false)
  })

  it('spreads the work over the workers, in turn', async () => {
    ok(await startLink(await startWorkers('w1', 'w2', 'w3')))
    const by: string[] = []
    for (let n = 1; n <= 4; n++) by.push((await square(n)).by)
    expect(by).toEqual(['w1', 'w2', 'w3', 'w1'])
  })

  it('skips a worker that died, and lives on itself', async () => {
    // #region skip
    const [w1, w2, w3] = await startWorkers('w1', 'w2', 'w3')
    await startLink([w1, w2, w3])
    expect(await getWorker()).toBe(w1)

    exit(w2, 'kill') // the balancer is not linked to it: it only gets a DOWN
    await t.clock.runUntilIdle()

    expect([await getWorker(), await getWorker(), await getWorker()]).toEqual([
      w3,
      w1,
      w3,
    ])
    // #endregion skip
    expect(Process.whereis(BALANCER)).toBeDefined()
  })

  it('answers undefined when every worker is gone', async () => {
    const workers = await startWorkers('w1')
    ok(await startLink(workers))
    exit(workers[0], 'kill')
    await t.clock.runUntilIdle()
    expect(await getWorker()).toBeUndefined()
    await expect(square(2)).rejects.toThrow('no worker is running')
  })
})
