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
    expect(reports.messages, 'no report: does the watchdog send [down, worker, reason]?').toEqual([
      ['down', worker, expect.any(Error)],
    ])
    expect(((reports.messages[0] as unknown[])[2] as Error).message).toBe('boom')
  })

  it('reports a normal end too (a link would stay silent)', async () => {
    const worker = spawn(obedient)
    const reports = inbox()
    startWatchdog(worker, reports.pid)
    await clock.runUntilIdle()
    send(worker, 'stop')
    await clock.runUntilIdle()
    expect(reports.messages, 'a monitor reports every end, also `normal`').toEqual([
      ['down', worker, 'normal'],
    ])
  })

  it('monitors the worker instead of linking to it', async () => {
    const worker = spawn(obedient)
    const watchdog = startWatchdog(worker, inbox().pid)
    await clock.runUntilIdle()
    expect(
      Process.processInfo(worker)?.monitoredBy,
      'the worker is not monitored by the watchdog: use ctx.monitor(worker)',
    ).toEqual([watchdog])
    expect(
      Process.processInfo(watchdog)?.links,
      'the watchdog should not link to the worker: a monitor watches one way',
    ).toEqual([])
  })

  it('reports noproc for a worker that was already gone', async () => {
    const worker = spawn(() => {})
    await clock.runUntilIdle()
    const reports = inbox()
    startWatchdog(worker, reports.pid)
    await clock.runUntilIdle()
    expect(reports.messages, 'monitoring a dead pid gives a DOWN with reason noproc').toEqual([
      ['down', worker, 'noproc'],
    ])
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
    expect(reports.messages, 'the watchdog reported a DOWN that was not its own').toEqual([])
    send(worker, 'crash')
    await clock.runUntilIdle()
    expect(
      reports.messages,
      'match the DOWN by the ref ctx.monitor returned: ctx.receive((m) => m?.type === "DOWN" && m.ref === ref)',
    ).toEqual([['down', worker, expect.any(Error)]])
  })
})

describe('task 2: share a fate with a link', () => {
  it('links the two members both ways', async () => {
    const [first, second] = startPair()
    await clock.runUntilIdle()
    expect(Process.processInfo(first)?.links, 'first is not linked to second').toEqual([second])
    expect(Process.processInfo(second)?.links, 'second is not linked to first').toEqual([first])
  })

  it('a crash of the first takes the second down, with the same reason', async () => {
    const [first, second] = startPair()
    await clock.runUntilIdle()
    const [ends1, ends2] = [await watchExit(first), await watchExit(second)]
    send(first, 'crash')
    await clock.runUntilIdle()
    expect(ends1.reason).toBeInstanceOf(Error)
    expect(ends2.reason, 'second survived the crash of first: are they linked?').toBe(ends1.reason)
  })

  it('a crash of the second takes the first down', async () => {
    const [first, second] = startPair()
    await clock.runUntilIdle()
    const ends1 = await watchExit(first)
    send(second, 'crash')
    await clock.runUntilIdle()
    expect(ends1.reason, 'first survived the crash of second: links go both ways').toBeInstanceOf(
      Error,
    )
  })

  it('a normal end does not take the partner down', async () => {
    const [first, second] = startPair()
    await clock.runUntilIdle()
    send(first, 'stop')
    await clock.runUntilIdle()
    expect(Process.isAlive(first)).toBe(false)
    expect(Process.isAlive(second), 'a link passes on abnormal exits only').toBe(true)
    expect(Process.processInfo(second)?.links, 'the link ends with the process').toEqual([])
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
    expect(info?.trapExit, 'the keeper must call ctx.trapExit(true)').toBe(true)
    expect(info?.links, 'the keeper should start its worker with ctx.spawnLink').toHaveLength(1)
    expect(Process.processInfo(info!.links[0])?.links).toEqual([keeper])
  })

  it('lives on when its worker crashes, and starts a fresh one', async () => {
    const reports = inbox()
    const keeper = startKeeper(obedient, reports.pid)
    await clock.runUntilIdle()
    const [worker] = Process.processInfo(keeper)!.links
    send(worker, 'crash')
    await clock.runUntilIdle()
    expect(Process.isAlive(keeper), 'the keeper died with its worker: does it trap exits?').toBe(
      true,
    )
    expect(reports.messages, 'expected one report [restarted, old, reason, fresh]').toEqual([
      ['restarted', worker, expect.any(Error), expect.anything()],
    ])
    const fresh = (reports.messages[0] as Pid[])[3]
    expect(fresh).not.toBe(worker)
    expect(Process.isAlive(fresh), 'the fresh worker is not running').toBe(true)
    expect(Process.processInfo(keeper)?.links, 'the fresh worker must be linked too').toEqual([
      fresh,
    ])
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
    expect(reports.messages, 'a worker that finished is done: do not restart it').toEqual([
      ['done', worker],
    ])
    expect(ends.reason, 'after its worker is done, the keeper finishes (returns)').toBe('normal')
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
      "an EXIT not from the worker means 'stop': call ctx.exit(reason)",
    ).toBe('shutdown')
    expect(endsWorker.reason, 'the worker should go down with its keeper, by the link').toBe(
      'shutdown',
    )
  })
})

describe('task 4: stop politely, then kill', () => {
  it("ends a worker that does not trap exits at once, with 'shutdown'", async () => {
    const worker = spawn(obedient)
    const stopped = runInProcess((ctx) => stopWorker(ctx, worker, 100))
    await clock.runUntilIdle()
    expect(stopped.value, "send the exit signal 'shutdown' and wait for the worker's end").toBe(
      'shutdown',
    )
    expect(clock.now(), 'a worker that does not trap exits ends at once').toBe(0)
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
    expect(stopped.value, "the worker stopped itself with 'shutdown': no kill needed").toBe(
      'shutdown',
    )
  })

  it("kills a worker that ignores 'shutdown', exactly when the timeout passes", async () => {
    const worker = spawn(stubborn)
    await clock.runUntilIdle()
    const stopped = runInProcess((ctx) => stopWorker(ctx, worker, 100))
    await clock.advance(99)
    expect(Process.isAlive(worker), 'killed too early: wait `timeout` ms first').toBe(true)
    await clock.advance(1)
    expect(Process.isAlive(worker), "still alive after the timeout: send 'kill'").toBe(false)
    await clock.runUntilIdle()
    expect(stopped.value, "a killed process ends with reason 'killed'").toBe('killed')
  })

  it("returns 'noproc' for a worker that was already gone", async () => {
    const worker = spawn(() => {})
    await clock.runUntilIdle()
    const stopped = runInProcess((ctx) => stopWorker(ctx, worker, 100))
    await clock.runUntilIdle()
    expect(stopped.value, 'a monitor on a dead pid reports noproc').toBe('noproc')
  })

  it('survives the end of the worker it stops (a monitor, not a link)', async () => {
    const worker = spawn(stubborn)
    await clock.runUntilIdle()
    const stopped = runInProcess((ctx) => stopWorker(ctx, worker, 100))
    await clock.runUntilIdle()
    expect(
      stopped.exitReason,
      'the stopping process died with the worker: watch it with ctx.monitor, not ctx.link',
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
