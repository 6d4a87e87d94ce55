import { afterEach, describe, expect, it } from 'vitest'
import { SupervisionDemo, type TreeSettings } from './supervision-scenario.ts'

const ONE_FOR_ONE: TreeSettings = { strategy: 'one_for_one', maxRestarts: 3, maxSeconds: 5 }
let demo: SupervisionDemo | undefined

afterEach(() => demo?.dispose())

/** The pid of each child of `workers`, by id. */
function workerPids(d: SupervisionDemo): Record<string, string | null> {
  const workers = d.view().tree?.children.find((c) => c.id === 'workers')?.supervisor
  return Object.fromEntries((workers?.children ?? []).map((c) => [c.id, c.pid]))
}

function texts(d: SupervisionDemo): string[] {
  return d.view().log.map((line) => line.text)
}

describe('the supervision tree demo', () => {
  it('starts root, cache, workers and three workers, in order', async () => {
    demo = await SupervisionDemo.start(ONE_FOR_ONE)
    const tree = demo.view().tree!
    expect(tree.name).toBe('root')
    expect(tree.children.map((c) => c.id)).toEqual(['cache', 'workers'])
    expect(Object.keys(workerPids(demo))).toEqual(['worker1', 'worker2', 'worker3'])
    expect(
      texts(demo)
        .filter((t) => t.includes('starts as'))
        .map((t) => t.split(' ')[0]),
    ).toEqual(['root', 'cache', 'workers', 'worker1', 'worker2', 'worker3'])
  })

  it('writes its log in Korean for a Korean page, keeping names, pids and strategies', async () => {
    demo = await SupervisionDemo.start({ ...ONE_FOR_ONE, maxRestarts: 0 }, 'ko')
    await demo.crash('worker2')
    const log = texts(demo)
    expect(log[0]).toBe('root 시작. workers는 one_for_one, 5초에 재시작 최대 0회')
    expect(log).toContain('worker2 크래시: worker2 hit a bug')
    expect(log).toContain('workers 포기: 5초에 재시작이 0회를 넘음')
    expect(log).toContain('root: workers 재시작 (one_for_one)')
    expect(log.find((t) => t.startsWith('worker1 시작: '))).toMatch(/^worker1 시작: #PID</)
    expect(log.some((t) => /starts|crashed|restarts|gives up/.test(t))).toBe(false)
  })

  it('one_for_one restarts only the crashed worker, under a new pid', async () => {
    demo = await SupervisionDemo.start(ONE_FOR_ONE)
    const before = workerPids(demo)
    await demo.crash('worker2')
    const after = workerPids(demo)
    expect(after.worker2).not.toBe(before.worker2)
    expect(after.worker1).toBe(before.worker1)
    expect(after.worker3).toBe(before.worker3)
    expect(demo.view().started).toEqual([after.worker2])
    expect(texts(demo).slice(-3)).toEqual([
      'worker2 crashed: worker2 hit a bug',
      'workers restarts worker2 (one_for_one)',
      `worker2 starts as ${after.worker2}`,
    ])
  })

  it('rest_for_one stops the later siblings last-first, then starts them in order', async () => {
    demo = await SupervisionDemo.start({ ...ONE_FOR_ONE, strategy: 'rest_for_one' })
    const before = workerPids(demo)
    await demo.crash('worker2')
    const after = workerPids(demo)
    expect(after.worker1).toBe(before.worker1)
    expect(after.worker2).not.toBe(before.worker2)
    expect(after.worker3).not.toBe(before.worker3)
    expect(demo.view().started).toEqual([after.worker2, after.worker3])
    expect(texts(demo).slice(-5)).toEqual([
      'worker2 crashed: worker2 hit a bug',
      'workers restarts worker2 (rest_for_one)',
      'worker3 exits: shutdown',
      `worker2 starts as ${after.worker2}`,
      `worker3 starts as ${after.worker3}`,
    ])
  })

  it('counts restarts in the window, and forgets them as time passes', async () => {
    demo = await SupervisionDemo.start(ONE_FOR_ONE)
    const recent = () => demo!.view().tree!.children[1].supervisor!.recentRestarts
    await demo.crash('worker1')
    await demo.crash('worker1')
    expect(recent()).toBe(2)
    await demo.wait(6000)
    expect(demo.view().time).toBe(6000)
    expect(recent()).toBe(0)
  })

  it('one crash too many makes workers give up, and root restarts it', async () => {
    demo = await SupervisionDemo.start({ ...ONE_FOR_ONE, maxRestarts: 1 })
    const workersPid = () => demo!.view().tree!.children[1].pid
    const first = workersPid()
    await demo.crash('worker3')
    await demo.crash('worker3')
    expect(texts(demo)).toContain('workers gives up: more than 1 restart in 5 s')
    expect(texts(demo)).toContain('root restarts workers (one_for_one)')
    expect(workersPid()).not.toBe(first)
    expect(demo.view().tree!.restarts).toBe(1)
  })

  it('a second escalation within 10 s stops the whole tree', async () => {
    demo = await SupervisionDemo.start({ ...ONE_FOR_ONE, maxRestarts: 0 })
    await demo.crash('worker1') // workers gives up, root restarts it (1 of 1)
    expect(demo.view().tree).not.toBeNull()
    await demo.crash('worker1') // workers gives up again: root gives up too
    expect(demo.view().tree).toBeNull()
    expect(texts(demo)).toContain('root gives up: more than 1 restart in 10 s')
    expect(texts(demo).at(-1)).toBe('root exits: shutdown')
  })

  it('starts a new tree with other settings', async () => {
    demo = await SupervisionDemo.start(ONE_FOR_ONE)
    await demo.restart({ strategy: 'one_for_all', maxRestarts: 2, maxSeconds: 3 })
    const workers = demo.view().tree!.children[1].supervisor!
    expect([workers.strategy, workers.maxRestarts, workers.maxSeconds]).toEqual([
      'one_for_all',
      2,
      3,
    ])
    await demo.crash('worker3')
    expect(demo.view().started).toHaveLength(3)
  })
})
