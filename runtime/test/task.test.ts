import { describe, expect, it } from 'vitest'
import {
  CallTimeoutError,
  ExitError,
  type Pid,
  Process,
  type ProcessContext,
  type ProcessInfo,
  Supervisor,
  spawn,
  Task,
  TIMEOUT,
} from '../index.ts'
import { exitOf, ok, useVirtualNode } from './helpers.ts'

const t = useVirtualNode()

interface Run<T> {
  pid: Pid
  done: boolean
  value?: T
  error?: unknown
}

/** Runs `body` in a process; its return value or thrown error shows up on the result. */
function run<T>(body: (ctx: ProcessContext) => Promise<T>): Run<T> {
  const result = { done: false } as Run<T>
  result.pid = spawn(async (ctx) => {
    try {
      result.value = await body(ctx)
    } catch (error) {
      result.error = error
      throw error
    } finally {
      result.done = true
    }
  })
  return result
}

/** A task body that waits `ms` on the virtual clock, then returns `value`. */
const finishAfter =
  <T>(ms: number, value: T) =>
  async (ctx: ProcessContext) => {
    await ctx.receive(() => false, { timeout: ms })
    return value
  }

const boom = new Error('boom')

describe('Task.async', () => {
  it('runs fn in a new process, linked to and monitored by the caller, and await returns its result', async () => {
    let ranIn: Pid | undefined
    let task: Task.Task<number> | undefined
    let info: ProcessInfo | undefined
    const r = run(async (ctx) => {
      task = Task.async(ctx, (taskCtx) => {
        ranIn = taskCtx.self
        return 42
      })
      info = Process.processInfo(ctx.self)
      const result = await Task.await(task)
      // Nothing of the task is left behind: no DOWN follows its reply.
      return [result, await ctx.receive({ timeout: 100 })]
    })
    await t.clock.runUntilIdle()
    expect(r.value).toEqual([42, TIMEOUT])
    expect(ranIn).toBe(task!.pid)
    expect(task!.owner).toBe(r.pid)
    expect(info!.links).toContain(task!.pid)
    expect(info!.monitors).toContain(task!.pid)
  })

  it('accepts an async fn', async () => {
    const r = run(async (ctx) => Task.await(Task.async(ctx, finishAfter(1000, 'slow'))))
    await t.clock.advance(1000)
    expect(r.value).toBe('slow')
  })

  it('takes the caller down with the same reason when the task crashes', async () => {
    const r = run(async (ctx) => {
      Task.async(ctx, () => {
        throw boom
      })
      await ctx.receive()
    })
    const caller = exitOf(r.pid)
    await t.clock.runUntilIdle()
    expect(caller).toEqual({ exited: true, reason: boom })
  })

  it('makes await fail with the task reason in a caller that traps exits', async () => {
    const r = run(async (ctx) => {
      ctx.trapExit(true)
      return Task.await(Task.async(ctx, () => Promise.reject(boom)))
    })
    await t.clock.runUntilIdle()
    expect(r.error).toBeInstanceOf(ExitError)
    expect((r.error as ExitError).reason).toBe(boom)
    expect((r.error as ExitError).call?.fn).toBe('Task.await')
    expect(Process.isAlive(r.pid)).toBe(false) // the body rethrew; it was not killed by the link
  })
})

describe('Task.await timeout', () => {
  it('fails with timeout after 5 s by default; the task still finishes, and nothing of it arrives later', async () => {
    let finished = false
    let failedAt: number | undefined
    const r = run(async (ctx) => {
      const task = Task.async(ctx, async (taskCtx) => {
        await finishAfter(8000, null)(taskCtx)
        finished = true
        return 'late'
      })
      try {
        await Task.await(task)
      } catch (error) {
        failedAt = t.clock.now()
        expect(error).toBeInstanceOf(CallTimeoutError)
        expect((error as CallTimeoutError).reason).toBe('timeout')
        expect((error as CallTimeoutError).call).toEqual({ fn: 'Task.await', args: [task, 5000] })
      }
      return ctx.receive({ timeout: 20_000 })
    })
    await t.clock.advance(4999)
    expect(failedAt).toBeUndefined()
    await t.clock.advance(30_000)
    expect(failedAt).toBe(5000)
    expect(finished).toBe(true)
    expect(r.value).toBe(TIMEOUT) // no reply, no DOWN
  })

  it('crashes the caller when uncaught, and the linked task goes down with it', async () => {
    let taskPid: Pid | undefined
    const r = run(async (ctx) => {
      const task = Task.async(ctx, (taskCtx) => taskCtx.receive())
      taskPid = task.pid
      await Task.await(task, 1000)
    })
    const caller = exitOf(r.pid)
    await t.clock.advance(0)
    const task = exitOf(taskPid!)
    await t.clock.advance(1000)
    expect(caller.reason).toBeInstanceOf(CallTimeoutError)
    expect(task.reason).toBe(caller.reason)
  })
})

describe('Task.yield', () => {
  it('returns undefined while the task runs, then its result', async () => {
    const seen: unknown[] = []
    run(async (ctx) => {
      const task = Task.async(ctx, finishAfter(3000, 'done'))
      seen.push(await Task.yield(task, 1000), t.clock.now())
      seen.push(await Task.yield(task), t.clock.now())
    })
    await t.clock.advance(10_000)
    expect(seen).toEqual([undefined, 1000, ['ok', 'done'], 3000])
  })

  it("returns ['exit', reason] for a task that died", async () => {
    const r = run(async (ctx) => {
      ctx.trapExit(true)
      return Task.yield(Task.async(ctx, () => Promise.reject(boom)))
    })
    await t.clock.runUntilIdle()
    expect(r.value).toEqual(['exit', boom])
  })
})

describe('Task.shutdown', () => {
  it('stops a running task with shutdown, without taking the caller down', async () => {
    let taskPid: Pid | undefined
    const r = run(async (ctx) => {
      const task = Task.async(ctx, (taskCtx) => taskCtx.receive())
      taskPid = task.pid
      await ctx.receive({ timeout: 10 })
      return [await Task.shutdown(task), Process.processInfo(ctx.self)!.links]
    })
    await t.clock.advance(5)
    const task = exitOf(taskPid!)
    await t.clock.runUntilIdle()
    expect(r.value).toEqual([undefined, []])
    expect(task.reason).toBe('shutdown')
    expect(r.error).toBeUndefined()
  })

  it("returns ['ok', result] when the result arrived before the shutdown", async () => {
    const r = run(async (ctx) => {
      const task = Task.async(ctx, () => 7)
      await ctx.receive(() => false, { timeout: 10 })
      return Task.shutdown(task)
    })
    await t.clock.runUntilIdle()
    expect(r.value).toEqual(['ok', 7])
  })

  it("kills a task that ignores shutdown after the timeout (['exit', 'killed']); brutal_kill kills at once", async () => {
    const stubborn = async (ctx: ProcessContext) => {
      ctx.trapExit(true)
      await ctx.receive(() => false)
    }
    const results: unknown[] = []
    run(async (ctx) => {
      const first = Task.async(ctx, stubborn)
      await ctx.receive(() => false, { timeout: 0 }) // lets the task start and trap exits
      results.push(await Task.shutdown(first, 1000), t.clock.now())
      const second = Task.async(ctx, stubborn)
      await ctx.receive(() => false, { timeout: 0 })
      results.push(await Task.shutdown(second, 'brutal_kill'), t.clock.now())
    })
    await t.clock.runUntilIdle()
    expect(results).toEqual([['exit', 'killed'], 1000, undefined, 1000])
  })

  it("returns ['exit', 'noproc'] for a task already awaited", async () => {
    const r = run(async (ctx) => {
      const task = Task.async(ctx, () => 1)
      await Task.await(task)
      return Task.shutdown(task)
    })
    await t.clock.runUntilIdle()
    expect(r.value).toEqual(['exit', 'noproc'])
  })
})

describe('Task.awaitMany and Task.yieldMany', () => {
  it('awaitMany returns every result in the order of the tasks', async () => {
    const r = run(async (ctx) =>
      Task.awaitMany([
        Task.async(ctx, finishAfter(300, 'a')),
        Task.async(ctx, finishAfter(100, 'b')),
      ]),
    )
    await t.clock.advance(300)
    expect(r.value).toEqual(['a', 'b'])
  })

  it('awaitMany fails when the timeout for all of them passes, and nothing arrives later', async () => {
    const r = run(async (ctx) => {
      const tasks = [
        Task.async(ctx, finishAfter(1000, 'a')),
        Task.async(ctx, finishAfter(9000, 'b')),
      ]
      const error = await Task.awaitMany(tasks, 5000).catch((e: unknown) => e)
      return [error, t.clock.now(), await ctx.receive({ timeout: 10_000 })]
    })
    await t.clock.advance(20_000)
    const [error, at, later] = r.value as [CallTimeoutError, number, unknown]
    expect(error).toBeInstanceOf(CallTimeoutError)
    expect(error.call?.fn).toBe('Task.awaitMany')
    expect(at).toBe(5000)
    expect(later).toBe(TIMEOUT)
  })

  it('yieldMany gives each result, or undefined for tasks still running', async () => {
    let tasks: Task.Task<string>[] = []
    const r = run(async (ctx) => {
      tasks = [Task.async(ctx, finishAfter(100, 'a')), Task.async(ctx, finishAfter(9000, 'b'))]
      return Task.yieldMany(tasks, 1000)
    })
    await t.clock.advance(1000)
    expect(r.value).toEqual([
      [tasks[0], ['ok', 'a']],
      [tasks[1], undefined],
    ])
  })
})

describe('Task.async outside any process', () => {
  it('starts an unlinked task that can be awaited directly', async () => {
    const task = Task.async(() => 5)
    expect(task.owner).toBe(t.node.host)
    const result = Task.await(task)
    await t.clock.runUntilIdle()
    expect(await result).toBe(5)
    expect(Process.processInfo(task.pid)).toBeUndefined()
  })

  it('rejects await with the reason of a crashed task', async () => {
    const result = Task.await(Task.async(() => Promise.reject(boom))).catch((e: unknown) => e)
    await t.clock.runUntilIdle()
    expect(await result).toMatchObject({ reason: boom, call: { fn: 'Task.await' } })
  })

  it('times out after 5 s by default, and a late reply never shows up', async () => {
    const task = Task.async(finishAfter(8000, 'late'))
    const result = Task.await(task).catch((e: unknown) => e)
    await t.clock.advance(5000)
    expect(await result).toBeInstanceOf(CallTimeoutError)
    await t.clock.advance(10_000)
    expect(Process.isAlive(task.pid)).toBe(false)
    const yielded = Task.yield(task, 0)
    expect(await yielded).toBeUndefined()
  })

  it('yields nothing, then the result', async () => {
    const task = Task.async(finishAfter(3000, 'x'))
    const first = Task.yield(task, 1000)
    await t.clock.advance(1000)
    expect(await first).toBeUndefined()
    const second = Task.yield(task, 5000)
    await t.clock.advance(2000)
    expect(await second).toEqual(['ok', 'x'])
  })
})

describe('Task.start, Task.startLink and Task.childSpec', () => {
  it('start runs fn in an unlinked process', async () => {
    let ran = false
    const [tag, pid] = Task.start(async (ctx) => {
      ran = true
      await ctx.receive()
    })
    await t.clock.runUntilIdle()
    expect(tag).toBe('ok')
    expect(ran).toBe(true)
    expect(Process.processInfo(pid)).toMatchObject({ behaviour: 'Task', links: [] })
  })

  it('startLink links the task to its parent, so its crash takes the parent down', async () => {
    const r = run(async (ctx) => {
      Task.startLink(
        () => {
          throw boom
        },
        { parent: ctx },
      )
      await ctx.receive()
    })
    const parent = exitOf(r.pid)
    await t.clock.runUntilIdle()
    expect(parent.reason).toBe(boom)
  })

  it('childSpec runs fn as a temporary child of a supervisor', async () => {
    let ran = 0
    const sup = ok(
      await Supervisor.startLink(
        [
          [
            Task,
            () => {
              ran++
              throw boom
            },
          ],
        ],
        { strategy: 'one_for_one' },
      ),
    )
    await t.clock.runUntilIdle()
    expect(ran).toBe(1) // temporary: not restarted after its crash
    expect(await Supervisor.whichChildren(sup)).toEqual([])
    expect(Task.childSpec(() => 1)).toMatchObject({ id: 'Task', restart: 'temporary' })
  })
})

describe('Task bad input', () => {
  it('rejects a missing ctx or fn with TypeErrors', async () => {
    expect(() => Task.async('ctx' as unknown as ProcessContext, () => 1)).toThrow(
      /Expected `ctx` to be a process context/,
    )
    const r = run(async (ctx) => Task.async(ctx, 42 as unknown as () => number))
    await t.clock.runUntilIdle()
    expect(r.error).toEqual(new TypeError('Expected `fn` to be a function, got `42` (number)'))
    expect(() => Task.start(null as unknown as () => void)).toThrow(TypeError)
    expect(() => Task.startLink(() => 1, { link: true } as object)).toThrow(/Unknown option `link`/)
    expect(() => Task.childSpec('x' as unknown as () => void)).toThrow(TypeError)
  })

  it('rejects a non-task, a bad timeout and tasks of different owners', async () => {
    const task = Task.async(() => 1)
    await expect(Task.await({} as Task.Task)).rejects.toThrow(
      'Expected `task` to be a Task (from Task.async), got `{}` (object)',
    )
    await expect(Task.await(task, -1)).rejects.toThrow(
      "Expected `timeout` to be a non-negative integer or 'infinity', got `-1` (number)",
    )
    await expect(Task.yield(task, 'soon' as unknown as number)).rejects.toThrow(TypeError)
    await expect(Task.shutdown(task, 'soon' as unknown as number)).rejects.toThrow(TypeError)
    await expect(Task.awaitMany('x' as unknown as Task.Task[])).rejects.toThrow(TypeError)
    let mixed: Promise<unknown> | undefined
    run(async (ctx) => {
      mixed = Task.awaitMany([task, Task.async(ctx, () => 2)]).catch((e: unknown) => e)
    })
    await t.clock.runUntilIdle()
    expect(await mixed).toEqual(
      new TypeError(
        'Expected `tasks` to belong to one owner; a process can only wait for its own tasks',
      ),
    )
  })
})
