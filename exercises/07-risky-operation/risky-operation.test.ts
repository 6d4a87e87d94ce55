import {
  createNode,
  type DownMessage,
  type ExitReason,
  GenServer,
  type Node,
  type Pid,
  Process,
  type ProcessContext,
  setDefaultNode,
  spawn,
  Task,
  type VirtualClock,
} from 'letitcrash'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  execute,
  inParallel,
  type Operation,
  type Outcome,
  Runner,
  run,
  TASKS,
} from './risky-operation.ts'

let node: Node
let clock: VirtualClock

beforeEach(() => {
  node = createNode({ clock: 'virtual' })
  clock = node.clock as VirtualClock
  setDefaultNode(node)
})
afterEach(() => node.shutdown())

const boom = new Error('boom')
const crash = () => {
  throw boom
}

/** Waits `ms` ms of the virtual clock inside a process. */
async function sleep(ctx: ProcessContext, ms: number): Promise<void> {
  await ctx.receive(() => false, { timeout: ms })
}

/** Where a job ran: its process, that process's parent and links. */
interface Seen {
  self: Pid
  parent: Pid | undefined
  links: Pid[]
}

function whereItRan(ctx: ProcessContext): Seen {
  const info = Process.processInfo(ctx.self)
  return { self: ctx.self, parent: info?.parent, links: info?.links ?? [] }
}

interface Run<T> {
  pid: Pid
  done: boolean
  value?: T
  error?: unknown
}

/** Runs `body` in a process (the caller the exercise's functions expect) and records how it ends. */
function inProcess<T>(body: (ctx: ProcessContext) => Promise<T>): Run<T> {
  const outcome = { done: false } as Run<T>
  outcome.pid = spawn(async (ctx) => {
    try {
      outcome.value = await body(ctx)
    } catch (error) {
      outcome.error = error
    } finally {
      outcome.done = true
    }
  })
  return outcome
}

/** Records the exit reason of `pid` once it ends, as seen by a monitor. */
function exitOf(pid: Pid): { reason?: ExitReason } {
  const seen: { reason?: ExitReason } = {}
  spawn(async (ctx) => {
    const ref = ctx.monitor(pid)
    const down = await ctx.receive((m): m is DownMessage => (m as DownMessage)?.ref === ref)
    seen.reason = down.reason
  })
  return seen
}

/** `run`, failing with a hint when the runner never answers. */
async function answer<T>(runner: Pid, operation: Operation<T>): Promise<Outcome<T>> {
  let answered = false
  const reply = run(runner, operation).finally(() => {
    answered = true
  })
  reply.catch(() => {}) // awaited below, once time has passed
  await clock.advance(100)
  expect(
    answered,
    'the runner never answered: when the task is done, handleInfo should answer with GenServer.reply(from, outcome)',
  ).toBe(true)
  return reply
}

describe('task 1: run jobs in parallel with Task.async', () => {
  it("returns every job's result, in the order of the jobs", async () => {
    const job = (ms: number, value: string) => async (ctx: ProcessContext) => {
      await sleep(ctx, ms)
      return value
    }
    const caller = inProcess((ctx) =>
      inParallel(ctx, [job(300, 'a'), job(100, 'b'), job(200, 'c')]),
    )
    await clock.advance(600)
    if (caller.error) throw caller.error
    expect(
      caller.value,
      'results come back in the order of the jobs, not in the order they finish',
    ).toEqual(['a', 'b', 'c'])
  })

  it('runs each job in a process of its own, linked to the caller', async () => {
    const seen: Seen[] = []
    const caller = inProcess((ctx) =>
      inParallel(
        ctx,
        [0, 1, 2].map(() => (task: ProcessContext) => seen.push(whereItRan(task))),
      ),
    )
    await clock.runUntilIdle()
    if (caller.error) throw caller.error
    expect(seen, 'every job should have run').toHaveLength(3)
    for (const job of seen) {
      expect(
        job.self,
        "a job ran in the caller's own process: start it with Task.async(ctx, job)",
      ).not.toBe(caller.pid)
      expect(
        job.links,
        'a job was not linked to the caller: Task.async(ctx, job) links the task to ctx',
      ).toContain(caller.pid)
    }
    expect(new Set(seen.map((job) => job.self)).size, 'each job needs its own task').toBe(3)
  })

  it('runs the jobs at the same time, not one after another', async () => {
    let took: number | undefined
    const caller = inProcess(async (ctx) => {
      const start = clock.now()
      const jobs = [0, 1, 2].map(() => (task: ProcessContext) => sleep(task, 100))
      await inParallel(ctx, jobs)
      took = clock.now() - start
    })
    await clock.advance(300)
    if (caller.error) throw caller.error
    expect(
      took,
      'three jobs of 100 ms should take 100 ms together: start every task before you await any of them',
    ).toBe(100)
  })

  it('lets a crashing job take the caller down with it (the tasks are linked)', async () => {
    const caller = inProcess((ctx) => inParallel(ctx, [() => 'fine', crash]))
    const exit = exitOf(caller.pid)
    await clock.runUntilIdle()
    if (caller.error) throw caller.error
    expect(
      exit.reason,
      'the caller should die with the crash of its linked task: use Task.async, not a task that is not linked',
    ).toBe(boom)
  })
})

describe('task 2: execute a risky operation without a link', () => {
  beforeEach(async () => {
    await Task.Supervisor.startLink({ name: TASKS })
  })

  it("returns ['ok', result] for an operation that succeeds", async () => {
    const caller = inProcess((ctx) => execute(ctx, () => 'done'))
    await clock.runUntilIdle()
    if (caller.error) throw caller.error
    expect(caller.value).toEqual(['ok', 'done'])
  })

  it("returns ['error', reason] for an operation that crashes, and the caller carries on", async () => {
    const caller = inProcess((ctx) => execute(ctx, crash))
    await clock.runUntilIdle()
    expect(
      caller.done,
      'the crash took the caller down: run the operation with Task.Supervisor.asyncNolink(ctx, TASKS, operation)',
    ).toBe(true)
    expect(caller.error, 'execute should not throw: a crash is an outcome').toBeUndefined()
    expect(caller.value).toEqual(['error', boom])
  })

  it('runs the operation in a task of the TASKS supervisor, not linked to the caller', async () => {
    let seen: Seen | undefined
    const caller = inProcess((ctx) => execute(ctx, (task) => (seen = whereItRan(task))))
    await clock.runUntilIdle()
    if (caller.error) throw caller.error
    expect(seen?.self, 'the operation ran in the caller itself: run it in a task').not.toBe(
      caller.pid,
    )
    expect(
      seen?.parent,
      'the task should be a child of the TASKS supervisor: Task.Supervisor.asyncNolink(ctx, TASKS, operation)',
    ).toBe(GenServer.whereis(TASKS))
    expect(seen?.links, 'the task is linked to the caller: use asyncNolink').not.toContain(
      caller.pid,
    )
  })

  it("stops an operation that runs longer than the timeout and returns ['error', 'timeout']", async () => {
    let task: Pid | undefined
    const caller = inProcess((ctx) =>
      execute(
        ctx,
        async (t) => {
          task = t.self
          await sleep(t, 10_000)
          return 'too late'
        },
        1_000,
      ),
    )
    await clock.advance(999)
    if (caller.error) throw caller.error
    expect(task, 'the operation never started').toBeDefined()
    const taskExit = exitOf(task!)
    expect(caller.done, 'execute returned before its timeout of 1000 ms').toBe(false)
    await clock.advance(1)
    expect(caller.value, 'after 1000 ms execute should give up: Task.yield(task, timeout)').toEqual(
      ['error', 'timeout'],
    )
    expect(
      taskExit.reason,
      'the slow task was left running: stop it with Task.shutdown(task) when yield gives up',
    ).toBe('shutdown')
  })

  it('waits 5 seconds when no timeout is given', async () => {
    const slow = (ms: number) => (t: ProcessContext) => sleep(t, ms).then(() => `${ms} ms`)
    const inTime = inProcess((ctx) => execute(ctx, slow(4_999)))
    const tooLate = inProcess((ctx) => execute(ctx, slow(6_000)))
    await clock.advance(5_000)
    expect(inTime.value, 'an operation of 4999 ms is within the default timeout of 5 s').toEqual([
      'ok',
      '4999 ms',
    ])
    expect(tooLate.value, 'an operation of 6 s is past the default timeout of 5 s').toEqual([
      'error',
      'timeout',
    ])
  })
})

describe('task 3: a runner that answers later', () => {
  let runner: Pid

  beforeEach(async () => {
    await Task.Supervisor.startLink({ name: TASKS })
    const started = await GenServer.start(Runner, undefined)
    if (started[0] !== 'ok') throw new Error(`Runner did not start: ${String(started)}`)
    runner = started[1]
  })

  it("answers ['ok', result] for work that succeeds", async () => {
    expect(await answer(runner, () => 21 * 2)).toEqual(['ok', 42])
  })

  it("answers ['error', reason] for work that crashes, and keeps running", async () => {
    const outcome = await answer(runner, crash).catch((error: { reason?: unknown }) => error)
    expect(
      Process.isAlive(runner),
      'the runner crashed with its task: start the task with Task.Supervisor.asyncNolink, which does not link it to the runner',
    ).toBe(true)
    expect(
      outcome,
      "a crashed task arrives at the runner as a DOWN message: handle it in handleInfo and reply ['error', reason]",
    ).toEqual(['error', boom])
    expect(await answer(runner, () => 'still here')).toEqual(['ok', 'still here'])
  })

  it('runs the work in a task of TASKS, not inside the runner', async () => {
    let seen: Seen | undefined
    await answer(runner, (task) => {
      seen = whereItRan(task)
    })
    expect(
      seen?.self,
      'the work ran inside the runner itself: start it with Task.Supervisor.asyncNolink(this, TASKS, operation)',
    ).not.toBe(runner)
    expect(seen?.parent, 'the task should be a child of the TASKS supervisor').toBe(
      GenServer.whereis(TASKS),
    )
    expect(seen?.links, 'the task is linked to the runner: use asyncNolink').not.toContain(runner)
  })

  it('serves other callers while a slow job runs', async () => {
    const answered: string[] = []
    run(runner, async (task) => {
      await sleep(task, 1_000)
      return 'slow'
    }).then(
      () => answered.push('slow'),
      () => answered.push('slow failed'),
    )
    run(runner, () => 'fast').then(
      () => answered.push('fast'),
      () => answered.push('fast failed'),
    )
    await clock.advance(10)
    expect(
      answered,
      "the fast job waited for the slow one: handleCall must not wait for the task. Return ['noreply', ...] and answer from handleInfo with GenServer.reply(from, ...)",
    ).toEqual(['fast'])
    await clock.advance(1_000)
    expect(answered, 'the slow job was never answered').toEqual(['fast', 'slow'])
  })
})
