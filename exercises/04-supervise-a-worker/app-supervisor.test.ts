import {
  createNode,
  type ExitReason,
  type GenServer,
  isPid,
  type Node,
  Observer,
  type Pid,
  Process,
  Supervisor,
  setDefaultNode,
  Telemetry,
  type VirtualClock,
} from 'letitcrash'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { t } from '../messages.ts'
import { AppSupervisor } from './app-supervisor.ts'
import { childSpec, getCount, increment, incrementBy } from './counter.ts'

// Every test gets a fresh node on a virtual clock: time only moves when the test says so.
let node: Node
let clock: VirtualClock
/** Every restart a supervisor made during the test, as telemetry reported it. */
let restarts: Telemetry.Metadata[]

beforeEach(() => {
  node = createNode({ clock: 'virtual' })
  clock = node.clock as VirtualClock
  setDefaultNode(node)
  restarts = []
  Telemetry.attach('exercise-04', Telemetry.events.restart, (_event, _measurements, metadata) => {
    restarts.push(metadata)
  })
})
afterEach(() => {
  Telemetry.detach('exercise-04')
  node.shutdown()
})

describe('task 1: a child spec for the counter', () => {
  it("uses the counter's name as its id, and is restarted permanently", () => {
    const spec = Supervisor.childSpec(childSpec('visits', 0))
    expect(
      spec.id,
      t('the id of the child spec should be the name', '자식 명세의 id는 이름이어야 합니다'),
    ).toBe('visits')
    expect(
      spec.restart,
      t(
        "leave `restart` out (it defaults to 'permanent'): a counter should always run",
        "`restart`는 빼 두세요(기본값이 'permanent'입니다): 카운터는 항상 실행되어야 합니다",
      ),
    ).toBe('permanent')
  })

  it('its start function starts a counter registered under the name', async () => {
    const started = await childSpec('visits', 3).start()
    expect(
      started[0],
      t(`start() returned ${String(started)}`, `start()의 반환값: ${String(started)}`),
    ).toBe('ok')
    expect(
      Process.whereis('visits'),
      t(
        "no process is registered as 'visits': start it with startLink(initial, { name })",
        "'visits'로 등록된 프로세스가 없습니다: startLink(initial, { name })으로 시작하세요",
      ),
    ).toBe(started[1])
    expect(await settled(getCount('visits'))).toBe(3)
  })

  it('a supervisor starts it, linked to the supervisor', async () => {
    const sup = ok(
      await Supervisor.startLink([childSpec('a', 1), childSpec('b', 2)], {
        strategy: 'one_for_one',
      }),
    )
    const pids = await childPids(sup)
    expect(
      Process.processInfo(pids.a!)?.parent,
      t(
        'the counter is not linked to its supervisor: start it with startLink, not start',
        '카운터가 슈퍼바이저에 링크되어 있지 않습니다: start가 아니라 startLink로 시작하세요',
      ),
    ).toBe(sup)
    expect([await settled(getCount('a')), await settled(getCount('b'))]).toEqual([1, 2])
  })
})

describe('task 2: the supervisor module', () => {
  it("startLink starts a Supervisor registered as 'MyApp.Supervisor'", async () => {
    const sup = ok(await AppSupervisor.startLink({ visits: 0 }))
    expect(
      Process.processInfo(sup)?.behaviour,
      t(
        'AppSupervisor.startLink should start a Supervisor (Supervisor.startLink)',
        'AppSupervisor.startLink는 Supervisor를 시작해야 합니다(Supervisor.startLink)',
      ),
    ).toBe('Supervisor')
    expect(
      Process.whereis('MyApp.Supervisor'),
      t(
        "pass { name: 'MyApp.Supervisor' } as the options of Supervisor.startLink",
        "Supervisor.startLink의 옵션으로 { name: 'MyApp.Supervisor' }를 넘기세요",
      ),
    ).toBe(sup)
  })

  it('init lists one counter per entry, each under its name, linked to the supervisor', async () => {
    const sup = ok(await AppSupervisor.startLink({ a: 1, b: 2, c: 3 }))
    const pids = await childPids(sup)
    expect(
      Object.keys(pids).sort(),
      t(
        'whichChildren should list the counters a, b and c',
        'whichChildren에 카운터 a, b, c가 있어야 합니다',
      ),
    ).toEqual(['a', 'b', 'c'])
    for (const name of ['a', 'b', 'c']) {
      expect(
        Process.whereis(name),
        t(`no counter is registered as '${name}'`, `등록된 이름이 '${name}'인 카운터가 없습니다`),
      ).toBe(pids[name])
      expect(
        Process.processInfo(pids[name]!)?.parent,
        t(
          `the counter '${name}' should be linked to the supervisor`,
          `카운터 '${name}': 슈퍼바이저에 링크되어 있어야 합니다`,
        ),
      ).toBe(sup)
    }
    expect(await settled(getCount('c'))).toBe(3)
  })

  it('is a module: Supervisor.startLink(AppSupervisor, counters) runs its init', async () => {
    const started = await Supervisor.startLink(AppSupervisor, { x: 7 })
    expect(
      started[0],
      t(
        'AppSupervisor.init must return Supervisor.init(children, { strategy }) (the test starts the module itself)',
        'AppSupervisor.init은 Supervisor.init(children, { strategy })를 반환해야 합니다(테스트가 모듈을 직접 시작합니다)',
      ),
    ).toBe('ok')
    expect(await settled(getCount('x'))).toBe(7)
  })

  it('restarts its children one_for_one', async () => {
    ok(await AppSupervisor.startLink({ a: 1 }))
    const tree = Observer.snapshot().trees.find((t) => t.name === 'MyApp.Supervisor')
    expect(
      tree?.strategy,
      t(
        "the counters do not depend on each other: use { strategy: 'one_for_one' }",
        "카운터들은 서로 의존하지 않습니다: { strategy: 'one_for_one' }을 쓰세요",
      ),
    ).toBe('one_for_one')
  })
})

describe('task 3: let it crash', () => {
  it('incrementBy adds the amount', async () => {
    ok(await AppSupervisor.startLink({ a: 10 }))
    incrementBy('a', 5)
    increment('a')
    expect(
      await settled(getCount('a')),
      t(
        "['increment_by', 5] should add 5 to the count",
        "['increment_by', 5]는 카운트에 5를 더해야 합니다",
      ),
    ).toBe(16)
  })

  it('a bad amount crashes the counter with a TypeError', async () => {
    const sup = ok(await AppSupervisor.startLink({ a: 10 }))
    const before = await childPids(sup)
    const ended = await watchExit(before.a!)
    incrementBy('a', Number.NaN)
    await clock.runUntilIdle()
    expect(
      ended.reason,
      t(
        'on increment_by NaN the counter should crash with a TypeError (throw new TypeError(...)); do not catch or ignore the bad input',
        'increment_by에 NaN이 오면 카운터는 TypeError로 크래시해야 합니다(throw new TypeError(...)). 잘못된 입력을 잡거나 무시하지 마세요',
      ),
    ).toBeInstanceOf(TypeError)
  })

  it('the supervisor restarts it: a new pid, in whichChildren, under the same name', async () => {
    const sup = ok(await AppSupervisor.startLink({ a: 10 }))
    const before = await childPids(sup)
    incrementBy('a', Number.NaN)
    await clock.runUntilIdle()
    const after = await childPids(sup)
    expect(
      isPid(after.a),
      t(
        'the crashed counter is not running again',
        '크래시한 카운터가 다시 실행되고 있지 않습니다',
      ),
    ).toBe(true)
    expect(
      after.a,
      t(
        'the counter still has its old pid: did it crash at all?',
        '카운터의 pid가 예전 그대로입니다: 크래시하기는 했나요?',
      ),
    ).not.toBe(before.a)
    expect(
      Process.whereis('a'),
      t(
        'the name should lead to the restarted counter',
        '이름으로 재시작된 카운터를 찾을 수 있어야 합니다',
      ),
    ).toBe(after.a)
    expect(
      restarts,
      t(
        'the supervisor did not restart the counter: do not restart it yourself, let the supervisor do it',
        '슈퍼바이저가 카운터를 재시작하지 않았습니다: 직접 재시작하지 말고 슈퍼바이저에게 맡기세요',
      ),
    ).toEqual([expect.objectContaining({ supervisor: sup, childId: 'a', pid: before.a })])
  })

  it('the restarted counter starts afresh, from its initial count', async () => {
    ok(await AppSupervisor.startLink({ a: 10 }))
    incrementBy('a', 5)
    incrementBy('a', Number.NaN)
    await clock.runUntilIdle()
    expect(
      await settled(getCount('a')),
      t(
        'after a restart the counter runs init again: its count is the initial one',
        '재시작하면 카운터는 init을 다시 실행합니다: 카운트는 초깃값이어야 합니다',
      ),
    ).toBe(10)
  })

  it('the other counters keep running, with their counts (one_for_one)', async () => {
    const sup = ok(await AppSupervisor.startLink({ a: 10, b: 20 }))
    const before = await childPids(sup)
    increment('b')
    incrementBy('a', Number.NaN)
    await clock.runUntilIdle()
    const after = await childPids(sup)
    expect(
      after.b,
      t("a crash of 'a' must not restart 'b'", "'a'가 크래시했다고 'b'를 재시작하면 안 됩니다"),
    ).toBe(before.b)
    expect(await settled(getCount('b'))).toBe(21)
  })
})

// --- Helpers ------------------------------------------------------------------------------------

/** The pid of an `['ok', pid]` start result; fails the test with the result otherwise. */
function ok(result: GenServer.OnStart): Pid {
  if (result[0] !== 'ok')
    expect.fail(
      t(
        `expected ['ok', pid], got ${show(result)}`,
        `['ok', pid]를 기대했는데 받은 값은 ${show(result)}입니다`,
      ),
    )
  return result[1]
}

/** `{ id: pid }` for the supervisor's children. */
async function childPids(supervisor: Pid): Promise<Record<string, Pid | undefined>> {
  const children = await settled(Supervisor.whichChildren(supervisor))
  return Object.fromEntries(
    children.map((child) => [String(child.id), isPid(child.pid) ? child.pid : undefined]),
  )
}

/** Learns how `pid` ends, from a small process that monitors it (running once this resolves). */
async function watchExit(pid: Pid): Promise<{ reason: ExitReason | undefined }> {
  const seen: { reason: ExitReason | undefined } = { reason: undefined }
  node.spawn(async (ctx) => {
    const ref = ctx.monitor(pid)
    const down = await ctx.receive((m) => (m as { ref?: unknown })?.ref === ref)
    seen.reason = (down as { reason: ExitReason }).reason
  })
  await clock.settle()
  return seen
}

/** Lets the processes run (no time passes) and returns what `promise` gave. */
async function settled<T>(promise: Promise<T>): Promise<T> {
  let result: { value: T } | { error: unknown } | undefined
  promise.then(
    (value) => (result = { value }),
    (error) => (result = { error }),
  )
  await clock.settle()
  if (result === undefined)
    expect.fail(
      t(
        'a call to a counter or the supervisor never returned',
        '카운터나 슈퍼바이저에 대한 call이 끝내 반환하지 않았습니다',
      ),
    )
  if ('error' in result) throw result.error
  return result.value
}

function show(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (isPid(v) ? String(v) : v))
}
