/** Telemetry: attach/detach/execute like `:telemetry`, and the events the runtime emits. */
import { afterEach, describe, expect, it } from 'vitest'
import {
  type CrashReport,
  DynamicSupervisor,
  GenServer,
  Process,
  Supervisor,
  setLogger,
  spawn,
  Telemetry,
} from '../index.ts'
import { exitOf, ok, useVirtualNode } from './helpers.ts'
import { pidsOf, stopWith, worker } from './test-workers.ts'

const t = useVirtualNode()

afterEach(() => {
  for (const { id } of Telemetry.listHandlers()) Telemetry.detach(id)
})

interface Seen {
  event: Telemetry.EventName
  measurements: Telemetry.Measurements
  metadata: Telemetry.Metadata
}

/** Attaches a handler that records every event named `event` (or one of a list). */
function record(event: Telemetry.EventName | Telemetry.EventName[], id = 'test'): Seen[] {
  const seen: Seen[] = []
  Telemetry.attach(id, event, (e, measurements, metadata) => {
    seen.push({ event: e, measurements, metadata })
  })
  return seen
}

/** A server that answers each call after `ms` milliseconds of the node's clock. */
const Slow = {
  init: (ms: number) => ['ok', ms],
  handleCall(_request: string, from: GenServer.From, ms: number) {
    this.node.sendAfter(this.self, from, ms)
    return ['noreply', ms]
  },
  handleInfo(from: GenServer.From, ms: number) {
    GenServer.reply(from, 'done')
    return ['noreply', ms]
  },
} satisfies GenServer.Behaviour<number, number, string, never, string, GenServer.From>

describe('Telemetry.attach / execute / detach', () => {
  it('calls the handler with the event, measurements, metadata and config', () => {
    const calls: unknown[][] = []
    expect(
      Telemetry.attach('h', ['app', 'job', 'done'], (...args) => calls.push(args), 42),
    ).toEqual(['ok'])
    Telemetry.execute(['app', 'job', 'done'], { count: 1 }, { job: 'x' })
    Telemetry.execute(['app', 'job', 'other'], { count: 1 })
    expect(calls).toEqual([[['app', 'job', 'done'], { count: 1 }, { job: 'x' }, 42]])
  })

  it('calls every handler of an event, in the order they were attached', () => {
    const order: string[] = []
    Telemetry.attach('first', ['e'], () => order.push('first'))
    Telemetry.attach('second', ['e'], () => order.push('second'))
    Telemetry.execute(['e'], {})
    expect(order).toEqual(['first', 'second'])
  })

  it('attaches one handler to a list of events', () => {
    const seen = record([['a'], ['b', 'c']])
    Telemetry.execute(['a'], {})
    Telemetry.execute(['b', 'c'], {})
    expect(seen.map((s) => s.event)).toEqual([['a'], ['b', 'c']])
    expect(Telemetry.listHandlers(['b']).map((h) => [h.id, h.eventName])).toEqual([
      ['test', ['b', 'c']],
    ])
  })

  it('refuses a second handler with the same id', () => {
    record(['e'])
    expect(Telemetry.attach('test', ['f'], () => {})).toEqual(['error', 'already_exists'])
  })

  it('stops delivering after detach, and detaching twice is not_found', () => {
    const seen = record(['e'])
    Telemetry.execute(['e'], {})
    expect(Telemetry.detach('test')).toEqual(['ok'])
    Telemetry.execute(['e'], {})
    expect(seen).toHaveLength(1)
    expect(Telemetry.detach('test')).toEqual(['error', 'not_found'])
    expect(Telemetry.active).toBe(false)
  })

  it('detaches a handler that throws, reports it, and goes on with the others', async () => {
    const reports: CrashReport[] = []
    const previous = setLogger((report) => reports.push(report))
    try {
      Telemetry.attach('broken', Telemetry.events.spawn, () => {
        throw new Error('handler bug')
      })
      const seen = record(Telemetry.events.spawn, 'fine')
      const pid = spawn(async (ctx) => {
        ctx.send(ctx.self, 'to myself')
        await ctx.receive()
      })
      const ended = exitOf(pid)
      await t.clock.runUntilIdle()
      spawn(async () => {})
      expect(ended).toEqual({ exited: true, reason: 'normal' })
      expect(seen).toHaveLength(2)
      expect(Telemetry.listHandlers().map((h) => h.id)).toEqual(['fine'])
      expect(reports).toHaveLength(1)
      expect(reports[0]).toMatchObject({ kind: 'handler', pid: undefined, name: 'broken' })
      expect(reports[0].message).toMatch(/telemetry handler 'broken' failed .* Error: handler bug/)
    } finally {
      setLogger(previous)
    }
  })

  it('checks its arguments', () => {
    const handler = () => {}
    expect(() => Telemetry.attach('', ['e'], handler)).toThrow(/`id` to be a non-empty string/)
    expect(() => Telemetry.attach('x', 'a.b' as never, handler)).toThrow(/`event` to be an event/)
    expect(() => Telemetry.attach('x', [], handler)).toThrow(/`event` to be an event name/)
    expect(() => Telemetry.attach('x', ['e'], 'f' as never)).toThrow(/`handler` to be a function/)
    expect(() => Telemetry.execute(['e', 1] as never, {})).toThrow(/`event` to be an event name/)
    expect(() => Telemetry.execute(['e'], null as never)).toThrow(/`measurements` to be an object/)
  })
})

describe('Telemetry events of the runtime', () => {
  it('process spawn: pid, node, behaviour and parent, at the clock time', async () => {
    await t.clock.advance(7)
    const seen = record(Telemetry.events.spawn)
    const pid = spawn(async () => {})
    const server = ok(await GenServer.start(Slow, 1))
    expect(seen.map((s) => s.measurements)).toEqual([{ monotonicTime: 7 }, { monotonicTime: 7 }])
    expect(seen.map((s) => s.metadata)).toEqual([
      { pid, node: 'nonode@nohost', behaviour: 'process', parent: undefined },
      { pid: server, node: 'nonode@nohost', behaviour: 'GenServer', parent: undefined },
    ])
  })

  it('process exit: pid, name, behaviour and reason', async () => {
    const seen = record(Telemetry.events.exit)
    const boom = new Error('boom')
    const pid = spawn(async (ctx) => {
      ctx.register('worker')
      await ctx.receive()
      throw boom
    })
    await t.clock.advance(5)
    Process.send(pid, 'go')
    await t.clock.runUntilIdle()
    expect(seen).toEqual([
      {
        event: ['letitcrash', 'process', 'exit'],
        measurements: { monotonicTime: 5 },
        metadata: {
          pid,
          node: 'nonode@nohost',
          name: 'worker',
          behaviour: 'process',
          reason: boom,
        },
      },
    ])
  })

  it('supervisor restart: the supervisor, the child id, its old pid and its reason', async () => {
    const sup = ok(await Supervisor.startLink([worker('a', [])], { strategy: 'one_for_one' }))
    const { a } = await pidsOf(sup)
    const seen = record([Telemetry.events.restart, Telemetry.events.maxIntensity])
    const boom = new Error('boom')
    stopWith(a, boom)
    await t.clock.runUntilIdle()
    expect(seen).toEqual([
      {
        event: Telemetry.events.restart,
        measurements: { monotonicTime: 0 },
        metadata: { supervisor: sup, node: 'nonode@nohost', childId: 'a', pid: a, reason: boom },
      },
    ])
  })

  it('supervisor gives up: reached_max_restart_intensity, then it exits', async () => {
    const sup = ok(
      await Supervisor.startLink([worker('a', [])], { strategy: 'one_for_one', maxRestarts: 1 }),
    )
    const ended = exitOf(sup)
    const seen = record([Telemetry.events.restart, Telemetry.events.maxIntensity])
    for (let i = 0; i < 2; i++) {
      stopWith((await pidsOf(sup)).a, new Error(`crash ${i}`))
      await t.clock.runUntilIdle()
    }
    expect(seen.map((s) => s.event.at(-1))).toEqual(['restart', 'reached_max_restart_intensity'])
    expect(seen[1].metadata).toMatchObject({ supervisor: sup, childId: 'a' })
    expect(ended).toEqual({ exited: true, reason: 'shutdown' })
  })

  it('DynamicSupervisor restart: no child id, the old pid', async () => {
    const sup = ok(await DynamicSupervisor.startLink())
    const child = ok(await DynamicSupervisor.startChild(sup, worker('a', [])))
    const seen = record(Telemetry.events.restart)
    stopWith(child, new Error('boom'))
    await t.clock.runUntilIdle()
    expect(seen.map((s) => s.metadata)).toMatchObject([
      { supervisor: sup, childId: undefined, pid: child },
    ])
  })

  it('GenServer call start and stop: the duration on the node clock', async () => {
    const server = ok(await GenServer.start(Slow, 30, { name: 'slow' }))
    await t.clock.advance(100)
    const seen = record([Telemetry.events.callStart, Telemetry.events.callStop])
    const reply = GenServer.call('slow', 'work')
    await t.clock.advance(30)
    expect(await reply).toBe('done')
    const metadata = { server: 'slow', pid: server, node: 'nonode@nohost', request: 'work' }
    expect(seen).toEqual([
      { event: Telemetry.events.callStart, measurements: { monotonicTime: 100 }, metadata },
      {
        event: Telemetry.events.callStop,
        measurements: { duration: 30, monotonicTime: 130 },
        metadata,
      },
    ])
  })

  it('GenServer call exception: a timeout reports its reason and duration', async () => {
    const server = ok(await GenServer.start(Slow, 50))
    const seen = record(Telemetry.events.callException)
    const reply = GenServer.call(server, 'work', 20).catch((error) => error)
    await t.clock.advance(20)
    expect((await reply).reason).toBe('timeout')
    expect(seen).toHaveLength(1)
    expect(seen[0].measurements).toEqual({ duration: 20, monotonicTime: 20 })
    expect(seen[0].metadata).toMatchObject({ server, reason: 'timeout' })
  })

  it('is active (emit sites build events) only while a handler is attached', async () => {
    expect(Telemetry.active).toBe(false)
    record(['something', 'else'])
    expect(Telemetry.active).toBe(true)
    const server = ok(await GenServer.start(Slow, 0))
    const reply = GenServer.call(server, 'x')
    await t.clock.runUntilIdle()
    expect(await reply).toBe('done')
    Telemetry.detach('test')
    expect(Telemetry.active).toBe(false)
  })
})
