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
    expect(spec.id, 'the id of the child spec should be the name').toBe('visits')
    expect(
      spec.restart,
      "leave `restart` out (it defaults to 'permanent'): a counter should always run",
    ).toBe('permanent')
  })

  it('its start function starts a counter registered under the name', async () => {
    const started = await childSpec('visits', 3).start()
    expect(started[0], `start() returned ${String(started)}`).toBe('ok')
    expect(
      Process.whereis('visits'),
      "no process is registered as 'visits': start it with startLink(initial, { name })",
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
      'the counter is not linked to its supervisor: start it with startLink, not start',
    ).toBe(sup)
    expect([await settled(getCount('a')), await settled(getCount('b'))]).toEqual([1, 2])
  })
})

describe('task 2: the supervisor module', () => {
  it("startLink starts a Supervisor registered as 'MyApp.Supervisor'", async () => {
    const sup = ok(await AppSupervisor.startLink({ visits: 0 }))
    expect(
      Process.processInfo(sup)?.behaviour,
      'AppSupervisor.startLink should start a Supervisor (Supervisor.startLink)',
    ).toBe('Supervisor')
    expect(
      Process.whereis('MyApp.Supervisor'),
      "pass { name: 'MyApp.Supervisor' } as the options of Supervisor.startLink",
    ).toBe(sup)
  })

  it('init lists one counter per entry, each under its name, linked to the supervisor', async () => {
    const sup = ok(await AppSupervisor.startLink({ a: 1, b: 2, c: 3 }))
    const pids = await childPids(sup)
    expect(Object.keys(pids).sort(), 'whichChildren should list the counters a, b and c').toEqual([
      'a',
      'b',
      'c',
    ])
    for (const name of ['a', 'b', 'c']) {
      expect(Process.whereis(name), `no counter is registered as '${name}'`).toBe(pids[name])
      expect(
        Process.processInfo(pids[name]!)?.parent,
        `the counter '${name}' should be linked to the supervisor`,
      ).toBe(sup)
    }
    expect(await settled(getCount('c'))).toBe(3)
  })

  it('is a module: Supervisor.startLink(AppSupervisor, counters) runs its init', async () => {
    const started = await Supervisor.startLink(AppSupervisor, { x: 7 })
    expect(
      started[0],
      'AppSupervisor.init must return Supervisor.init(children, { strategy }) (the test starts the module itself)',
    ).toBe('ok')
    expect(await settled(getCount('x'))).toBe(7)
  })

  it('restarts its children one_for_one', async () => {
    ok(await AppSupervisor.startLink({ a: 1 }))
    const tree = Observer.snapshot().trees.find((t) => t.name === 'MyApp.Supervisor')
    expect(
      tree?.strategy,
      "the counters do not depend on each other: use { strategy: 'one_for_one' }",
    ).toBe('one_for_one')
  })
})

describe('task 3: let it crash', () => {
  it('incrementBy adds the amount', async () => {
    ok(await AppSupervisor.startLink({ a: 10 }))
    incrementBy('a', 5)
    increment('a')
    expect(await settled(getCount('a')), "['increment_by', 5] should add 5 to the count").toBe(16)
  })

  it('a bad amount crashes the counter with a TypeError', async () => {
    const sup = ok(await AppSupervisor.startLink({ a: 10 }))
    const before = await childPids(sup)
    const ended = await watchExit(before.a!)
    incrementBy('a', Number.NaN)
    await clock.runUntilIdle()
    expect(
      ended.reason,
      'on increment_by NaN the counter should crash with a TypeError (throw new TypeError(...)); do not catch or ignore the bad input',
    ).toBeInstanceOf(TypeError)
  })

  it('the supervisor restarts it: a new pid, in whichChildren, under the same name', async () => {
    const sup = ok(await AppSupervisor.startLink({ a: 10 }))
    const before = await childPids(sup)
    incrementBy('a', Number.NaN)
    await clock.runUntilIdle()
    const after = await childPids(sup)
    expect(isPid(after.a), 'the crashed counter is not running again').toBe(true)
    expect(after.a, 'the counter still has its old pid: did it crash at all?').not.toBe(before.a)
    expect(Process.whereis('a'), 'the name should lead to the restarted counter').toBe(after.a)
    expect(
      restarts,
      'the supervisor did not restart the counter: do not restart it yourself, let the supervisor do it',
    ).toEqual([expect.objectContaining({ supervisor: sup, childId: 'a', pid: before.a })])
  })

  it('the restarted counter starts afresh, from its initial count', async () => {
    ok(await AppSupervisor.startLink({ a: 10 }))
    incrementBy('a', 5)
    incrementBy('a', Number.NaN)
    await clock.runUntilIdle()
    expect(
      await settled(getCount('a')),
      'after a restart the counter runs init again: its count is the initial one',
    ).toBe(10)
  })

  it('the other counters keep running, with their counts (one_for_one)', async () => {
    const sup = ok(await AppSupervisor.startLink({ a: 10, b: 20 }))
    const before = await childPids(sup)
    increment('b')
    incrementBy('a', Number.NaN)
    await clock.runUntilIdle()
    const after = await childPids(sup)
    expect(after.b, "a crash of 'a' must not restart 'b'").toBe(before.b)
    expect(await settled(getCount('b'))).toBe(21)
  })
})

// --- Helpers ------------------------------------------------------------------------------------

/** The pid of an `['ok', pid]` start result; fails the test with the result otherwise. */
function ok(result: GenServer.OnStart): Pid {
  if (result[0] !== 'ok') expect.fail(`expected ['ok', pid], got ${show(result)}`)
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
  if (result === undefined) expect.fail('a call to a counter or the supervisor never returned')
  if ('error' in result) throw result.error
  return result.value
}

function show(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (isPid(v) ? String(v) : v))
}
