import {
  createNode,
  exit,
  GenServer,
  type Node,
  Observer,
  type Pid,
  Process,
  Supervisor,
  setDefaultNode,
  spawn,
  Telemetry,
  type VirtualClock,
} from 'letitcrash'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bench } from './bench.ts'
import { attachMetrics, percentile } from './metrics.ts'
import { climbingSupervisors, longestMailbox } from './observe.ts'

// Every test gets a fresh node on a virtual clock: time only moves when the test says so.
let node: Node
let clock: VirtualClock

beforeEach(() => {
  node = createNode({ clock: 'virtual' })
  clock = node.clock as VirtualClock
  setDefaultNode(node)
})
afterEach(() => {
  for (const { id } of Telemetry.listHandlers()) Telemetry.detach(id)
  node.shutdown()
})

// --- The system under observation ---------------------------------------------------------------

/** A server that answers each call after as many ms of the node's clock as the request says. */
const Slow = {
  init: () => ['ok', null],
  handleCall(ms: number, from, state) {
    this.node.sendAfter(this.self, from, ms)
    return ['noreply', state]
  },
  handleInfo(from: GenServer.From, state) {
    GenServer.reply(from, 'done')
    return ['noreply', state]
  },
} satisfies GenServer.Behaviour<null, undefined, number, never, 'done', GenServer.From>

/** Writes each line it is cast to the slow 'disk' (10 ms a line), one line at a time. */
const Logger = {
  init: () => ['ok', 0],
  async handleCast(_line: string, written) {
    await GenServer.call('disk', 10)
    return ['noreply', written + 1]
  },
} satisfies GenServer.Behaviour<number, undefined, never, string>

/** Answers at once. */
const Idle = {
  init: () => ['ok', null],
  handleCall: (_request: unknown, _from, state) => ['reply', 'ok', state],
} satisfies GenServer.Behaviour<null, undefined, unknown, never, 'ok'>

/** Crashes `ms` after it starts, every time. */
const Flaky = {
  init(ms: number) {
    this.node.sendAfter(this.self, 'crash', ms)
    return ['ok', ms]
  },
  handleInfo(_crash: 'crash', ms): never {
    throw new Error(`crashed ${ms} ms after it started`)
  },
} satisfies GenServer.Behaviour<number, number, never, never, never, 'crash'>

function started(result: GenServer.OnStart): Pid {
  if (result[0] !== 'ok') expect.fail(`a process of the test did not start: ${String(result[1])}`)
  return result[1]
}

/** A supervisor named `name` whose only child is a Flaky crashing every `ms` ms. */
function flakySupervisor(name: string, ms: number): Supervisor.ChildSpec {
  const flaky = { id: `${name}_worker`, start: () => GenServer.startLink(Flaky, ms) }
  return {
    id: name,
    type: 'supervisor',
    start: () =>
      Supervisor.startLink([flaky], {
        strategy: 'one_for_one',
        maxRestarts: 100,
        maxSeconds: 5,
        name,
      }),
  }
}

/** Crashes the process registered as `name`, and lets its supervisor react. */
async function crash(name: string): Promise<void> {
  const pid = Process.whereis(name)
  if (pid === undefined) expect.fail(`no process is registered as '${name}'`)
  exit(pid, new Error(`${name} crashed on purpose`))
  await clock.settle()
}

/** Lets time run until nothing is left to do, then returns what `promise` gave. */
async function finished<T>(promise: Promise<T>, what: string): Promise<T> {
  let result: { value: T } | { error: unknown } | undefined
  promise.then(
    (value) => (result = { value }),
    (error) => (result = { error }),
  )
  await clock.runUntilIdle()
  if (result === undefined) expect.fail(`${what} never finished`)
  if ('error' in result) throw result.error
  return result.value
}

describe('task 1: the longest mailbox', () => {
  async function startLogger(): Promise<void> {
    started(await GenServer.start(Slow, undefined, { name: 'disk' }))
    started(await GenServer.start(Logger, undefined, { name: 'logger' }))
  }

  it('finds the logger that falls behind its slow disk', async () => {
    await startLogger()
    // A process that waits for a message that never comes, while three others pile up.
    const waiting = spawn(async (ctx) => {
      await ctx.receive((message) => message === 'never')
    })
    for (const message of ['a', 'b', 'c']) node.send(waiting, message)
    for (let i = 1; i <= 50; i++) GenServer.cast('logger', `line ${i}`)
    await clock.settle() // the logger waits for the disk to write line 1; 49 lines wait
    const snapshot = Observer.snapshot()
    const busiest = longestMailbox(snapshot)
    expect(
      busiest?.name,
      'the logger has 49 lines waiting, more than anyone: it should be found',
    ).toBe('logger')
    expect(busiest, 'return the entry of snapshot.processes').toEqual(
      snapshot.processes.find((p) => p.name === 'logger'),
    )
    expect(busiest?.messageQueueLength).toBe(49)
  })

  it('finds nobody once every mailbox is empty', async () => {
    await startLogger()
    for (let i = 1; i <= 5; i++) GenServer.cast('logger', `line ${i}`)
    await clock.runUntilIdle() // 50 ms later every line is written
    expect(
      longestMailbox(Observer.snapshot()),
      'no process has a message waiting: return undefined, not a process with an empty mailbox',
    ).toBeUndefined()
  })
})

describe('task 2: restarts that climb', () => {
  /** 'app' supervises a steady worker and two supervisors of flaky workers: 'rooms' and 'jobs'. */
  async function startApp(): Promise<void> {
    started(
      await Supervisor.startLink(
        [
          { id: 'db', start: () => GenServer.startLink(Idle, undefined, { name: 'db' }) },
          flakySupervisor('rooms', 300), // its worker crashes every 300 ms
          flakySupervisor('jobs', 500), // its worker crashes every 500 ms
        ],
        { strategy: 'one_for_one', name: 'app' },
      ),
    )
  }

  it('finds the supervisors nested in the tree whose restarts climbed, the most first', async () => {
    await startApp()
    await clock.advance(1000)
    const before = Observer.snapshot() // rooms restarted 3 times so far, jobs 2 times
    await clock.advance(1000)
    const after = Observer.snapshot() // rooms 6 times, jobs 4 times
    const found = climbingSupervisors(before, after)
    expect(
      found.map((s) => s.name),
      "expected 'rooms' (3 restarts in between), then 'jobs' (2): they are children of 'app', so look into each child's `supervisor` too, not only the roots in `snapshot.trees`; the most restarts first",
    ).toEqual(['rooms', 'jobs'])
    expect(
      found,
      'count the restarts between the two snapshots (after.restarts - before.restarts), not since the start',
    ).toEqual([
      { pid: String(Process.whereis('rooms')), name: 'rooms', restarts: 3 },
      { pid: String(Process.whereis('jobs')), name: 'jobs', restarts: 2 },
    ])
  })

  it('leaves out supervisors that restarted nothing in between', async () => {
    await startApp()
    await crash('db') // 'app' restarts db once, before the first snapshot
    const before = Observer.snapshot()
    await clock.advance(400)
    const after = Observer.snapshot()
    expect(
      climbingSupervisors(before, after).map((s) => s.name),
      "'app' restarted db before the first snapshot, not after: it does not climb",
    ).toEqual(['rooms'])
  })

  it('finds nothing when nothing restarted', async () => {
    started(
      await Supervisor.startLink(
        [{ id: 'db', start: () => GenServer.startLink(Idle, undefined) }],
        { strategy: 'one_for_one' },
      ),
    )
    const before = Observer.snapshot()
    await clock.advance(5000)
    expect(climbingSupervisors(before, Observer.snapshot())).toEqual([])
  })
})

describe('task 3: count restarts with telemetry', () => {
  async function startPair(options: Partial<Supervisor.Options> = {}): Promise<Pid> {
    const child = (id: string) => ({
      id,
      start: () => GenServer.startLink(Idle, undefined, { name: id }),
    })
    return started(
      await Supervisor.startLink([child('a'), child('b')], {
        strategy: 'one_for_one',
        ...options,
      }),
    )
  }

  it('counts the restarts of each child', async () => {
    const metrics = attachMetrics('metrics')
    await startPair()
    await crash('a')
    await crash('b')
    await crash('a')
    expect(
      [metrics.restartsOf('a'), metrics.restartsOf('b'), metrics.restartsOf('c')],
      'count Telemetry.events.restart by the metadata `childId`: a twice, b once, c never',
    ).toEqual([2, 1, 0])
  })

  it('does not count a supervisor giving up as a restart', async () => {
    const metrics = attachMetrics('metrics')
    const sup = await startPair({ maxRestarts: 1 })
    await crash('a') // restarted
    await crash('a') // one too many: the supervisor gives up
    expect(Process.isAlive(sup)).toBe(false)
    expect(
      metrics.restartsOf('a'),
      'the second crash was not restarted: the supervisor gave up (reached_max_restart_intensity); attach to Telemetry.events.restart only',
    ).toBe(1)
  })

  it('stops counting after detach, and leaves no handler behind', async () => {
    const metrics = attachMetrics('metrics')
    expect(
      Telemetry.listHandlers().length,
      'attachMetrics should attach a telemetry handler',
    ).toBeGreaterThan(0)
    await startPair()
    await crash('a')
    metrics.detach()
    await crash('a')
    expect(metrics.restartsOf('a'), 'a crash after detach was counted').toBe(1)
    expect(
      Telemetry.listHandlers().map((h) => h.id),
      'detach should remove every handler attachMetrics attached',
    ).toEqual([])
  })

  it('throws when the handler id is taken', () => {
    attachMetrics('metrics')
    expect(
      () => attachMetrics('metrics'),
      "Telemetry.attach returns ['error', 'already_exists'] for a taken id: throw, or the second metrics would never count",
    ).toThrow()
  })
})

describe('task 4: time the calls', () => {
  it('percentile picks by nearest rank', () => {
    const samples = [40, 15, 50, 35, 20]
    expect(
      [30, 40, 50, 100].map((p) => percentile(samples, p)),
      'sorted, the samples are 15 20 35 40 50: p30 is the 2nd (ceil(0.3 × 5)), p50 the 3rd, p100 the 5th',
    ).toEqual([20, 20, 35, 50])
    expect(percentile(samples, 0), 'p0 is the smallest sample').toBe(15)
    expect(samples, 'percentile sorted the caller’s array: sort a copy').toEqual([
      40, 15, 50, 35, 20,
    ])
  })

  it('percentile compares numbers as numbers', () => {
    expect(
      percentile([9, 100, 10, 2], 50),
      'sort() alone sorts as text (10 before 9): sort((a, b) => a - b)',
    ).toBe(9)
    const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1)
    expect(
      percentile(oneToHundred, 7),
      'p7 of 1..100 is 7, but 0.07 * 100 is 7.000000000000001 in floating point: compute ceil(p * n / 100)',
    ).toBe(7)
  })

  it('percentile of no samples throws', () => {
    expect(() => percentile([], 50), 'there is no median of nothing: throw a RangeError').toThrow(
      RangeError,
    )
  })

  it('measures p50 and p99 of calls to a slow server on the node’s clock', async () => {
    const metrics = attachMetrics('metrics')
    started(await GenServer.start(Slow, undefined, { name: 'disk' }))
    // 100 calls, taking 1 to 100 ms, in a shuffled order.
    const calls = Array.from({ length: 100 }, (_, i) => ((i * 37) % 100) + 1).map((ms) =>
      GenServer.call('disk', ms),
    )
    await finished(Promise.all(calls), 'the calls to the slow disk')
    expect(
      metrics.callStats('disk'),
      'the calls took 1, 2, ... 100 ms of the node’s clock: record `measurements.duration` of Telemetry.events.callStop',
    ).toEqual({ count: 100, p50: 50, p99: 99 })
  })

  it('keeps the calls of each server apart', async () => {
    const metrics = attachMetrics('metrics')
    started(await GenServer.start(Slow, undefined, { name: 'disk' }))
    started(await GenServer.start(Idle, undefined, { name: 'cache' }))
    await finished(
      Promise.all([GenServer.call('disk', 20), GenServer.call('cache', 'get')]),
      'the calls',
    )
    await finished(GenServer.call('cache', 'get'), 'the call')
    expect(
      [metrics.callStats('disk'), metrics.callStats('cache')],
      'group the durations by the metadata `server` (the name the caller used)',
    ).toEqual([
      { count: 1, p50: 20, p99: 20 },
      { count: 2, p50: 0, p99: 0 },
    ])
    expect(metrics.callStats('nobody'), 'no calls to a server: undefined').toBeUndefined()
  })
})

describe('task 5: a tiny benchmark', () => {
  /** A room whose add_message takes 5, 1, 3, 2, 4 ms, then again from 5. */
  async function startRoom(): Promise<{ calls: number; maxInFlight: number }> {
    const times = [5, 1, 3, 2, 4]
    const seen = { calls: 0, maxInFlight: 0 }
    let inFlight = 0
    const Room = {
      init: () => ['ok', 0],
      handleCall(_text: string, from, n) {
        seen.calls++
        seen.maxInFlight = Math.max(seen.maxInFlight, ++inFlight)
        this.node.sendAfter(this.self, from, times[n % times.length])
        return ['noreply', n + 1]
      },
      handleInfo(from: GenServer.From, n) {
        inFlight--
        GenServer.reply(from, 'ok')
        return ['noreply', n]
      },
    } satisfies GenServer.Behaviour<number, undefined, string, never, 'ok', GenServer.From>
    started(await GenServer.start(Room, undefined, { name: 'room' }))
    return seen
  }
  const addMessage = () => GenServer.call('room', 'Hello, World!')

  it('reports the median, average and p99 of the runs, timed on the node’s clock', async () => {
    await startRoom()
    const result = await finished(bench('add_message', addMessage, { runs: 5 }), 'bench')
    expect(
      result,
      'the runs took 5, 1, 3, 2 and 4 ms of the node’s clock: read node.clock.now() before and after each run',
    ).toEqual({ name: 'add_message', runs: 5, average: 3, median: 3, p99: 5 })
  })

  it('runs the function one run after the other, `runs` times', async () => {
    const seen = await startRoom()
    await finished(bench('add_message', addMessage, { runs: 20 }), 'bench')
    expect(seen.calls, 'the function should run `runs` times').toBe(20)
    expect(
      seen.maxInFlight,
      'runs overlapped: await each run before starting the next, or each one waits for the others',
    ).toBe(1)
  })

  it('does not measure the warmup runs', async () => {
    // The first call fills a cache and takes 50 ms; the others take 2 ms.
    const Cold = {
      init: () => ['ok', true],
      handleCall(_get: 'get', from, cold) {
        this.node.sendAfter(this.self, from, cold ? 50 : 2)
        return ['noreply', false]
      },
      handleInfo(from: GenServer.From, cold) {
        GenServer.reply(from, 'value')
        return ['noreply', cold]
      },
    } satisfies GenServer.Behaviour<boolean, undefined, 'get', never, 'value', GenServer.From>
    started(await GenServer.start(Cold, undefined, { name: 'cold' }))
    const result = await finished(
      bench('get', () => GenServer.call('cold', 'get'), { runs: 9, warmup: 1 }),
      'bench',
    )
    expect(
      result,
      'the warmup run (50 ms) counted: run `warmup` times first, without measuring',
    ).toEqual({ name: 'get', runs: 9, average: 2, median: 2, p99: 2 })
  })

  it('runs 100 times by default', async () => {
    let runs = 0
    const result = await finished(
      bench('noop', () => {
        runs++
      }),
      'bench',
    )
    expect([runs, result.runs, result.median], 'the default is 100 runs').toEqual([100, 100, 0])
  })

  it('rejects a number of runs that is not a positive integer', async () => {
    await expect(
      bench('noop', () => {}, { runs: 0 }),
      'no median of 0 runs: throw a TypeError for `options.runs`',
    ).rejects.toThrow(TypeError)
  })
})
