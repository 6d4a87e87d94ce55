import { describe, expect, it } from 'vitest'
import { DynamicSupervisor, isPid, type Pid, Process } from '../index.ts'
import { describeSupervisor } from '../supervision.ts'
import { exitOf, ok, useVirtualNode } from './helpers.ts'
import { stopWith, Worker, worker } from './test-workers.ts'

const t = useVirtualNode()

async function pidsOf(sup: Pid | string): Promise<Pid[]> {
  return (await DynamicSupervisor.whichChildren(sup)).map((c) => c.pid as Pid)
}

describe('DynamicSupervisor.startChild', () => {
  it('starts children on demand, linked to the supervisor; whichChildren has no ids', async () => {
    const sup = ok(await DynamicSupervisor.startLink({ name: 'dyn' }))
    expect(Process.processInfo(sup)?.behaviour).toBe('DynamicSupervisor')
    expect(await DynamicSupervisor.whichChildren(sup)).toEqual([])
    const log: string[] = []
    const a = ok(await DynamicSupervisor.startChild('dyn', worker('a', log)))
    const b = ok(await DynamicSupervisor.startChild('dyn', [Worker, { id: 'b', log }]))
    expect(log).toEqual(['a', 'b'])
    expect(Process.processInfo(a)?.parent).toBe(sup)
    expect(await DynamicSupervisor.whichChildren(sup)).toEqual([
      { id: undefined, pid: a, type: 'worker' },
      { id: undefined, pid: b, type: 'worker' },
    ])
    expect(await DynamicSupervisor.countChildren(sup)).toEqual({
      specs: 2,
      active: 2,
      supervisors: 0,
      workers: 2,
    })
  })

  it('returns ignore and errors as they are, without keeping the child', async () => {
    const sup = ok(await DynamicSupervisor.startLink())
    expect(await DynamicSupervisor.startChild(sup, { start: async () => ['ignore'] })).toEqual([
      'ignore',
    ])
    expect(
      await DynamicSupervisor.startChild(sup, { start: async () => ['error', 'nope'] }),
    ).toEqual(['error', 'nope'])
    expect(await DynamicSupervisor.whichChildren(sup)).toEqual([])
  })

  it('fails with max_children when full', async () => {
    const sup = ok(await DynamicSupervisor.startLink({ maxChildren: 2 }))
    ok(await DynamicSupervisor.startChild(sup, worker('a', [])))
    const b = ok(await DynamicSupervisor.startChild(sup, worker('b', [])))
    expect(await DynamicSupervisor.startChild(sup, worker('c', []))).toEqual([
      'error',
      'max_children',
    ])
    await DynamicSupervisor.terminateChild(sup, b)
    expect((await DynamicSupervisor.startChild(sup, worker('c', [])))[0]).toBe('ok')
  })
})

describe('DynamicSupervisor.terminateChild', () => {
  it('stops the child by pid and forgets it', async () => {
    const sup = ok(await DynamicSupervisor.startLink())
    const log: string[] = []
    const a = ok(await DynamicSupervisor.startChild(sup, worker('a', log, { trap: true })))
    expect(await DynamicSupervisor.terminateChild(sup, a)).toEqual(['ok'])
    expect(log).toEqual(['a', 'stop:a:shutdown'])
    expect(await DynamicSupervisor.whichChildren(sup)).toEqual([])
    expect(await DynamicSupervisor.terminateChild(sup, a)).toEqual(['error', 'not_found'])
  })
})

describe('DynamicSupervisor restarts', () => {
  it('restarts a crashed permanent child with a new pid, moved to the end', async () => {
    const sup = ok(await DynamicSupervisor.startLink())
    const log: string[] = []
    const a = ok(await DynamicSupervisor.startChild(sup, worker('a', log)))
    const b = ok(await DynamicSupervisor.startChild(sup, worker('b', log)))
    stopWith(a, new Error('boom'))
    await t.clock.runUntilIdle()
    expect(log).toEqual(['a', 'b', 'a'])
    const [first, second] = await pidsOf(sup)
    expect(first).toBe(b)
    expect(isPid(second) && second !== a).toBe(true)
  })

  it.each([
    ['transient', 'normal'],
    ['transient', 'shutdown'],
    ['temporary', new Error('boom')],
  ] as const)('forgets a %s child that exits with %s', async (restart, reason) => {
    const sup = ok(await DynamicSupervisor.startLink())
    const log: string[] = []
    const a = ok(await DynamicSupervisor.startChild(sup, worker('a', log, { restart })))
    stopWith(a, reason)
    await t.clock.runUntilIdle()
    expect(log).toEqual(['a'])
    expect(await DynamicSupervisor.whichChildren(sup)).toEqual([])
  })

  it('gives up on the 4th crash within 5 s: stops the children and exits with shutdown', async () => {
    const sup = ok(await DynamicSupervisor.startLink())
    const supExit = exitOf(sup)
    const log: string[] = []
    ok(await DynamicSupervisor.startChild(sup, worker('a', log, { trap: true })))
    ok(await DynamicSupervisor.startChild(sup, worker('b', log)))
    for (let i = 0; i < 4; i++) {
      const [, b] = await pidsOf(sup)
      stopWith(b, new Error('boom'))
      await t.clock.advance(1000)
    }
    expect(supExit).toEqual({ exited: true, reason: 'shutdown' })
    expect(log.at(-1)).toBe('stop:a:shutdown')
    expect(Process.list()).toEqual([])
  })

  it('does not give up when the crashes are spread out', async () => {
    const sup = ok(await DynamicSupervisor.startLink({ maxRestarts: 1, maxSeconds: 1 }))
    ok(await DynamicSupervisor.startChild(sup, worker('a', [])))
    for (let i = 0; i < 5; i++) {
      const [a] = await pidsOf(sup)
      stopWith(a, new Error('boom'))
      await t.clock.advance(1001)
    }
    expect(Process.isAlive(sup)).toBe(true)
    expect(describeSupervisor(t.node.resolve(sup)!)).toMatchObject({
      behaviour: 'DynamicSupervisor',
      strategy: 'one_for_one',
      restarts: 5,
    })
  })
})

describe('DynamicSupervisor.stop', () => {
  it('stops the children newest first, then itself', async () => {
    const sup = ok(await DynamicSupervisor.startLink())
    const log: string[] = []
    for (const id of ['a', 'b', 'c'])
      ok(await DynamicSupervisor.startChild(sup, worker(id, log, { trap: true })))
    await DynamicSupervisor.stop(sup)
    expect(log.slice(3)).toEqual(['stop:c:shutdown', 'stop:b:shutdown', 'stop:a:shutdown'])
    expect(Process.list()).toEqual([])
  })
})

describe('DynamicSupervisor module style', () => {
  it('takes its flags from init(arg)', async () => {
    const Rooms = { init: (max: number) => DynamicSupervisor.init({ maxChildren: max }) }
    const sup = ok(await DynamicSupervisor.startLink(Rooms, 1, { name: 'rooms' }))
    expect(Process.whereis('rooms')).toBe(sup)
    ok(await DynamicSupervisor.startChild('rooms', worker('a', [])))
    expect(await DynamicSupervisor.startChild('rooms', worker('b', []))).toEqual([
      'error',
      'max_children',
    ])
  })

  it('returns ignore when init returns ignore', async () => {
    expect(
      await DynamicSupervisor.startLink({ init: () => ['ignore'] as const }, undefined),
    ).toEqual(['ignore'])
  })
})

describe('DynamicSupervisor bad input', () => {
  it.each<[string, object, string]>([
    [
      'a strategy other than one_for_one',
      { strategy: 'one_for_all' },
      "Expected `strategy` to be one of 'one_for_one', got `'one_for_all'` (string)",
    ],
    [
      'a negative maxChildren',
      { maxChildren: -1 },
      "Expected `maxChildren` to be a non-negative integer or 'infinity', got `-1` (number)",
    ],
    [
      'a negative maxRestarts',
      { maxRestarts: -1 },
      'Expected `maxRestarts` to be a non-negative integer',
    ],
    ['an unknown option', { children: [] }, 'Unknown option `children` in `options`'],
  ])('throws a TypeError for %s', (_name, options, message) => {
    expect(() => DynamicSupervisor.startLink(options as DynamicSupervisor.Options)).toThrow(
      TypeError,
    )
    expect(() => DynamicSupervisor.startLink(options as DynamicSupervisor.Options)).toThrow(message)
  })

  it('startChild throws a TypeError for a bad child spec', async () => {
    const sup = ok(await DynamicSupervisor.startLink())
    expect(() => DynamicSupervisor.startChild(sup, { restart: 'temporary' } as any)).toThrow(
      'Expected `child.start` to be a function',
    )
  })
})
