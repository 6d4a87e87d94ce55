import { GenServer, type Pid, Process, Supervisor } from 'letitcrash'
import { describe, expect, it } from 'vitest'
import { ok, useVirtualNode } from '../../runtime/test/helpers.ts'
import { startTree, startWorkers, startWorkersInline } from './supervisor.ts'

const t = useVirtualNode()

/** The pid of every registered worker, by name. */
function pids(...names: string[]): (Pid | undefined)[] {
  return names.map((name) => Process.whereis(name))
}

describe('chapter 4: Supervisor', () => {
  it('starts the workers in order; whichChildren lists them last started first', async () => {
    const sup = ok(await startWorkers())
    const children = await Supervisor.whichChildren(sup)
    expect(children.map((child) => child.id)).toEqual([
      'worker3',
      'worker2',
      'worker1',
    ])
    expect(await Supervisor.countChildren(sup)).toEqual({
      specs: 3,
      active: 3,
      supervisors: 0,
      workers: 3,
    })
  })

  it('the list form starts the same children', async () => {
    const sup = ok(await startWorkersInline())
    expect(
      (await Supervisor.whichChildren(sup)).map((child) => child.id),
    ).toEqual(['worker3', 'worker2', 'worker1'])
  })

  it('one_for_one restarts only the worker that crashed, with a fresh state', async () => {
    ok(await startWorkers('one_for_one'))
    const [one, three] = pids('worker1', 'worker3')
    // #region crash
    GenServer.cast('worker2', 'work')
    expect(await GenServer.call('worker2', 'jobs')).toBe(1)
    const before = Process.whereis('worker2')

    GenServer.cast('worker2', 'crash')
    await t.clock.runUntilIdle()

    // A new process under the same name, started over from init.
    expect(Process.whereis('worker2')).not.toBe(before)
    expect(await GenServer.call('worker2', 'jobs')).toBe(0)
    // #endregion crash
    expect(Process.whereis('worker2')).toBeDefined()
    // worker1 and worker3 did not notice.
    expect(pids('worker1', 'worker3')).toEqual([one, three])
  })

  it('one_for_all restarts every worker', async () => {
    ok(await startWorkers('one_for_all'))
    const before = pids('worker1', 'worker2', 'worker3')
    GenServer.cast('worker2', 'crash')
    await t.clock.runUntilIdle()
    const after = pids('worker1', 'worker2', 'worker3')
    after.forEach((pid, i) => {
      expect(pid).toBeDefined()
      expect(pid).not.toBe(before[i])
    })
  })

  it('rest_for_one restarts the crashed worker and those started after it', async () => {
    ok(await startWorkers('rest_for_one'))
    const [one, two, three] = pids('worker1', 'worker2', 'worker3')
    GenServer.cast('worker2', 'crash')
    await t.clock.runUntilIdle()
    const [oneAfter, twoAfter, threeAfter] = pids(
      'worker1',
      'worker2',
      'worker3',
    )
    expect(oneAfter).toBe(one)
    expect(twoAfter).not.toBe(two)
    expect(threeAfter).not.toBe(three)
  })

  it('gives up on the fourth crash within five seconds, and the failure climbs the tree', async () => {
    const root = ok(await startTree())
    const workersBefore = Process.whereis('workers')
    const cacheBefore = Process.whereis('cache')
    // #region intensity
    // Three crashes within five seconds: `workers` restarts worker2 each time.
    for (let crash = 1; crash <= 3; crash++) {
      GenServer.cast('worker2', 'crash')
      await t.clock.advance(1000)
    }
    expect(Process.whereis('workers')).toBe(workersBefore)

    // The fourth is one too many: `workers` stops its children and exits
    // with 'shutdown'. Its own supervisor, `root`, restarts it, and with it
    // three fresh workers.
    GenServer.cast('worker2', 'crash')
    await t.clock.advance(1000)
    expect(Process.whereis('workers')).not.toBe(workersBefore)
    // #endregion intensity
    expect(Process.whereis('workers')).toBeDefined()
    expect(Process.whereis('cache')).toBe(cacheBefore)
    expect(Process.isAlive(root)).toBe(true)
  })

  it('crashes spread over time never reach the limit', async () => {
    const sup = ok(await startWorkers())
    for (let crash = 1; crash <= 10; crash++) {
      GenServer.cast('worker2', 'crash')
      await t.clock.advance(2000)
    }
    expect(Process.isAlive(sup)).toBe(true)
  })
})
