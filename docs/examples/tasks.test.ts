import {
  CallTimeoutError,
  type Pid,
  Process,
  type ProcessContext,
  Supervisor,
  spawn,
  Task,
} from 'letitcrash'
import { describe, expect, it } from 'vitest'
import { exitOf, ok, useVirtualNode } from '../../runtime/test/helpers.ts'
import {
  execute,
  lookUpPrice,
  quote,
  remindLater,
  resultWithin,
  sleep,
  TASKS,
} from './tasks.ts'

const t = useVirtualNode()

interface Outcome<T> {
  readonly pid: Pid
  done: boolean
  value?: T
  error?: unknown
}

/** Runs `body` as the body of a new process and records how it ends. */
function inProcess<T>(body: (ctx: ProcessContext) => Promise<T>): Outcome<T> {
  const outcome = { done: false } as {
    -readonly [K in keyof Outcome<T>]: Outcome<T>[K]
  }
  outcome.pid = spawn(async (ctx) => {
    try {
      outcome.value = await body(ctx)
    } catch (error) {
      outcome.error = error
    }
    outcome.done = true
  })
  return outcome
}

describe('chapter 6: Task', () => {
  it('Task.start runs work in the background, linked to nothing', async () => {
    const lines: string[] = []
    const [, pid] = remindLater('water the plants', (line) => lines.push(line))
    expect(Process.processInfo(pid)?.links).toEqual([])
    await t.clock.advance(4999)
    expect(lines).toEqual([])
    await t.clock.advance(1)
    expect(lines).toEqual(['reminder: water the plants'])
  })

  it('Task.async runs lookups at the same time: 300 ms, not 500', async () => {
    const outcome = inProcess((ctx) => quote(ctx, 'rope'))
    await t.clock.advance(299)
    expect(outcome.done).toBe(false)
    await t.clock.advance(1)
    expect(outcome.value).toBe(42)
  })

  it('a task that crashes takes its caller down: they are linked', async () => {
    // #region linked
    const caller = spawn((ctx) => quote(ctx, 'anvil'))
    const exit = exitOf(caller)
    await t.clock.advance(300)
    // The price task crashed, and the link ended the caller with the same reason.
    expect(exit.reason).toEqual(new Error('no price for anvil'))
    // #endregion linked
  })

  it('Task.await gives up after its timeout; the caller may carry on', async () => {
    // #region timeout
    const outcome = inProcess(async (ctx) => {
      const task = Task.async(ctx, (t) => lookUpPrice(t, 'rope'))
      try {
        return await Task.await(task, 100)
      } catch (error) {
        // Left uncaught, this would crash the caller, and the task with it.
        if (!(error instanceof CallTimeoutError)) throw error
        return 'no price in time'
      }
    })
    await t.clock.advance(100)
    expect(outcome.value).toBe('no price in time')
    // #endregion timeout
  })

  it('yield then shutdown: a result in time, or a stopped task', async () => {
    const results: unknown[] = []
    const tasks: Pid[] = []
    spawn(async (ctx) => {
      for (const ms of [500, 100]) {
        const task = Task.async(ctx, (t) => lookUpPrice(t, 'rope'))
        tasks.push(task.pid)
        results.push(await resultWithin(task, ms))
      }
    })
    await t.clock.advance(1000)
    expect(results).toEqual([['ok', 40], undefined])
    expect(tasks.map((pid) => Process.isAlive(pid))).toEqual([false, false])
  })
})

describe('chapter 6: the risky operation', () => {
  it('a crashing operation leaves the caller running; yield says why it failed', async () => {
    // #region risky-test
    await Supervisor.startLink([Task.Supervisor.childSpec({ name: TASKS })], {
      strategy: 'one_for_one',
    })
    const outcome = inProcess(async (ctx) => {
      const task = await execute(ctx, () => {
        throw new Error('the service fell over')
      })
      return Task.yield(task)
    })
    await t.clock.runUntilIdle()
    expect(outcome.value).toEqual(['exit', new Error('the service fell over')])
    // #endregion risky-test
    expect(outcome.error).toBeUndefined()
  })

  it('a task of the task supervisor is its child, not linked to the caller', async () => {
    const sup = ok(
      await Supervisor.startLink([Task.Supervisor.childSpec({ name: TASKS })], {
        strategy: 'one_for_one',
      }),
    )
    let seen: { parent?: Pid; links?: Pid[] } = {}
    const outcome = inProcess(async (ctx) => {
      const task = await execute(ctx, async (t) => {
        await sleep(t, 10)
        return 'it worked'
      })
      const info = Process.processInfo(task.pid)
      seen = { parent: info?.parent, links: info?.links }
      return Task.yield(task)
    })
    await t.clock.runUntilIdle()
    expect(outcome.value).toEqual(['ok', 'it worked'])
    expect(seen.parent).toBe(Process.whereis(TASKS))
    expect(seen.links).toEqual([Process.whereis(TASKS)])
    expect(Process.isAlive(sup)).toBe(true)
  })

  it('the tasks run concurrently with the caller, which can do other work', async () => {
    ok(
      await Supervisor.startLink([Task.Supervisor.childSpec({ name: TASKS })], {
        strategy: 'one_for_one',
      }),
    )
    const outcome = inProcess(async (ctx) => {
      const task = await execute(ctx, () => 'done')
      await sleep(ctx, 50)
      return Task.yield(task, 0)
    })
    await t.clock.advance(50)
    expect(outcome.value).toEqual(['ok', 'done'])
  })
})
