import {
  createNode,
  type DownMessage,
  type ExitReason,
  exit,
  makeRef,
  type Node,
  type Pid,
  Process,
  type ProcessBody,
  type ProcessContext,
  type Ref,
  send,
  setDefaultNode,
  spawn,
  type VirtualClock,
} from 'letitcrash'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { t } from '../messages.ts'
import { startKeeper, startPair, startWatchdog, stopWorker } from './links-and-monitors.ts'

let node: Node
let clock: VirtualClock

beforeEach(() => {
  node = createNode({ clock: 'virtual' })
  clock = node.clock as VirtualClock
  setDefaultNode(node)
})
afterEach(() => node.shutdown())

describe('task 1: watch a worker with a monitor', () => {
  it('reports a crash, with the error as the reason', async () => {
    const worker = spawn(obedient)
    const reports = inbox()
    startWatchdog(worker, reports.pid)
    await clock.runUntilIdle()
    send(worker, 'crash')
    await clock.runUntilIdle()
    expect(
      reports.messages,
      t(
        'no report: does the watchdog send [down, worker, reason]?',
        '보고가 없습니다: watchdog이 [down, worker, reason]을 보내나요?',
      ),
    ).toEqual([['down', worker, expect.any(Error)]])
    expect(((reports.messages[0] as unknown[])[2] as Error).message).toBe('boom')
  })

  it('reports a normal end too (a link would stay silent)', async () => {
    const worker = spawn(obedient)
    const reports = inbox()
    startWatchdog(worker, reports.pid)
    await clock.runUntilIdle()
    send(worker, 'stop')
    await clock.runUntilIdle()
    expect(
      reports.messages,
      t(
        'a monitor reports every end, also `normal`',
        '모니터는 모든 종료를 알립니다. `normal`도 마찬가지입니다',
      ),
    ).toEqual([['down', worker, 'normal']])
  })

  it('monitors the worker instead of linking to it', async () => {
    const worker = spawn(obedient)
    const watchdog = startWatchdog(worker, inbox().pid)
    await clock.runUntilIdle()
    expect(
      Process.processInfo(worker)?.monitoredBy,
      t(
        'the worker is not monitored by the watchdog: use ctx.monitor(worker)',
        'watchdog이 워커를 모니터링하지 않습니다: ctx.monitor(worker)를 쓰세요',
      ),
    ).toEqual([watchdog])
    expect(
      Process.processInfo(watchdog)?.links,
      t(
        'the watchdog should not link to the worker: a monitor watches one way',
        'watchdog은 워커와 링크하면 안 됩니다: 모니터는 한쪽 방향으로만 지켜봅니다',
      ),
    ).toEqual([])
  })

  it('reports noproc for a worker that was already gone', async () => {
    const worker = spawn(() => {})
    await clock.runUntilIdle()
    const reports = inbox()
    startWatchdog(worker, reports.pid)
    await clock.runUntilIdle()
    expect(
      reports.messages,
      t(
        'monitoring a dead pid gives a DOWN with reason noproc',
        '죽은 pid를 모니터링하면 이유가 noproc인 DOWN이 옵니다',
      ),
    ).toEqual([['down', worker, 'noproc']])
  })

  it('waits for the DOWN of its own monitor, leaving other messages alone', async () => {
    const worker = spawn(obedient)
    const reports = inbox()
    const watchdog = startWatchdog(worker, reports.pid)
    await clock.runUntilIdle()
    const fake: DownMessage = { type: 'DOWN', ref: makeRef(), pid: worker, reason: 'fake' }
    send(watchdog, 'hello')
    send(watchdog, fake)
    await clock.runUntilIdle()
    expect(
      reports.messages,
      t(
        'the watchdog reported a DOWN that was not its own',
        'watchdog이 자기 것이 아닌 DOWN을 보고했습니다',
      ),
    ).toEqual([])
    send(worker, 'crash')
    await clock.runUntilIdle()
    expect(
      reports.messages,
      t(
        'match the DOWN by the ref ctx.monitor returned: ctx.receive((m) => m?.type === "DOWN" && m.ref === ref)',
        'ctx.monitor가 반환한 ref로 DOWN을 골라 받으세요: ctx.receive((m) => m?.type === "DOWN" && m.ref === ref)',
      ),
    ).toEqual([['down', worker, expect.any(Error)]])
  })
})

describe('task 2: share a fate with a link', () => {
  it('links the two members both ways', async () => {
    const [first, second] = startPair()
    await clock.runUntilIdle()
    expect(
      Process.processInfo(first)?.links,
      t('first is not linked to second', 'first가 second와 링크되어 있지 않습니다'),
    ).toEqual([second])
    expect(
      Process.processInfo(second)?.links,
      t('second is not linked to first', 'second가 first와 링크되어 있지 않습니다'),
    ).toEqual([first])
  })

  it('a crash of the first takes the second down, with the same reason', async () => {
    const [first, second] = startPair()
    await clock.runUntilIdle()
    const [ends1, ends2] = [await watchExit(first), await watchExit(second)]
    send(first, 'crash')
    await clock.runUntilIdle()
    expect(ends1.reason).toBeInstanceOf(Error)
    expect(
      ends2.reason,
      t(
        'second survived the crash of first: are they linked?',
        'first가 크래시했는데 second가 살아남았습니다: 둘이 링크되어 있나요?',
      ),
    ).toBe(ends1.reason)
  })

  it('a crash of the second takes the first down', async () => {
    const [first, second] = startPair()
    await clock.runUntilIdle()
    const ends1 = await watchExit(first)
    send(second, 'crash')
    await clock.runUntilIdle()
    expect(
      ends1.reason,
      t(
        'first survived the crash of second: links go both ways',
        'second가 크래시했는데 first가 살아남았습니다: 링크는 양방향입니다',
      ),
    ).toBeInstanceOf(Error)
  })

  it('a normal end does not take the partner down', async () => {
    const [first, second] = startPair()
    await clock.runUntilIdle()
    send(first, 'stop')
    await clock.runUntilIdle()
    expect(Process.isAlive(first)).toBe(false)
    expect(
      Process.isAlive(second),
      t('a link passes on abnormal exits only', '링크는 비정상 종료만 전달합니다'),
    ).toBe(true)
    expect(
      Process.processInfo(second)?.links,
      t('the link ends with the process', '링크는 프로세스와 함께 사라집니다'),
    ).toEqual([])
  })

  it("a kill ends the partner as 'killed'", async () => {
    const [first, second] = startPair()
    await clock.runUntilIdle()
    const ends2 = await watchExit(second)
    exit(first, 'kill')
    await clock.runUntilIdle()
    expect(ends2.reason).toBe('killed')
  })
})

describe('task 3: trap exits in a keeper', () => {
  it('traps exits and links to its worker', async () => {
    const keeper = startKeeper(obedient, inbox().pid)
    await clock.runUntilIdle()
    const info = Process.processInfo(keeper)
    expect(
      info?.trapExit,
      t('the keeper must call ctx.trapExit(true)', 'keeper는 ctx.trapExit(true)를 호출해야 합니다'),
    ).toBe(true)
    expect(
      info?.links,
      t(
        'the keeper should start its worker with ctx.spawnLink',
        'keeper는 ctx.spawnLink로 워커를 시작해야 합니다',
      ),
    ).toHaveLength(1)
    expect(Process.processInfo(info!.links[0])?.links).toEqual([keeper])
  })

  it('lives on when its worker crashes, and starts a fresh one', async () => {
    const reports = inbox()
    const keeper = startKeeper(obedient, reports.pid)
    await clock.runUntilIdle()
    const [worker] = Process.processInfo(keeper)!.links
    send(worker, 'crash')
    await clock.runUntilIdle()
    expect(
      Process.isAlive(keeper),
      t(
        'the keeper died with its worker: does it trap exits?',
        'keeper가 워커와 함께 죽었습니다: 종료를 트랩하나요?',
      ),
    ).toBe(true)
    expect(
      reports.messages,
      t(
        'expected one report [restarted, old, reason, fresh]',
        '보고 하나 [restarted, old, reason, fresh]를 기대했습니다',
      ),
    ).toEqual([['restarted', worker, expect.any(Error), expect.anything()]])
    const fresh = (reports.messages[0] as Pid[])[3]
    expect(fresh).not.toBe(worker)
    expect(
      Process.isAlive(fresh),
      t('the fresh worker is not running', '새 워커가 실행 중이 아닙니다'),
    ).toBe(true)
    expect(
      Process.processInfo(keeper)?.links,
      t('the fresh worker must be linked too', '새 워커도 링크되어 있어야 합니다'),
    ).toEqual([fresh])
  })

  it('restarts again after every crash', async () => {
    const reports = inbox()
    const keeper = startKeeper(obedient, reports.pid)
    await clock.runUntilIdle()
    for (let i = 0; i < 3; i++) {
      const [worker] = Process.processInfo(keeper)!.links
      send(worker, 'crash')
      await clock.runUntilIdle()
    }
    expect(reports.messages.map((m) => (m as string[])[0])).toEqual([
      'restarted',
      'restarted',
      'restarted',
    ])
    expect(Process.processInfo(keeper)?.links).toHaveLength(1)
  })

  it('reports done and finishes when its worker finishes normally', async () => {
    const reports = inbox()
    const keeper = startKeeper(obedient, reports.pid)
    await clock.runUntilIdle()
    const ends = await watchExit(keeper)
    const [worker] = Process.processInfo(keeper)!.links
    send(worker, 'stop')
    await clock.runUntilIdle()
    expect(
      reports.messages,
      t(
        'a worker that finished is done: do not restart it',
        '정상적으로 끝난 워커는 할 일을 마친 것입니다: 다시 시작하지 마세요',
      ),
    ).toEqual([['done', worker]])
    expect(
      ends.reason,
      t(
        'after its worker is done, the keeper finishes (returns)',
        '워커가 일을 마치면 keeper도 끝납니다(반환합니다)',
      ),
    ).toBe('normal')
  })

  it('stops with the reason of an exit signal from anyone else, and its worker with it', async () => {
    const keeper = startKeeper(obedient, inbox().pid)
    await clock.runUntilIdle()
    const [worker] = Process.processInfo(keeper)!.links
    const [endsKeeper, endsWorker] = [await watchExit(keeper), await watchExit(worker)]
    exit(keeper, 'shutdown')
    await clock.runUntilIdle()
    expect(
      endsKeeper.reason,
      t(
        "an EXIT not from the worker means 'stop': call ctx.exit(reason)",
        "워커가 아닌 곳에서 온 EXIT는 '멈추라'는 뜻입니다: ctx.exit(reason)을 호출하세요",
      ),
    ).toBe('shutdown')
    expect(
      endsWorker.reason,
      t(
        'the worker should go down with its keeper, by the link',
        '워커는 링크를 통해 keeper와 함께 종료되어야 합니다',
      ),
    ).toBe('shutdown')
  })
})

describe('task 4: stop politely, then kill', () => {
  it("ends a worker that does not trap exits at once, with 'shutdown'", async () => {
    const worker = spawn(obedient)
    const stopped = runInProcess((ctx) => stopWorker(ctx, worker, 100))
    await clock.runUntilIdle()
    expect(
      stopped.value,
      t(
        "send the exit signal 'shutdown' and wait for the worker's end",
        "종료 시그널 'shutdown'을 보내고 워커가 끝나기를 기다리세요",
      ),
    ).toBe('shutdown')
    expect(
      clock.now(),
      t(
        'a worker that does not trap exits ends at once',
        '종료를 트랩하지 않는 워커는 곧바로 끝납니다',
      ),
    ).toBe(0)
  })

  it('lets a worker that traps exits clean up and stop on its own', async () => {
    const log: string[] = []
    const worker = spawn(async (ctx) => {
      ctx.trapExit(true)
      const signal = await ctx.receive()
      log.push('cleaned up')
      ctx.exit((signal as { reason: ExitReason }).reason)
    })
    await clock.runUntilIdle()
    const stopped = runInProcess((ctx) => stopWorker(ctx, worker, 100))
    await clock.runUntilIdle()
    expect(log).toEqual(['cleaned up'])
    expect(
      stopped.value,
      t(
        "the worker stopped itself with 'shutdown': no kill needed",
        "워커가 'shutdown'으로 스스로 멈췄습니다: kill은 필요 없습니다",
      ),
    ).toBe('shutdown')
  })

  it("kills a worker that ignores 'shutdown', exactly when the timeout passes", async () => {
    const worker = spawn(stubborn)
    await clock.runUntilIdle()
    const stopped = runInProcess((ctx) => stopWorker(ctx, worker, 100))
    await clock.advance(99)
    expect(
      Process.isAlive(worker),
      t(
        'killed too early: wait `timeout` ms first',
        '너무 일찍 kill했습니다: 먼저 `timeout`ms를 기다리세요',
      ),
    ).toBe(true)
    await clock.advance(1)
    expect(
      Process.isAlive(worker),
      t(
        "still alive after the timeout: send 'kill'",
        "타임아웃이 지났는데 아직 살아 있습니다: 'kill'을 보내세요",
      ),
    ).toBe(false)
    await clock.runUntilIdle()
    expect(
      stopped.value,
      t("a killed process ends with reason 'killed'", "kill된 프로세스는 'killed' 이유로 끝납니다"),
    ).toBe('killed')
  })

  it("returns 'noproc' for a worker that was already gone", async () => {
    const worker = spawn(() => {})
    await clock.runUntilIdle()
    const stopped = runInProcess((ctx) => stopWorker(ctx, worker, 100))
    await clock.runUntilIdle()
    expect(
      stopped.value,
      t('a monitor on a dead pid reports noproc', '죽은 pid에 건 모니터는 noproc을 보고합니다'),
    ).toBe('noproc')
  })

  it('survives the end of the worker it stops (a monitor, not a link)', async () => {
    const worker = spawn(stubborn)
    await clock.runUntilIdle()
    const stopped = runInProcess((ctx) => stopWorker(ctx, worker, 100))
    await clock.runUntilIdle()
    expect(
      stopped.exitReason,
      t(
        'the stopping process died with the worker: watch it with ctx.monitor, not ctx.link',
        '멈추게 하던 프로세스가 워커와 함께 죽었습니다: ctx.link가 아니라 ctx.monitor로 지켜보세요',
      ),
    ).toBe('normal')
  })
})

// --- Helpers ------------------------------------------------------------------------------------

/** A worker that waits for orders: `'crash'` makes it crash, `'stop'` makes it finish. */
const obedient: ProcessBody = async (ctx) => {
  for (;;) {
    const order = await ctx.receive()
    if (order === 'crash') throw new Error('boom')
    if (order === 'stop') return
  }
}

/** A worker that traps exits and ignores them: only `'kill'` ends it. */
const stubborn: ProcessBody = async (ctx) => {
  ctx.trapExit(true)
  for (;;) await ctx.receive()
}

/** A process that keeps every message it gets, so a test can read what was sent to it. */
function inbox(): { pid: Pid; messages: unknown[] } {
  const messages: unknown[] = []
  const pid = spawn(async (ctx) => {
    for (;;) messages.push(await ctx.receive())
  })
  return { pid, messages }
}

/** Learns how `pid` ends, from a small process that monitors it (running once this resolves). */
async function watchExit(pid: Pid): Promise<{ reason: ExitReason | undefined }> {
  const seen: { reason: ExitReason | undefined } = { reason: undefined }
  spawn(async (ctx) => {
    const ref = ctx.monitor(pid)
    seen.reason = (await ctx.receive(isDownOf(ref))).reason
  })
  await clock.settle()
  return seen
}

/** Runs `fn` inside a fresh process (it needs a `ctx`); its result and exit reason appear later. */
function runInProcess<T>(fn: (ctx: ProcessContext) => Promise<T>): {
  value?: T
  exitReason?: ExitReason
} {
  const result: { value?: T; exitReason?: ExitReason } = {}
  spawn(async (ctx) => {
    const [, ref] = ctx.spawnMonitor(async (inner) => {
      result.value = await fn(inner)
    })
    result.exitReason = (await ctx.receive(isDownOf(ref))).reason
  })
  return result
}

function isDownOf(ref: Ref) {
  return (m: unknown): m is DownMessage => (m as DownMessage | null)?.ref === ref
}
