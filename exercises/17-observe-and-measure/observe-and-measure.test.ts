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
import { t } from '../messages.ts'
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
  if (result[0] !== 'ok')
    expect.fail(
      t(
        `a process of the test did not start: ${String(result[1])}`,
        `테스트의 프로세스가 시작하지 않았습니다: ${String(result[1])}`,
      ),
    )
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
  if (pid === undefined)
    expect.fail(
      t(`no process is registered as '${name}'`, `등록된 이름이 '${name}'인 프로세스가 없습니다`),
    )
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
  if (result === undefined) expect.fail(t(`${what} never finished`, `끝나지 않았습니다: ${what}`))
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
      t(
        'the logger has 49 lines waiting, more than anyone: it should be found',
        'logger에는 줄 49개가 대기 중으로, 누구보다 많습니다: logger를 찾아야 합니다',
      ),
    ).toBe('logger')
    expect(
      busiest,
      t('return the entry of snapshot.processes', 'snapshot.processes의 항목을 반환하세요'),
    ).toEqual(snapshot.processes.find((p) => p.name === 'logger'))
    expect(busiest?.messageQueueLength).toBe(49)
  })

  it('finds nobody once every mailbox is empty', async () => {
    await startLogger()
    for (let i = 1; i <= 5; i++) GenServer.cast('logger', `line ${i}`)
    await clock.runUntilIdle() // 50 ms later every line is written
    expect(
      longestMailbox(Observer.snapshot()),
      t(
        'no process has a message waiting: return undefined, not a process with an empty mailbox',
        '메시지가 대기 중인 프로세스가 없습니다: 메일박스가 빈 프로세스가 아니라 undefined를 반환하세요',
      ),
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
      t(
        "expected 'rooms' (3 restarts in between), then 'jobs' (2): they are children of 'app', so look into each child's `supervisor` too, not only the roots in `snapshot.trees`; the most restarts first",
        "'rooms'(그사이 재시작 3번), 그다음 'jobs'(2번)를 기대했습니다: 둘은 'app'의 자식이므로 `snapshot.trees`의 루트만 보지 말고 각 자식의 `supervisor`도 들여다보세요. 재시작이 많은 것부터 나열합니다",
      ),
    ).toEqual(['rooms', 'jobs'])
    expect(
      found,
      t(
        'count the restarts between the two snapshots (after.restarts - before.restarts), not since the start',
        '재시작은 처음부터가 아니라 두 스냅숏 사이에서 세세요(after.restarts - before.restarts)',
      ),
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
      t(
        "'app' restarted db before the first snapshot, not after: it does not climb",
        "'app'은 첫 스냅숏 뒤가 아니라 전에 db를 재시작했습니다: 카운터가 올라가고 있지 않습니다",
      ),
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
      t(
        'count Telemetry.events.restart by the metadata `childId`: a twice, b once, c never',
        'Telemetry.events.restart를 메타데이터 `childId`별로 세세요: a는 두 번, b는 한 번, c는 0번',
      ),
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
      t(
        'the second crash was not restarted: the supervisor gave up (reached_max_restart_intensity); attach to Telemetry.events.restart only',
        '두 번째 크래시는 재시작되지 않았습니다: 슈퍼바이저가 포기했습니다(reached_max_restart_intensity). Telemetry.events.restart에만 핸들러를 붙이세요',
      ),
    ).toBe(1)
  })

  it('stops counting after detach, and leaves no handler behind', async () => {
    const metrics = attachMetrics('metrics')
    expect(
      Telemetry.listHandlers().length,
      t(
        'attachMetrics should attach a telemetry handler',
        'attachMetrics는 텔레메트리 핸들러를 붙여야 합니다',
      ),
    ).toBeGreaterThan(0)
    await startPair()
    await crash('a')
    metrics.detach()
    await crash('a')
    expect(
      metrics.restartsOf('a'),
      t('a crash after detach was counted', 'detach한 뒤의 크래시가 세어졌습니다'),
    ).toBe(1)
    expect(
      Telemetry.listHandlers().map((h) => h.id),
      t(
        'detach should remove every handler attachMetrics attached',
        'detach는 attachMetrics가 붙인 핸들러를 모두 떼어야 합니다',
      ),
    ).toEqual([])
  })

  it('throws when the handler id is taken', () => {
    attachMetrics('metrics')
    expect(
      () => attachMetrics('metrics'),
      t(
        "Telemetry.attach returns ['error', 'already_exists'] for a taken id: throw, or the second metrics would never count",
        "이미 쓰인 id에 대해 Telemetry.attach는 ['error', 'already_exists']를 반환합니다: 예외를 던지세요. 그러지 않으면 두 번째 metrics는 아무것도 세지 않습니다",
      ),
    ).toThrow()
  })
})

describe('task 4: time the calls', () => {
  it('percentile picks by nearest rank', () => {
    const samples = [40, 15, 50, 35, 20]
    expect(
      [30, 40, 50, 100].map((p) => percentile(samples, p)),
      t(
        'sorted, the samples are 15 20 35 40 50: p30 is the 2nd (ceil(0.3 × 5)), p50 the 3rd, p100 the 5th',
        '정렬하면 샘플은 15 20 35 40 50입니다: p30은 2번째(ceil(0.3 × 5)), p50은 3번째, p100은 5번째입니다',
      ),
    ).toEqual([20, 20, 35, 50])
    expect(
      percentile(samples, 0),
      t('p0 is the smallest sample', 'p0은 가장 작은 샘플입니다'),
    ).toBe(15)
    expect(
      samples,
      t(
        'percentile sorted the caller’s array: sort a copy',
        'percentile이 호출한 쪽의 배열을 정렬했습니다: 복사본을 정렬하세요',
      ),
    ).toEqual([40, 15, 50, 35, 20])
  })

  it('percentile compares numbers as numbers', () => {
    expect(
      percentile([9, 100, 10, 2], 50),
      t(
        'sort() alone sorts as text (10 before 9): sort((a, b) => a - b)',
        'sort()만 쓰면 텍스트로 정렬합니다(10이 9보다 앞): sort((a, b) => a - b)',
      ),
    ).toBe(9)
    const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1)
    expect(
      percentile(oneToHundred, 7),
      t(
        'p7 of 1..100 is 7, but 0.07 * 100 is 7.000000000000001 in floating point: compute ceil(p * n / 100)',
        '1..100의 p7은 7이지만, 부동소수점에서 0.07 * 100은 7.000000000000001입니다: ceil(p * n / 100)으로 계산하세요',
      ),
    ).toBe(7)
  })

  it('percentile of no samples throws', () => {
    expect(
      () => percentile([], 50),
      t(
        'there is no median of nothing: throw a RangeError',
        '아무것도 없으면 중앙값도 없습니다: RangeError를 던지세요',
      ),
    ).toThrow(RangeError)
  })

  it('measures p50 and p99 of calls to a slow server on the node’s clock', async () => {
    const metrics = attachMetrics('metrics')
    started(await GenServer.start(Slow, undefined, { name: 'disk' }))
    // 100 calls, taking 1 to 100 ms, in a shuffled order.
    const calls = Array.from({ length: 100 }, (_, i) => ((i * 37) % 100) + 1).map((ms) =>
      GenServer.call('disk', ms),
    )
    await finished(Promise.all(calls), t('the calls to the slow disk', '느린 disk에 보낸 call들'))
    expect(
      metrics.callStats('disk'),
      t(
        'the calls took 1, 2, ... 100 ms of the node’s clock: record `measurements.duration` of Telemetry.events.callStop',
        'call들은 노드의 시계로 1, 2, ... 100ms가 걸렸습니다: Telemetry.events.callStop의 `measurements.duration`을 기록하세요',
      ),
    ).toEqual({ count: 100, p50: 50, p99: 99 })
  })

  it('keeps the calls of each server apart', async () => {
    const metrics = attachMetrics('metrics')
    started(await GenServer.start(Slow, undefined, { name: 'disk' }))
    started(await GenServer.start(Idle, undefined, { name: 'cache' }))
    await finished(
      Promise.all([GenServer.call('disk', 20), GenServer.call('cache', 'get')]),
      t('the calls', 'call들'),
    )
    await finished(GenServer.call('cache', 'get'), t('the call', 'call'))
    expect(
      [metrics.callStats('disk'), metrics.callStats('cache')],
      t(
        'group the durations by the metadata `server` (the name the caller used)',
        '걸린 시간을 메타데이터 `server`(호출한 쪽이 쓴 이름)별로 묶으세요',
      ),
    ).toEqual([
      { count: 1, p50: 20, p99: 20 },
      { count: 2, p50: 0, p99: 0 },
    ])
    expect(
      metrics.callStats('nobody'),
      t('no calls to a server: undefined', '서버에 call이 없었습니다: undefined'),
    ).toBeUndefined()
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
      t(
        'the runs took 5, 1, 3, 2 and 4 ms of the node’s clock: read node.clock.now() before and after each run',
        '실행들은 노드의 시계로 5, 1, 3, 2, 4ms가 걸렸습니다: 실행할 때마다 전후로 node.clock.now()를 읽으세요',
      ),
    ).toEqual({ name: 'add_message', runs: 5, average: 3, median: 3, p99: 5 })
  })

  it('runs the function one run after the other, `runs` times', async () => {
    const seen = await startRoom()
    await finished(bench('add_message', addMessage, { runs: 20 }), 'bench')
    expect(
      seen.calls,
      t('the function should run `runs` times', '함수는 `runs`번 실행되어야 합니다'),
    ).toBe(20)
    expect(
      seen.maxInFlight,
      t(
        'runs overlapped: await each run before starting the next, or each one waits for the others',
        '실행들이 겹쳤습니다: 다음 실행을 시작하기 전에 각 실행을 await하세요. 그러지 않으면 실행마다 다른 실행들을 기다리게 됩니다',
      ),
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
      t(
        'the warmup run (50 ms) counted: run `warmup` times first, without measuring',
        '워밍업 실행(50ms)이 측정에 들어갔습니다: 먼저 측정하지 않고 `warmup`번 실행하세요',
      ),
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
    expect(
      [runs, result.runs, result.median],
      t('the default is 100 runs', '기본값은 100번 실행입니다'),
    ).toEqual([100, 100, 0])
  })

  it('rejects a number of runs that is not a positive integer', async () => {
    await expect(
      bench('noop', () => {}, { runs: 0 }),
      t(
        'no median of 0 runs: throw a TypeError for `options.runs`',
        '0번 실행의 중앙값은 없습니다: `options.runs`에 대해 TypeError를 던지세요',
      ),
    ).rejects.toThrow(TypeError)
  })
})
