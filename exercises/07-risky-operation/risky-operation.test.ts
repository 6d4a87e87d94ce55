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
import { t } from '../messages.ts'
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
    t(
      'the runner never answered: when the task is done, handleInfo should answer with GenServer.reply(from, outcome)',
      'runner가 끝내 답하지 않았습니다: 태스크가 끝나면 handleInfo가 GenServer.reply(from, outcome)으로 답해야 합니다',
    ),
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
      t(
        'results come back in the order of the jobs, not in the order they finish',
        '결과는 끝난 순서가 아니라 작업을 준 순서대로 돌아와야 합니다',
      ),
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
    expect(seen, t('every job should have run', '모든 작업이 실행되었어야 합니다')).toHaveLength(3)
    for (const job of seen) {
      expect(
        job.self,
        t(
          "a job ran in the caller's own process: start it with Task.async(ctx, job)",
          '작업이 호출한 쪽의 프로세스에서 실행되었습니다: Task.async(ctx, job)으로 시작하세요',
        ),
      ).not.toBe(caller.pid)
      expect(
        job.links,
        t(
          'a job was not linked to the caller: Task.async(ctx, job) links the task to ctx',
          '작업이 호출한 쪽에 링크되지 않았습니다: Task.async(ctx, job)은 태스크를 ctx에 링크합니다',
        ),
      ).toContain(caller.pid)
    }
    expect(
      new Set(seen.map((job) => job.self)).size,
      t('each job needs its own task', '작업마다 자기 태스크가 있어야 합니다'),
    ).toBe(3)
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
      t(
        'three jobs of 100 ms should take 100 ms together: start every task before you await any of them',
        '100ms짜리 작업 세 개는 모두 합쳐 100ms가 걸려야 합니다: 어느 태스크든 await하기 전에 모든 태스크를 시작하세요',
      ),
    ).toBe(100)
  })

  it('lets a crashing job take the caller down with it (the tasks are linked)', async () => {
    const caller = inProcess((ctx) => inParallel(ctx, [() => 'fine', crash]))
    const exit = exitOf(caller.pid)
    await clock.runUntilIdle()
    if (caller.error) throw caller.error
    expect(
      exit.reason,
      t(
        'the caller should die with the crash of its linked task: use Task.async, not a task that is not linked',
        '링크된 태스크가 크래시하면 호출한 쪽도 함께 죽어야 합니다: 링크되지 않은 태스크가 아니라 Task.async를 쓰세요',
      ),
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
      t(
        'the crash took the caller down: run the operation with Task.Supervisor.asyncNolink(ctx, TASKS, operation)',
        '크래시가 호출한 쪽까지 쓰러뜨렸습니다: Task.Supervisor.asyncNolink(ctx, TASKS, operation)으로 작업을 실행하세요',
      ),
    ).toBe(true)
    expect(
      caller.error,
      t(
        'execute should not throw: a crash is an outcome',
        'execute는 예외를 던지면 안 됩니다: 크래시도 하나의 결과입니다',
      ),
    ).toBeUndefined()
    expect(caller.value).toEqual(['error', boom])
  })

  it('runs the operation in a task of the TASKS supervisor, not linked to the caller', async () => {
    let seen: Seen | undefined
    const caller = inProcess((ctx) => execute(ctx, (task) => (seen = whereItRan(task))))
    await clock.runUntilIdle()
    if (caller.error) throw caller.error
    expect(
      seen?.self,
      t(
        'the operation ran in the caller itself: run it in a task',
        '작업이 호출한 쪽 안에서 실행되었습니다: 태스크에서 실행하세요',
      ),
    ).not.toBe(caller.pid)
    expect(
      seen?.parent,
      t(
        'the task should be a child of the TASKS supervisor: Task.Supervisor.asyncNolink(ctx, TASKS, operation)',
        '태스크는 TASKS 슈퍼바이저의 자식이어야 합니다: Task.Supervisor.asyncNolink(ctx, TASKS, operation)',
      ),
    ).toBe(GenServer.whereis(TASKS))
    expect(
      seen?.links,
      t(
        'the task is linked to the caller: use asyncNolink',
        '태스크가 호출한 쪽에 링크되어 있습니다: asyncNolink를 쓰세요',
      ),
    ).not.toContain(caller.pid)
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
    expect(task, t('the operation never started', '작업이 시작조차 되지 않았습니다')).toBeDefined()
    const taskExit = exitOf(task!)
    expect(
      caller.done,
      t(
        'execute returned before its timeout of 1000 ms',
        'execute가 타임아웃 1000ms가 지나기 전에 반환했습니다',
      ),
    ).toBe(false)
    await clock.advance(1)
    expect(
      caller.value,
      t(
        'after 1000 ms execute should give up: Task.yield(task, timeout)',
        '1000ms가 지나면 execute는 포기해야 합니다: Task.yield(task, timeout)',
      ),
    ).toEqual(['error', 'timeout'])
    expect(
      taskExit.reason,
      t(
        'the slow task was left running: stop it with Task.shutdown(task) when yield gives up',
        '느린 태스크가 계속 실행되고 있습니다: yield가 포기하면 Task.shutdown(task)로 멈추세요',
      ),
    ).toBe('shutdown')
  })

  it('waits 5 seconds when no timeout is given', async () => {
    const slow = (ms: number) => (t: ProcessContext) => sleep(t, ms).then(() => `${ms} ms`)
    const inTime = inProcess((ctx) => execute(ctx, slow(4_999)))
    const tooLate = inProcess((ctx) => execute(ctx, slow(6_000)))
    await clock.advance(5_000)
    expect(
      inTime.value,
      t(
        'an operation of 4999 ms is within the default timeout of 5 s',
        '4999ms짜리 작업은 기본 타임아웃 5초 안에 듭니다',
      ),
    ).toEqual(['ok', '4999 ms'])
    expect(
      tooLate.value,
      t(
        'an operation of 6 s is past the default timeout of 5 s',
        '6초짜리 작업은 기본 타임아웃 5초를 넘습니다',
      ),
    ).toEqual(['error', 'timeout'])
  })
})

describe('task 3: a runner that answers later', () => {
  let runner: Pid

  beforeEach(async () => {
    await Task.Supervisor.startLink({ name: TASKS })
    const started = await GenServer.start(Runner, undefined)
    if (started[0] !== 'ok')
      throw new Error(
        t(
          `Runner did not start: ${String(started)}`,
          `Runner가 시작하지 않았습니다: ${String(started)}`,
        ),
      )
    runner = started[1]
  })

  it("answers ['ok', result] for work that succeeds", async () => {
    expect(await answer(runner, () => 21 * 2)).toEqual(['ok', 42])
  })

  it("answers ['error', reason] for work that crashes, and keeps running", async () => {
    const outcome = await answer(runner, crash).catch((error: { reason?: unknown }) => error)
    expect(
      Process.isAlive(runner),
      t(
        'the runner crashed with its task: start the task with Task.Supervisor.asyncNolink, which does not link it to the runner',
        'runner가 태스크와 함께 크래시했습니다: 태스크를 runner에 링크하지 않는 Task.Supervisor.asyncNolink로 시작하세요',
      ),
    ).toBe(true)
    expect(
      outcome,
      t(
        "a crashed task arrives at the runner as a DOWN message: handle it in handleInfo and reply ['error', reason]",
        "크래시한 태스크는 runner에 DOWN 메시지로 도착합니다: handleInfo에서 처리하고 ['error', reason]으로 답하세요",
      ),
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
      t(
        'the work ran inside the runner itself: start it with Task.Supervisor.asyncNolink(this, TASKS, operation)',
        '작업이 runner 안에서 실행되었습니다: Task.Supervisor.asyncNolink(this, TASKS, operation)으로 시작하세요',
      ),
    ).not.toBe(runner)
    expect(
      seen?.parent,
      t(
        'the task should be a child of the TASKS supervisor',
        '태스크는 TASKS 슈퍼바이저의 자식이어야 합니다',
      ),
    ).toBe(GenServer.whereis(TASKS))
    expect(
      seen?.links,
      t(
        'the task is linked to the runner: use asyncNolink',
        '태스크가 runner에 링크되어 있습니다: asyncNolink를 쓰세요',
      ),
    ).not.toContain(runner)
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
      t(
        "the fast job waited for the slow one: handleCall must not wait for the task. Return ['noreply', ...] and answer from handleInfo with GenServer.reply(from, ...)",
        "빠른 작업이 느린 작업을 기다렸습니다: handleCall은 태스크를 기다리면 안 됩니다. ['noreply', ...]를 반환하고 handleInfo에서 GenServer.reply(from, ...)로 답하세요",
      ),
    ).toEqual(['fast'])
    await clock.advance(1_000)
    expect(
      answered,
      t('the slow job was never answered', '느린 작업이 끝내 답을 받지 못했습니다'),
    ).toEqual(['fast', 'slow'])
  })
})
