import {
  createNode,
  type ExitReason,
  exit,
  type GenServer,
  isPid,
  type Node,
  type Pid,
  Process,
  Supervisor,
  setDefaultNode,
  Telemetry,
  type VirtualClock,
} from 'letitcrash'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AppSupervisor, ConnectionSupervisor, jobSpec } from './restarts.ts'
import { CacheSupervisor, PairSupervisor, RoomsSupervisor } from './strategies.ts'
import { get, messages, post, put, receiverStatus, sendText, writes } from './workers.ts'

// Every test gets a fresh node on a virtual clock: time only moves when the test says so.
let node: Node
let clock: VirtualClock
/** The supervisors' restarts, and their giving up, as telemetry reported them. */
let restarts: Telemetry.Metadata[]
let gaveUp: Telemetry.Metadata[]

beforeEach(() => {
  node = createNode({ clock: 'virtual' })
  clock = node.clock as VirtualClock
  setDefaultNode(node)
  restarts = []
  gaveUp = []
  Telemetry.attach('exercise-05-restart', Telemetry.events.restart, (_e, _m, metadata) => {
    restarts.push(metadata)
  })
  Telemetry.attach('exercise-05-give-up', Telemetry.events.maxIntensity, (_e, _m, metadata) => {
    gaveUp.push(metadata)
  })
})
afterEach(() => {
  Telemetry.detach('exercise-05-restart')
  Telemetry.detach('exercise-05-give-up')
  node.shutdown()
})

describe('task 1: pick the strategy', () => {
  it('rooms: a crash in one room leaves the others running, with their messages', async () => {
    ok(await Supervisor.startLink(RoomsSupervisor, undefined))
    for (const room of ['lobby', 'games', 'random']) post(room, `hello ${room}`)
    const before = pidsOf('lobby', 'games', 'random')
    await crash('games')
    const after = pidsOf('lobby', 'games', 'random')
    expect(after.games, "'games' crashed and was not restarted").not.toBe(before.games)
    expect(
      [after.lobby, after.random],
      "a crash in 'games' restarted another room: rooms share nothing, restart only the one that crashed",
    ).toEqual([before.lobby, before.random])
    expect(await settled(messages('random'))).toEqual(['hello random'])
  })

  it('sender and receiver: after the receiver crashes, the numbers still line up', async () => {
    ok(await Supervisor.startLink(PairSupervisor, undefined))
    sendText('a')
    sendText('b')
    await clock.settle() // the receiver has both, and now expects message 3
    await crash('receiver')
    sendText('c')
    await clock.settle()
    expect(
      (await settled(receiverStatus())).outOfOrder,
      'a fresh receiver expects message 1, but the old sender sent message 3: the sender must restart with the receiver',
    ).toBe(0)
  })

  it('sender and receiver: after the sender crashes, the numbers still line up', async () => {
    ok(await Supervisor.startLink(PairSupervisor, undefined))
    sendText('a')
    sendText('b')
    await clock.settle() // the receiver has both, and now expects message 3
    await crash('sender')
    sendText('c')
    await clock.settle()
    expect(
      (await settled(receiverStatus())).outOfOrder,
      'a fresh sender starts again at 1, but the old receiver expects 3: the receiver must restart with the sender',
    ).toBe(0)
  })

  it('cache and stats: after the cache crashes, the stats count the new cache’s writes', async () => {
    ok(await Supervisor.startLink(CacheSupervisor, undefined))
    await settled(put('a', '1'))
    await settled(put('b', '2'))
    await crash('cache')
    await settled(put('c', '3'))
    expect(
      await settled(writes()),
      'the stats subscribed to the old cache and miss the new one’s writes: when the cache restarts, the stats must restart after it',
    ).toBe(1)
  })

  it('cache and stats: a crash of the stats keeps the cache and its entries', async () => {
    ok(await Supervisor.startLink(CacheSupervisor, undefined))
    await settled(put('a', '1'))
    const cache = Process.whereis('cache')
    await crash('stats')
    expect(
      Process.whereis('cache'),
      'the cache was restarted (and lost its entries) because the stats crashed: the cache does not depend on the stats',
    ).toBe(cache)
    expect(await settled(get('a'))).toBe('1')
    await settled(put('b', '2'))
    expect(await settled(writes()), 'the restarted stats should count the writes after it').toBe(1)
  })
})

describe('task 2: a transient job', () => {
  it('a job that finishes is not started again', async () => {
    const job = countingWork(0)
    const sup = ok(await Supervisor.startLink([jobSpec('import', job.work)], ONE_FOR_ONE))
    await clock.runUntilIdle()
    expect(
      job.runs,
      "the job finished normally and was started again: 'permanent' restarts after any exit; which restart type restarts only after a crash?",
    ).toBe(1)
    expect(
      await settled(Supervisor.whichChildren(sup)),
      "the supervisor forgot the job: a 'temporary' child is dropped when it ends",
    ).toEqual([{ id: 'import', pid: undefined, type: 'worker' }])
  })

  it('a job that crashes is started again, until it succeeds', async () => {
    const job = countingWork(2)
    const sup = ok(await Supervisor.startLink([jobSpec('import', job.work)], ONE_FOR_ONE))
    await clock.runUntilIdle()
    expect(
      job.runs,
      job.runs < 3
        ? "the job crashed and was not started again: a 'temporary' child never restarts, but a crashed job has not done its work"
        : "the job succeeded on its 3rd run and was started again: 'permanent' restarts after any exit",
    ).toBe(3)
    expect(restarts.map((r) => r.childId)).toEqual(['import', 'import'])
    expect(await settled(Supervisor.whichChildren(sup))).toEqual([
      { id: 'import', pid: undefined, type: 'worker' },
    ])
  })

  it('runs the work given to jobSpec', async () => {
    const [first, second] = [countingWork(0), countingWork(0)]
    ok(
      await Supervisor.startLink(
        [jobSpec('first', first.work), jobSpec('second', second.work)],
        ONE_FOR_ONE,
      ),
    )
    await clock.runUntilIdle()
    expect([first.runs, second.runs], 'each job should run its own work, once').toEqual([1, 1])
  })
})

describe('task 3: restart intensity', () => {
  it("is a supervisor registered as 'connection_sup', running the connection", async () => {
    const sup = ok(await ConnectionSupervisor.startLink())
    expect(Process.processInfo(sup)?.behaviour).toBe('Supervisor')
    expect(Process.whereis('connection_sup')).toBe(sup)
    expect(Process.processInfo(Process.whereis('connection')!)?.parent).toBe(sup)
  })

  it('restarts the connection after each of two crashes within ten seconds', async () => {
    const sup = ok(await ConnectionSupervisor.startLink())
    await crash('connection')
    await clock.advance(9000)
    await crash('connection')
    expect(Process.isAlive(sup), 'two crashes within 10 s are still allowed').toBe(true)
    expect(Process.whereis('connection'), 'the connection should be running again').toBeDefined()
    expect(restarts).toHaveLength(2)
  })

  it('gives up at the third crash within ten seconds, exiting with shutdown', async () => {
    const sup = ok(await ConnectionSupervisor.startLink())
    const ended = await watchExit(sup)
    await crash('connection')
    await crash('connection')
    await clock.advance(9000)
    await crash('connection')
    expect(
      ended.reason,
      'three crashes within 10 s should be one too many: set maxRestarts and maxSeconds in the flags of Supervisor.init',
    ).toBe('shutdown')
    expect(gaveUp).toEqual([expect.objectContaining({ supervisor: sup, childId: 'connection' })])
    expect(Process.whereis('connection'), 'a supervisor that gives up stops its children').toBe(
      undefined,
    )
  })

  it('counts only the crashes of the last ten seconds', async () => {
    const sup = ok(await ConnectionSupervisor.startLink())
    const ended = await watchExit(sup)
    await crash('connection') // at 0 s
    await clock.advance(5000)
    await crash('connection') // at 5 s
    await clock.advance(5001)
    await crash('connection') // at 10.001 s: the crash at 0 s no longer counts
    expect(
      Process.isAlive(sup),
      'the supervisor gave up although only two crashes were within the last 10 s',
    ).toBe(true)
    await crash('connection') // at 10.001 s again: three within 10 s (5 s, 10.001 s, 10.001 s)
    expect(
      ended.reason,
      'crashes at 5 s, 10.001 s and 10.001 s are three within 10 s: check maxSeconds',
    ).toBe('shutdown')
  })
})

describe('task 4: failure climbs the tree', () => {
  it('the app supervises the connection supervisor (as a supervisor) and the lobby', async () => {
    const app = ok(await AppSupervisor.startLink())
    expect(Process.whereis('app'), "register the app supervisor as 'app'").toBe(app)
    const children = await settled(Supervisor.whichChildren(app))
    expect(
      children.map((c) => [c.id, c.type]).sort(),
      "expected the children 'connection_sup' (type: 'supervisor') and 'lobby'",
    ).toEqual([
      ['connection_sup', 'supervisor'],
      ['lobby', 'worker'],
    ])
    expect(Process.processInfo(Process.whereis('connection_sup')!)?.parent).toBe(app)
  })

  it('when the connection supervisor gives up, the app starts a fresh one', async () => {
    const app = ok(await AppSupervisor.startLink())
    const before = pidsOf('connection_sup', 'connection')
    await crashTimes('connection', 3)
    const after = pidsOf('connection_sup', 'connection')
    expect(
      restarts.filter((r) => r.supervisor === app),
      "the app did not restart 'connection_sup' after it gave up (exited with shutdown); does task 3 pass?",
    ).toEqual([
      expect.objectContaining({
        childId: 'connection_sup',
        pid: before.connection_sup,
        reason: 'shutdown',
      }),
    ])
    expect(isPid(after.connection_sup) && after.connection_sup !== before.connection_sup).toBe(true)
    expect(
      isPid(after.connection) && after.connection !== before.connection,
      'a fresh connection supervisor starts a fresh connection',
    ).toBe(true)
  })

  it('the lobby does not notice', async () => {
    ok(await AppSupervisor.startLink())
    post('lobby', 'still here')
    const lobby = Process.whereis('lobby')
    await crashTimes('connection', 3)
    expect(Process.whereis('lobby'), 'the lobby was restarted: the app should be one_for_one').toBe(
      lobby,
    )
    expect(await settled(messages('lobby'))).toEqual(['still here'])
  })

  it('if the connection supervisor keeps giving up, the app gives up too', async () => {
    const app = ok(await AppSupervisor.startLink())
    const ended = await watchExit(app)
    for (let round = 1; round <= 3; round++) {
      await crashTimes('connection', 3)
      expect(
        Process.isAlive(app),
        `the app gave up after ${round} restart(s) of connection_sup`,
      ).toBe(true)
    }
    await crashTimes('connection', 3)
    expect(
      ended.reason,
      'a 4th restart within 5 s is one too many for the app: keep its intensity at the defaults (3 in 5 s)',
    ).toBe('shutdown')
    expect(Process.whereis('lobby'), 'an app that gives up stops all its children').toBe(undefined)
  })
})

// --- Helpers ------------------------------------------------------------------------------------

const ONE_FOR_ONE: Supervisor.Options = { strategy: 'one_for_one' }

/** Crashes the process registered as `name` and lets its supervisor react. */
async function crash(name: string): Promise<void> {
  const pid = Process.whereis(name)
  if (pid === undefined) expect.fail(`no process is registered as '${name}': is it running?`)
  exit(pid, new Error(`${name} crashed on purpose`))
  await clock.settle()
}

async function crashTimes(name: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) await crash(name)
}

/** Work that throws on its first `failures` runs, then succeeds; `runs` counts the runs. */
function countingWork(failures: number): { work: () => void; runs: number } {
  const job = {
    runs: 0,
    work: () => {
      job.runs++
      if (job.runs <= failures) throw new Error(`run ${job.runs} failed`)
    },
  }
  return job
}

/** `{ name: pid }` of registered processes. */
function pidsOf(...names: string[]): Record<string, Pid | undefined> {
  return Object.fromEntries(names.map((name) => [name, Process.whereis(name)]))
}

/** The pid of an `['ok', pid]` start result; fails the test with the result otherwise. */
function ok(result: GenServer.OnStart): Pid {
  if (result[0] !== 'ok')
    expect.fail(
      `expected ['ok', pid], got ${JSON.stringify(result, (_k, v) => (isPid(v) ? String(v) : v))}`,
    )
  return result[1]
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
  if (result === undefined) expect.fail('a call never returned')
  if ('error' in result) throw result.error
  return result.value
}
