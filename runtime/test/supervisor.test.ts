import { describe, expect, it } from 'vitest'
import {
  BadReturnError,
  exit,
  GenServer,
  isPid,
  type Pid,
  Process,
  Supervisor,
  spawn,
} from '../index.ts'
import { describeSupervisor } from '../supervision.ts'
import { exitOf, ok, useVirtualNode } from './helpers.ts'
import { pidsOf, stopWith, Worker, worker } from './test-workers.ts'

const t = useVirtualNode()

/** Starts a one-level supervisor of workers `ids` and waits until it runs. */
async function startSup(
  ids: string[],
  options: Partial<Supervisor.Options> = {},
  child: Partial<Supervisor.ChildSpec> & { trap?: boolean } = {},
) {
  const log: string[] = []
  const children = ids.map((id) => worker(id, log, child))
  const sup = ok(await Supervisor.startLink(children, { strategy: 'one_for_one', ...options }))
  return { sup, log, pids: await pidsOf(sup) }
}

/** A child that ignores `shutdown`: it traps exits and never stops on its own. */
function stubborn(id: string, shutdown?: Supervisor.Shutdown): Supervisor.ChildSpec {
  return {
    id,
    shutdown,
    start: async () => [
      'ok',
      spawn(async (ctx) => {
        ctx.trapExit(true)
        for (;;) await ctx.receive()
      }),
    ],
  }
}

describe('Supervisor.startLink', () => {
  it('starts children in order and whichChildren lists them last started first', async () => {
    const { sup, log } = await startSup(['a', 'b', 'c'])
    expect(log).toEqual(['a', 'b', 'c'])
    const children = await Supervisor.whichChildren(sup)
    expect(children.map((c) => c.id)).toEqual(['c', 'b', 'a'])
    expect(children.every((c) => isPid(c.pid) && c.type === 'worker')).toBe(true)
  })

  it('links each child to the supervisor and marks the process as a Supervisor', async () => {
    const { sup, pids } = await startSup(['a'])
    expect(Process.processInfo(pids.a as Pid)?.parent).toBe(sup)
    expect(Process.processInfo(sup)?.behaviour).toBe('Supervisor')
    expect(Process.processInfo(sup)?.trapExit).toBe(true)
  })

  it('links a child whose start function did not link it', async () => {
    const sup = ok(
      await Supervisor.startLink(
        [{ id: 'a', start: () => GenServer.start(Worker, { id: 'a', log: [] }) }],
        { strategy: 'one_for_one' },
      ),
    )
    const [child] = await Supervisor.whichChildren(sup)
    expect(Process.processInfo(child.pid as Pid)?.links).toContain(sup)
    exit(child.pid as Pid, 'boom')
    await t.clock.runUntilIdle()
    const [again] = await Supervisor.whichChildren(sup)
    expect(isPid(again.pid) && again.pid !== child.pid).toBe(true)
  })

  it('accepts a behaviour, [module, arg], a module with startLink or childSpec', async () => {
    const log: string[] = []
    const WithStartLink = { startLink: (id: string) => GenServer.startLink(Worker, { id, log }) }
    const WithChildSpec = {
      childSpec: (id: string) => ({
        id: 'custom',
        start: () => GenServer.startLink(Worker, { id, log }),
      }),
    }
    const sup = ok(
      await Supervisor.startLink(
        [
          [Worker, { id: 'behaviour', log }],
          [WithStartLink, 'startLink'],
          [WithChildSpec, 'childSpec'],
        ],
        { strategy: 'one_for_one' },
      ),
    )
    expect(log).toEqual(['behaviour', 'startLink', 'childSpec'])
    const ids = (await Supervisor.whichChildren(sup)).map((c) => c.id)
    // Elixir uses the module as the default id; here the module object itself.
    expect(ids).toEqual(['custom', WithStartLink, Worker])
  })

  it('keeps a child whose start returns ignore, without a pid', async () => {
    const log: string[] = []
    const sup = ok(
      await Supervisor.startLink(
        [{ id: 'ignored', start: async () => ['ignore'] }, worker('a', log)],
        {
          strategy: 'one_for_one',
        },
      ),
    )
    expect(await Supervisor.whichChildren(sup)).toEqual([
      { id: 'a', pid: expect.any(Object), type: 'worker' },
      { id: 'ignored', pid: undefined, type: 'worker' },
    ])
    expect(await Supervisor.countChildren(sup)).toEqual({
      specs: 2,
      active: 1,
      supervisors: 0,
      workers: 2,
    })
  })

  it('fails with failedToStartChild and stops the started children in reverse order', async () => {
    const log: string[] = []
    const boom = new Error('no database')
    const result = await Supervisor.startLink(
      [
        worker('a', log, { trap: true }),
        worker('b', log, { trap: true }),
        { id: 'c', start: async () => ['error', boom] },
        worker('d', log),
      ],
      { strategy: 'one_for_one' },
    )
    expect(result).toEqual(['error', { shutdown: { failedToStartChild: 'c', reason: boom } }])
    expect(log).toEqual(['a', 'b', 'stop:b:shutdown', 'stop:a:shutdown'])
    expect(Process.list()).toEqual([])
  })

  it('treats a start function that throws as a failed start', async () => {
    const boom = new Error('thrown')
    const result = await Supervisor.startLink(
      [
        {
          id: 'x',
          start: () => {
            throw boom
          },
        },
      ],
      { strategy: 'one_for_one' },
    )
    expect(result).toEqual(['error', { shutdown: { failedToStartChild: 'x', reason: boom } }])
  })

  it('registers a name; a second start gets already_started', async () => {
    const sup = ok(await Supervisor.startLink([], { strategy: 'one_for_one', name: 'sup' }))
    expect(Process.whereis('sup')).toBe(sup)
    expect(await Supervisor.startLink([], { strategy: 'one_for_one', name: 'sup' })).toEqual([
      'error',
      ['already_started', sup],
    ])
    expect(await Supervisor.countChildren('sup')).toEqual({
      specs: 0,
      active: 0,
      supervisors: 0,
      workers: 0,
    })
  })
})

describe('Supervisor module style', () => {
  it('calls init(arg) in the supervisor process and starts its children', async () => {
    const log: string[] = []
    let self: Pid | undefined
    const MySup = {
      init(this: { self: Pid }, ids: string[]) {
        self = this.self
        return Supervisor.init(
          ids.map((id) => worker(id, log)),
          { strategy: 'rest_for_one' },
        )
      },
    }
    const sup = ok(await Supervisor.startLink(MySup, ['x', 'y'], { name: 'my_sup' }))
    expect(self).toBe(sup)
    expect(Process.whereis('my_sup')).toBe(sup)
    expect(log).toEqual(['x', 'y'])
  })

  it('returns ignore when init returns ignore', async () => {
    expect(await Supervisor.startLink({ init: () => ['ignore'] as const }, undefined)).toEqual([
      'ignore',
    ])
  })

  it('fails with BadReturnError when init returns something else', async () => {
    const result = await Supervisor.startLink({ init: () => ['ok'] as any }, undefined)
    expect(result[0]).toBe('error')
    expect((result as [string, unknown])[1]).toBeInstanceOf(BadReturnError)
  })

  it('fails with the TypeError when init lists a bad child', async () => {
    const result = await Supervisor.startLink(
      { init: () => Supervisor.init([{ id: 'x' } as any], { strategy: 'one_for_one' }) },
      undefined,
    )
    expect((result as [string, Error])[1]).toBeInstanceOf(TypeError)
  })
})

describe('Supervisor strategies', () => {
  it('one_for_one restarts only the crashed child', async () => {
    const { sup, log, pids } = await startSup(['a', 'b', 'c'])
    stopWith(pids.b, new Error('boom'))
    await t.clock.runUntilIdle()
    const after = await pidsOf(sup)
    expect(log).toEqual(['a', 'b', 'c', 'b'])
    expect(after.a).toBe(pids.a)
    expect(after.c).toBe(pids.c)
    expect(isPid(after.b) && after.b !== pids.b).toBe(true)
  })

  it('one_for_all stops the others in reverse start order, then restarts all in start order', async () => {
    const { sup, log, pids } = await startSup(
      ['a', 'b', 'c', 'd'],
      { strategy: 'one_for_all' },
      { trap: true },
    )
    log.length = 0
    stopWith(pids.b, new Error('boom'))
    await t.clock.runUntilIdle()
    expect(log).toEqual([
      'stop:b:error',
      'stop:d:shutdown',
      'stop:c:shutdown',
      'stop:a:shutdown',
      'a',
      'b',
      'c',
      'd',
    ])
    const after = await pidsOf(sup)
    for (const id of ['a', 'b', 'c', 'd']) expect(after[id]).not.toBe(pids[id])
  })

  it('rest_for_one restarts the crashed child and those started after it', async () => {
    const { sup, log, pids } = await startSup(
      ['a', 'b', 'c', 'd'],
      { strategy: 'rest_for_one' },
      { trap: true },
    )
    log.length = 0
    stopWith(pids.b, new Error('boom'))
    await t.clock.runUntilIdle()
    expect(log).toEqual(['stop:b:error', 'stop:d:shutdown', 'stop:c:shutdown', 'b', 'c', 'd'])
    const after = await pidsOf(sup)
    expect(after.a).toBe(pids.a)
    for (const id of ['b', 'c', 'd']) expect(after[id]).not.toBe(pids[id])
  })

  it('one_for_all also starts siblings that were not running, and drops temporary ones', async () => {
    const log: string[] = []
    const sup = ok(
      await Supervisor.startLink(
        [worker('a', log), worker('t', log, { restart: 'temporary' }), worker('b', log)],
        { strategy: 'one_for_all' },
      ),
    )
    await Supervisor.terminateChild(sup, 'a')
    stopWith((await pidsOf(sup)).b, new Error('boom'))
    await t.clock.runUntilIdle()
    expect(log).toEqual(['a', 't', 'b', 'a', 'b'])
    expect((await Supervisor.whichChildren(sup)).map((c) => c.id)).toEqual(['b', 'a'])
  })
})

describe('Supervisor restart types', () => {
  it('permanent: restarted even after a normal exit', async () => {
    const { sup, pids } = await startSup(['a'])
    stopWith(pids.a, 'normal')
    await t.clock.runUntilIdle()
    const after = await pidsOf(sup)
    expect(isPid(after.a) && after.a !== pids.a).toBe(true)
  })

  it('transient: restarted after a crash', async () => {
    const { sup, pids } = await startSup(['a'], {}, { restart: 'transient' })
    stopWith(pids.a, new Error('boom'))
    await t.clock.runUntilIdle()
    const after = await pidsOf(sup)
    expect(isPid(after.a) && after.a !== pids.a).toBe(true)
  })

  it.each([
    ['normal', 'normal'],
    ['shutdown', 'shutdown'],
    ['{ shutdown: x }', { shutdown: 'bye' }],
  ])('transient: stays listed without a pid after exiting with %s', async (_name, reason) => {
    const { sup, log, pids } = await startSup(['a', 'b'], {}, { restart: 'transient' })
    stopWith(pids.a, reason)
    await t.clock.runUntilIdle()
    expect(log).toEqual(['a', 'b'])
    expect(await Supervisor.whichChildren(sup)).toEqual([
      { id: 'b', pid: pids.b, type: 'worker' },
      { id: 'a', pid: undefined, type: 'worker' },
    ])
  })

  it.each([
    ['a crash', new Error('boom')],
    ['normal', 'normal'],
  ])('temporary: removed from the list after %s, never restarted', async (_name, reason) => {
    const { sup, log, pids } = await startSup(['a', 'b'], {}, { restart: 'temporary' })
    stopWith(pids.a, reason)
    await t.clock.runUntilIdle()
    expect(log).toEqual(['a', 'b'])
    expect((await Supervisor.whichChildren(sup)).map((c) => c.id)).toEqual(['b'])
  })
})

describe('Supervisor restart intensity', () => {
  /** Crashes child `id` `times` times, `every` ms apart; returns how the supervisor exited. */
  async function crash(sup: Pid, id: string, times: number, every = 0) {
    for (let i = 0; i < times; i++) {
      if (i > 0) await t.clock.advance(every)
      if (!Process.isAlive(sup)) break
      stopWith((await pidsOf(sup))[id], new Error(`crash ${i + 1}`))
      await t.clock.settle()
    }
  }

  it('survives 3 crashes in the window with maxRestarts 3', async () => {
    const { sup } = await startSup(['a'])
    await crash(sup, 'a', 3)
    expect(Process.isAlive(sup)).toBe(true)
  })

  it('gives up on the 4th crash: stops the others with shutdown and exits with shutdown', async () => {
    const { sup, log } = await startSup(['a', 'b', 'c'], {}, { trap: true })
    const supExit = exitOf(sup)
    await crash(sup, 'b', 4, 1000)
    expect(supExit).toEqual({ exited: true, reason: 'shutdown' })
    expect(log.slice(-3)).toEqual(['stop:b:error', 'stop:c:shutdown', 'stop:a:shutdown'])
    expect(Process.list()).toEqual([])
  })

  it('does not give up on 4 crashes spread over 6 seconds', async () => {
    const { sup } = await startSup(['a'])
    await crash(sup, 'a', 4, 2000) // at 0, 2, 4, 6 s: never more than 3 in 5 s
    expect(Process.isAlive(sup)).toBe(true)
  })

  it('counts a restart as long as it is at most maxSeconds old', async () => {
    const { sup } = await startSup(['a'], { maxRestarts: 1, maxSeconds: 2 })
    await crash(sup, 'a', 2, 2000)
    expect(Process.isAlive(sup)).toBe(false)
  })

  it('with maxRestarts 0 gives up on the first crash', async () => {
    const { sup } = await startSup(['a'], { maxRestarts: 0 })
    const supExit = exitOf(sup)
    await crash(sup, 'a', 1)
    expect(supExit.reason).toBe('shutdown')
  })

  it('a failure climbs the tree: the outer supervisor restarts the inner one, then gives up too', async () => {
    const log: string[] = []
    const inner: Supervisor.ChildSpec = {
      id: 'inner',
      type: 'supervisor',
      start: () =>
        Supervisor.startLink([worker('w', log)], { strategy: 'one_for_one', maxRestarts: 0 }),
    }
    const outer = ok(
      await Supervisor.startLink([worker('sibling', log), inner], {
        strategy: 'one_for_one',
        maxRestarts: 1,
      }),
    )
    const outerExit = exitOf(outer)
    const innerPid = () => pidsOf(outer).then((p) => p.inner as Pid)
    const first = await innerPid()
    expect(Process.processInfo(first)?.parent).toBe(outer)
    stopWith((await pidsOf(first)).w, new Error('boom'))
    await t.clock.runUntilIdle()
    const second = await innerPid()
    expect(second).not.toBe(first)
    expect(log).toEqual(['sibling', 'w', 'w'])
    stopWith((await pidsOf(second)).w, new Error('boom again'))
    await t.clock.runUntilIdle()
    expect(outerExit).toEqual({ exited: true, reason: 'shutdown' })
    expect(Process.list()).toEqual([])
  })

  it('retries a failed restart, counting each try', async () => {
    let failures = 0
    const flaky: Supervisor.ChildSpec = {
      id: 'flaky',
      start: async () =>
        failures-- > 0
          ? ['error', 'not yet']
          : GenServer.startLink(Worker, { id: 'flaky', log: [] }),
    }
    const sup = ok(await Supervisor.startLink([flaky], { strategy: 'one_for_one' }))
    failures = 1
    stopWith((await pidsOf(sup)).flaky, new Error('boom'))
    await t.clock.runUntilIdle()
    expect(isPid((await pidsOf(sup)).flaky)).toBe(true)
    expect(describeSupervisor(t.node.resolve(sup)!)?.restarts).toBe(2) // the crash, then the retry
    failures = 10 // the crash and 3 retries make 4 restarts: one too many
    stopWith((await pidsOf(sup)).flaky, new Error('boom'))
    await t.clock.runUntilIdle()
    expect(Process.isAlive(sup)).toBe(false)
  })
})

describe('Supervisor shutdown', () => {
  it('stop terminates children in reverse start order with shutdown', async () => {
    const { sup, log } = await startSup(['a', 'b', 'c'], {}, { trap: true })
    await Supervisor.stop(sup)
    expect(log.slice(3)).toEqual(['stop:c:shutdown', 'stop:b:shutdown', 'stop:a:shutdown'])
    expect(Process.list()).toEqual([])
  })

  it('kills a child that does not stop within its shutdown timeout (default 5000)', async () => {
    const sup = ok(await Supervisor.startLink([stubborn('s')], { strategy: 'one_for_one' }))
    const child = (await pidsOf(sup)).s as Pid
    const childExit = exitOf(child)
    const stopped = Supervisor.stop(sup)
    await t.clock.advance(4999)
    expect(childExit.exited).toBe(false)
    await t.clock.advance(1)
    await stopped
    expect(childExit.reason).toBe('killed')
  })

  it('brutal_kill kills at once', async () => {
    const sup = ok(
      await Supervisor.startLink([stubborn('s', 'brutal_kill')], { strategy: 'one_for_one' }),
    )
    const childExit = exitOf((await pidsOf(sup)).s as Pid)
    await Supervisor.stop(sup)
    expect(childExit.reason).toBe('killed')
    expect(t.clock.now()).toBe(0)
  })

  it("waits as long as it takes with shutdown 'infinity'", async () => {
    const sup = ok(
      await Supervisor.startLink([stubborn('s', 'infinity')], { strategy: 'one_for_one' }),
    )
    const child = (await pidsOf(sup)).s as Pid
    const stopped = Supervisor.stop(sup)
    await t.clock.advance(60_000)
    expect(Process.isAlive(sup)).toBe(true)
    exit(child, 'kill')
    await stopped
    expect(Process.isAlive(sup)).toBe(false)
  })

  it("defaults shutdown to 5000 for workers and 'infinity' for supervisors", () => {
    const start = async () => ['ignore'] as const
    expect(Supervisor.childSpec({ id: 'w', start }).shutdown).toBe(5000)
    expect(Supervisor.childSpec({ id: 's', start, type: 'supervisor' }).shutdown).toBe('infinity')
  })

  it('an EXIT from its parent stops the children and the supervisor with the same reason', async () => {
    const log: string[] = []
    let sup: Pid | undefined
    const parent = spawn(async (ctx) => {
      sup = ok(
        await Supervisor.startLink([worker('a', log, { trap: true })], {
          strategy: 'one_for_one',
          parent: ctx,
        }),
      )
      await ctx.receive()
    })
    await t.clock.runUntilIdle()
    const supExit = exitOf(sup!)
    exit(parent, 'bye')
    await t.clock.runUntilIdle()
    expect(supExit.reason).toBe('bye')
    expect(log).toEqual(['a', 'stop:a:shutdown'])
  })
})

describe('Supervisor child management', () => {
  it('terminateChild stops a child and keeps its spec; restartChild starts it again', async () => {
    const { sup, log, pids } = await startSup(['a', 'b'])
    expect(await Supervisor.terminateChild(sup, 'a')).toEqual(['ok'])
    expect(Process.isAlive(pids.a as Pid)).toBe(false)
    expect((await pidsOf(sup)).a).toBeUndefined()
    expect(await Supervisor.countChildren(sup)).toEqual({
      specs: 2,
      active: 1,
      supervisors: 0,
      workers: 2,
    })
    const restarted = await Supervisor.restartChild(sup, 'a')
    expect(restarted[0]).toBe('ok')
    expect((await pidsOf(sup)).a).toBe(restarted[1])
    expect(log).toEqual(['a', 'b', 'a'])
  })

  it('terminateChild does not count as a restart and is not followed by one', async () => {
    const { sup } = await startSup(['a'], { maxRestarts: 0 })
    await Supervisor.terminateChild(sup, 'a')
    await t.clock.runUntilIdle()
    expect(Process.isAlive(sup)).toBe(true)
    expect((await pidsOf(sup)).a).toBeUndefined()
  })

  it('terminateChild forgets a temporary child', async () => {
    const { sup } = await startSup(['a'], {}, { restart: 'temporary' })
    expect(await Supervisor.terminateChild(sup, 'a')).toEqual(['ok'])
    expect(await Supervisor.whichChildren(sup)).toEqual([])
  })

  it('answers not_found, running as Elixir does', async () => {
    const { sup } = await startSup(['a'])
    expect(await Supervisor.terminateChild(sup, 'nope')).toEqual(['error', 'not_found'])
    expect(await Supervisor.restartChild(sup, 'nope')).toEqual(['error', 'not_found'])
    expect(await Supervisor.deleteChild(sup, 'nope')).toEqual(['error', 'not_found'])
    expect(await Supervisor.restartChild(sup, 'a')).toEqual(['error', 'running'])
    expect(await Supervisor.deleteChild(sup, 'a')).toEqual(['error', 'running'])
  })

  it('deleteChild forgets a stopped child', async () => {
    const { sup } = await startSup(['a', 'b'])
    await Supervisor.terminateChild(sup, 'a')
    expect(await Supervisor.deleteChild(sup, 'a')).toEqual(['ok'])
    expect((await Supervisor.whichChildren(sup)).map((c) => c.id)).toEqual(['b'])
  })

  it('startChild adds a child that is started last and stopped first', async () => {
    const { sup, log } = await startSup(['a'], {}, { trap: true })
    const [tag, pid] = await Supervisor.startChild(sup, worker('b', log, { trap: true }))
    expect(tag).toBe('ok')
    expect(await Supervisor.whichChildren(sup)).toEqual([
      { id: 'b', pid, type: 'worker' },
      { id: 'a', pid: expect.any(Object), type: 'worker' },
    ])
    await Supervisor.stop(sup)
    expect(log).toEqual(['a', 'b', 'stop:b:shutdown', 'stop:a:shutdown'])
  })

  it('startChild refuses an id in use: already_started or already_present', async () => {
    const { sup, log, pids } = await startSup(['a'])
    expect(await Supervisor.startChild(sup, worker('a', log))).toEqual([
      'error',
      ['already_started', pids.a],
    ])
    await Supervisor.terminateChild(sup, 'a')
    expect(await Supervisor.startChild(sup, worker('a', log))).toEqual(['error', 'already_present'])
  })

  it('startChild returns the start error and does not add the child', async () => {
    const { sup } = await startSup([])
    expect(
      await Supervisor.startChild(sup, { id: 'x', start: async () => ['error', 'nope'] }),
    ).toEqual(['error', 'nope'])
    expect(await Supervisor.startChild(sup, { id: 'y', start: async () => ['ignore'] })).toEqual([
      'ok',
      undefined,
    ])
    expect(await Supervisor.whichChildren(sup)).toEqual([
      { id: 'y', pid: undefined, type: 'worker' },
    ])
  })

  it('countChildren counts supervisors and workers', async () => {
    const sup = ok(
      await Supervisor.startLink(
        [
          worker('w', []),
          {
            id: 'inner',
            type: 'supervisor',
            start: () => Supervisor.startLink([], { strategy: 'one_for_one' }),
          },
        ],
        { strategy: 'one_for_one' },
      ),
    )
    expect(await Supervisor.countChildren(sup)).toEqual({
      specs: 2,
      active: 2,
      supervisors: 1,
      workers: 1,
    })
  })

  it('describes itself for the observer: strategy, children in start order, restarts', async () => {
    const { sup, pids } = await startSup(['a', 'b'], { strategy: 'rest_for_one' })
    stopWith(pids.b, new Error('boom'))
    await t.clock.runUntilIdle()
    const info = describeSupervisor(t.node.resolve(sup)!)
    expect(info).toMatchObject({
      behaviour: 'Supervisor',
      strategy: 'rest_for_one',
      maxRestarts: 3,
      restarts: 1,
    })
    expect(info?.children.map((c) => c.id)).toEqual(['a', 'b'])
  })
})

describe('Supervisor bad input', () => {
  const start = async () => ['ignore'] as const
  const bad = (children: unknown[], options: object) => () =>
    Supervisor.startLink(children as Supervisor.Child[], options as Supervisor.Options)

  it.each<[string, unknown[], object, string | RegExp]>([
    [
      'an unknown strategy',
      [],
      { strategy: 'one_for_some' },
      "Expected `strategy` to be one of 'one_for_one', 'one_for_all', 'rest_for_one', got `'one_for_some'` (string)",
    ],
    ['no strategy', [], {}, 'Expected `strategy` to be one of'],
    [
      'a negative maxRestarts',
      [],
      { strategy: 'one_for_one', maxRestarts: -1 },
      'Expected `maxRestarts` to be a non-negative integer, got `-1` (number)',
    ],
    [
      'maxSeconds 0',
      [],
      { strategy: 'one_for_one', maxSeconds: 0 },
      'Expected `maxSeconds` to be a positive integer, got `0` (number)',
    ],
    [
      'an unknown option',
      [],
      { strategy: 'one_for_one', max_restarts: 1 },
      'Unknown option `max_restarts` in `options`',
    ],
    [
      'a child spec without start',
      [{ id: 'a' }],
      { strategy: 'one_for_one' },
      'Expected `children[0].start` to be a function, got `undefined` (undefined)',
    ],
    [
      'a child spec without id',
      [{ start }],
      { strategy: 'one_for_one' },
      'Expected `children[0].id` to be set',
    ],
    [
      'duplicate child ids',
      [
        { id: 'a', start },
        { id: 'a', start },
      ],
      { strategy: 'one_for_one' },
      "Duplicate child id 'a' in `children[1]`",
    ],
    [
      'a bad restart type',
      [{ id: 'a', start, restart: 'always' }],
      { strategy: 'one_for_one' },
      "Expected `children[0].restart` to be one of 'permanent', 'transient', 'temporary', got `'always'`",
    ],
    [
      'a negative shutdown',
      [{ id: 'a', start, shutdown: -1 }],
      { strategy: 'one_for_one' },
      "Expected `children[0].shutdown` to be a non-negative integer, 'brutal_kill' or 'infinity', got `-1` (number)",
    ],
    [
      'a bad shutdown',
      [{ id: 'a', start, shutdown: 'soon' }],
      { strategy: 'one_for_one' },
      'Expected `children[0].shutdown`',
    ],
    [
      'a bad child type',
      [{ id: 'a', start, type: 'boss' }],
      { strategy: 'one_for_one' },
      "Expected `children[0].type` to be one of 'worker', 'supervisor'",
    ],
    [
      'an unknown child spec key',
      [{ id: 'a', start, restarts: 'temporary' }],
      { strategy: 'one_for_one' },
      'Unknown option `restarts` in `children[0]`',
    ],
    [
      'something that is not a child',
      [42],
      { strategy: 'one_for_one' },
      'Expected `children[0]` to be a child spec ({ id, start }), a module with childSpec/startLink/init, or [module, arg], got `42` (number)',
    ],
  ])('throws a TypeError for %s', (_name, children, options, message) => {
    expect(bad(children, options)).toThrow(TypeError)
    expect(bad(children, options)).toThrow(message)
  })

  it('throws a TypeError for children that are not an array and unknown flags in init', () => {
    expect(() => Supervisor.init('a' as any, { strategy: 'one_for_one' })).toThrow(TypeError)
    expect(() => Supervisor.init([], { strategy: 'one_for_one', name: 'x' } as any)).toThrow(
      'Unknown option `name` in `flags`',
    )
  })

  it('childSpec rejects unknown override keys and startChild a bad spec', async () => {
    expect(() => Supervisor.childSpec({ id: 'a', start }, { restrat: 'temporary' } as any)).toThrow(
      'Unknown option `restrat` in `overrides`',
    )
    const sup = ok(await Supervisor.startLink([], { strategy: 'one_for_one' }))
    expect(() => Supervisor.startChild(sup, { start } as any)).toThrow(
      'Expected `child.id` to be set',
    )
    expect(() => Supervisor.startChild(sup, { id: 'a' } as any)).toThrow(TypeError)
  })

  it('throws a TypeError for a module without init', () => {
    expect(() => Supervisor.startLink({} as any, undefined)).toThrow(
      'Expected `module.init` to be a function',
    )
  })

  it('childSpec applies overrides on a module', () => {
    const spec = Supervisor.childSpec([Worker, { id: 'x', log: [] }], {
      id: 'other',
      restart: 'transient',
    })
    expect(spec).toMatchObject({
      id: 'other',
      restart: 'transient',
      shutdown: 5000,
      type: 'worker',
    })
  })
})
