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
import { t } from '../messages.ts'
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
    expect(
      after.games,
      t("'games' crashed and was not restarted", "'games'가 크래시했는데 재시작되지 않았습니다"),
    ).not.toBe(before.games)
    expect(
      [after.lobby, after.random],
      t(
        "a crash in 'games' restarted another room: rooms share nothing, restart only the one that crashed",
        "'games'의 크래시로 다른 방이 재시작되었습니다: 방끼리는 공유하는 것이 없으니 크래시한 방만 재시작하세요",
      ),
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
      t(
        'a fresh receiver expects message 1, but the old sender sent message 3: the sender must restart with the receiver',
        '새 receiver는 1번 메시지를 기다리는데 예전 sender가 3번 메시지를 보냈습니다: sender는 receiver와 함께 재시작해야 합니다',
      ),
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
      t(
        'a fresh sender starts again at 1, but the old receiver expects 3: the receiver must restart with the sender',
        '새 sender는 다시 1부터 시작하는데 예전 receiver는 3을 기다립니다: receiver는 sender와 함께 재시작해야 합니다',
      ),
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
      t(
        'the stats subscribed to the old cache and miss the new one’s writes: when the cache restarts, the stats must restart after it',
        'stats가 예전 cache를 구독하고 있어서 새 cache의 쓰기를 놓칩니다: cache가 재시작하면 그 뒤의 stats도 재시작해야 합니다',
      ),
    ).toBe(1)
  })

  it('cache and stats: a crash of the stats keeps the cache and its entries', async () => {
    ok(await Supervisor.startLink(CacheSupervisor, undefined))
    await settled(put('a', '1'))
    const cache = Process.whereis('cache')
    await crash('stats')
    expect(
      Process.whereis('cache'),
      t(
        'the cache was restarted (and lost its entries) because the stats crashed: the cache does not depend on the stats',
        'stats가 크래시했다고 cache가 재시작되었습니다(그리고 항목을 잃었습니다): cache는 stats에 의존하지 않습니다',
      ),
    ).toBe(cache)
    expect(await settled(get('a'))).toBe('1')
    await settled(put('b', '2'))
    expect(
      await settled(writes()),
      t(
        'the restarted stats should count the writes after it',
        '재시작된 stats는 그 뒤의 쓰기를 세야 합니다',
      ),
    ).toBe(1)
  })
})

describe('task 2: a transient job', () => {
  it('a job that finishes is not started again', async () => {
    const job = countingWork(0)
    const sup = ok(await Supervisor.startLink([jobSpec('import', job.work)], ONE_FOR_ONE))
    await clock.runUntilIdle()
    expect(
      job.runs,
      t(
        "the job finished normally and was started again: 'permanent' restarts after any exit; which restart type restarts only after a crash?",
        "작업이 정상적으로 끝났는데 다시 시작되었습니다: 'permanent'는 어떻게 종료하든 재시작합니다. 크래시한 뒤에만 재시작하는 재시작 유형은 무엇일까요?",
      ),
    ).toBe(1)
    expect(
      await settled(Supervisor.whichChildren(sup)),
      t(
        "the supervisor forgot the job: a 'temporary' child is dropped when it ends",
        "슈퍼바이저가 작업을 잊어버렸습니다: 'temporary' 자식은 끝나면 목록에서 빠집니다",
      ),
    ).toEqual([{ id: 'import', pid: undefined, type: 'worker' }])
  })

  it('a job that crashes is started again, until it succeeds', async () => {
    const job = countingWork(2)
    const sup = ok(await Supervisor.startLink([jobSpec('import', job.work)], ONE_FOR_ONE))
    await clock.runUntilIdle()
    expect(
      job.runs,
      job.runs < 3
        ? t(
            "the job crashed and was not started again: a 'temporary' child never restarts, but a crashed job has not done its work",
            "작업이 크래시했는데 다시 시작되지 않았습니다: 'temporary' 자식은 절대 재시작하지 않지만, 크래시한 작업은 아직 할 일을 마치지 못했습니다",
          )
        : t(
            "the job succeeded on its 3rd run and was started again: 'permanent' restarts after any exit",
            "작업이 세 번째 실행에서 성공했는데 다시 시작되었습니다: 'permanent'는 어떻게 종료하든 재시작합니다",
          ),
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
    expect(
      [first.runs, second.runs],
      t('each job should run its own work, once', '각 작업은 자기 일을 한 번씩 실행해야 합니다'),
    ).toEqual([1, 1])
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
    expect(
      Process.isAlive(sup),
      t('two crashes within 10 s are still allowed', '10초 안의 크래시 두 번은 아직 허용됩니다'),
    ).toBe(true)
    expect(
      Process.whereis('connection'),
      t('the connection should be running again', 'connection이 다시 실행되고 있어야 합니다'),
    ).toBeDefined()
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
      t(
        'three crashes within 10 s should be one too many: set maxRestarts and maxSeconds in the flags of Supervisor.init',
        '10초 안에 세 번 크래시하면 한도를 넘어야 합니다: Supervisor.init의 플래그에 maxRestarts와 maxSeconds를 정하세요',
      ),
    ).toBe('shutdown')
    expect(gaveUp).toEqual([expect.objectContaining({ supervisor: sup, childId: 'connection' })])
    expect(
      Process.whereis('connection'),
      t('a supervisor that gives up stops its children', '포기한 슈퍼바이저는 자식들을 멈춥니다'),
    ).toBe(undefined)
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
      t(
        'the supervisor gave up although only two crashes were within the last 10 s',
        '최근 10초 안의 크래시는 두 번뿐인데 슈퍼바이저가 포기했습니다',
      ),
    ).toBe(true)
    await crash('connection') // at 10.001 s again: three within 10 s (5 s, 10.001 s, 10.001 s)
    expect(
      ended.reason,
      t(
        'crashes at 5 s, 10.001 s and 10.001 s are three within 10 s: check maxSeconds',
        '5초, 10.001초, 10.001초의 크래시는 10초 안의 세 번입니다: maxSeconds를 확인하세요',
      ),
    ).toBe('shutdown')
  })
})

describe('task 4: failure climbs the tree', () => {
  it('the app supervises the connection supervisor (as a supervisor) and the lobby', async () => {
    const app = ok(await AppSupervisor.startLink())
    expect(
      Process.whereis('app'),
      t("register the app supervisor as 'app'", "앱 슈퍼바이저를 'app'으로 등록하세요"),
    ).toBe(app)
    const children = await settled(Supervisor.whichChildren(app))
    expect(
      children.map((c) => [c.id, c.type]).sort(),
      t(
        "expected the children 'connection_sup' (type: 'supervisor') and 'lobby'",
        "자식 'connection_sup'(type: 'supervisor')과 'lobby'를 기대했습니다",
      ),
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
      t(
        "the app did not restart 'connection_sup' after it gave up (exited with shutdown); does task 3 pass?",
        "'connection_sup'이 포기한(shutdown으로 종료한) 뒤 app이 재시작하지 않았습니다. 태스크 3은 통과하나요?",
      ),
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
      t(
        'a fresh connection supervisor starts a fresh connection',
        '새 connection 슈퍼바이저는 새 connection을 시작합니다',
      ),
    ).toBe(true)
  })

  it('the lobby does not notice', async () => {
    ok(await AppSupervisor.startLink())
    post('lobby', 'still here')
    const lobby = Process.whereis('lobby')
    await crashTimes('connection', 3)
    expect(
      Process.whereis('lobby'),
      t(
        'the lobby was restarted: the app should be one_for_one',
        'lobby가 재시작되었습니다: app은 one_for_one이어야 합니다',
      ),
    ).toBe(lobby)
    expect(await settled(messages('lobby'))).toEqual(['still here'])
  })

  it('if the connection supervisor keeps giving up, the app gives up too', async () => {
    const app = ok(await AppSupervisor.startLink())
    const ended = await watchExit(app)
    for (let round = 1; round <= 3; round++) {
      await crashTimes('connection', 3)
      expect(
        Process.isAlive(app),
        t(
          `the app gave up after ${round} restart(s) of connection_sup`,
          `connection_sup을 ${round}번 재시작한 뒤 app이 포기했습니다`,
        ),
      ).toBe(true)
    }
    await crashTimes('connection', 3)
    expect(
      ended.reason,
      t(
        'a 4th restart within 5 s is one too many for the app: keep its intensity at the defaults (3 in 5 s)',
        '5초 안의 네 번째 재시작은 app의 한도를 넘습니다: 재시작 강도는 기본값(5초에 3번)으로 두세요',
      ),
    ).toBe('shutdown')
    expect(
      Process.whereis('lobby'),
      t('an app that gives up stops all its children', '포기한 app은 모든 자식을 멈춥니다'),
    ).toBe(undefined)
  })
})

// --- Helpers ------------------------------------------------------------------------------------

const ONE_FOR_ONE: Supervisor.Options = { strategy: 'one_for_one' }

/** Crashes the process registered as `name` and lets its supervisor react. */
async function crash(name: string): Promise<void> {
  const pid = Process.whereis(name)
  if (pid === undefined)
    expect.fail(
      t(
        `no process is registered as '${name}': is it running?`,
        `등록된 이름이 '${name}'인 프로세스가 없습니다: 실행 중인가요?`,
      ),
    )
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
      t(
        `expected ['ok', pid], got ${JSON.stringify(result, (_k, v) => (isPid(v) ? String(v) : v))}`,
        `['ok', pid]를 기대했는데 받은 값은 ${JSON.stringify(result, (_k, v) => (isPid(v) ? String(v) : v))}입니다`,
      ),
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
  if (result === undefined)
    expect.fail(t('a call never returned', 'call이 끝내 반환하지 않았습니다'))
  if ('error' in result) throw result.error
  return result.value
}
