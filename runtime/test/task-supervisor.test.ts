import { describe, expect, it } from 'vitest'
import {
  type DownMessage,
  DynamicSupervisor,
  ExitError,
  GenServer,
  type Pid,
  Process,
  type ProcessContext,
  Supervisor,
  spawn,
  Task,
} from '../index.ts'
import { exitOf, ok, useVirtualNode } from './helpers.ts'

const t = useVirtualNode()

interface Run<T> {
  pid: Pid
  value?: T
  error?: unknown
}

/** Runs `body` in a process; its return value or thrown error shows up on the result. */
function run<T>(body: (ctx: ProcessContext) => Promise<T>): Run<T> {
  const result = {} as Run<T>
  result.pid = spawn(async (ctx) => {
    try {
      result.value = await body(ctx)
    } catch (error) {
      result.error = error
      throw error
    }
  })
  return result
}

const boom = new Error('boom')
const crash = () => {
  throw boom
}
const isDown = (m: unknown): m is DownMessage => (m as DownMessage)?.type === 'DOWN'

describe('Task.Supervisor.asyncNolink', () => {
  it('does not take the caller down when the task crashes; the caller gets a DOWN', async () => {
    const sup = ok(await Task.Supervisor.startLink({ name: 'jobs' }))
    let task: Task.Task | undefined
    let down: DownMessage | undefined
    const caller = spawn(async (ctx) => {
      task = await Task.Supervisor.asyncNolink(ctx, 'jobs', crash)
      down = await ctx.receive(isDown)
      await ctx.receive()
    })
    await t.clock.runUntilIdle()
    expect(Process.isAlive(caller)).toBe(true)
    expect(down).toEqual({ type: 'DOWN', ref: task!.ref, pid: task!.pid, reason: boom })
    expect(Process.isAlive(sup)).toBe(true)
  })

  it("makes Task.yield return ['exit', reason] for a crashed task", async () => {
    await Task.Supervisor.startLink({ name: 'jobs' })
    const r = run(async (ctx) => {
      const task = await Task.Supervisor.asyncNolink(ctx, 'jobs', crash)
      return Task.yield(task)
    })
    await t.clock.runUntilIdle()
    expect(r.value).toEqual(['exit', boom])
  })

  it('runs the task as a child of the supervisor, monitored by the caller but not linked to it', async () => {
    const sup = ok(await Task.Supervisor.startLink({ name: 'jobs' }))
    let info: ReturnType<typeof Process.processInfo>
    let children: Pid[] = []
    const r = run(async (ctx) => {
      const task = await Task.Supervisor.asyncNolink(ctx, sup, async (taskCtx) => {
        info = Process.processInfo(taskCtx.self)
        children = await Task.Supervisor.children(sup)
        return 'done'
      })
      return [task.pid, await Task.await(task)]
    })
    await t.clock.runUntilIdle()
    const [taskPid, result] = r.value as [Pid, string]
    expect(result).toBe('done')
    expect(info!.parent).toBe(sup)
    expect(info!.links).toEqual([sup])
    expect(info!.monitoredBy).toEqual([r.pid])
    expect(children).toEqual([taskPid])
    expect(await Task.Supervisor.children(sup)).toEqual([]) // temporary: gone once finished
  })

  it('fails when the supervisor has no room left (max_children)', async () => {
    await Task.Supervisor.startLink({ name: 'jobs', maxChildren: 0 })
    const r = run((ctx) => Task.Supervisor.asyncNolink(ctx, 'jobs', () => 1))
    await t.clock.runUntilIdle()
    expect(r.error).toBeInstanceOf(ExitError)
    expect(r.error).toMatchObject({
      reason: 'max_children',
      call: { fn: 'Task.Supervisor.asyncNolink' },
    })
  })
})

describe('Task.Supervisor.asyncNolink from a GenServer', () => {
  type Outcome = readonly ['ok', unknown] | readonly ['exit', unknown]
  const Runner = {
    init: () => ['ok', [] as Outcome[]],
    async handleCast(fn: () => unknown, outcomes) {
      await Task.Supervisor.asyncNolink(this, 'jobs', fn)
      return ['noreply', outcomes]
    },
    handleCall: (_request: 'outcomes', _from, outcomes) => ['reply', outcomes, outcomes],
    // Elixir's pattern: the reply is `{ref, result}`; a crash arrives as a DOWN.
    handleInfo(message: Task.TaskReply | DownMessage, outcomes) {
      if (isDown(message)) return ['noreply', [...outcomes, ['exit', message.reason]]]
      this.demonitor(message.ref, { flush: true })
      return ['noreply', [...outcomes, ['ok', message.result]]]
    },
  } satisfies GenServer.Behaviour<Outcome[], undefined, 'outcomes', () => unknown, Outcome[]>

  it('gets the result as { ref, result } and a crash as a DOWN in handleInfo, and keeps running', async () => {
    await Task.Supervisor.startLink({ name: 'jobs' })
    const server = ok(await GenServer.start(Runner, undefined))
    GenServer.cast(server, () => 'fine')
    GenServer.cast(server, crash)
    await t.clock.runUntilIdle()
    expect(await GenServer.call(server, 'outcomes')).toEqual([
      ['ok', 'fine'],
      ['exit', boom],
    ])
    expect(Process.processInfo(server)?.messageQueueLength).toBe(0) // no DOWN left after a reply
  })
})

describe('Task.Supervisor.async', () => {
  it('links the task to the caller: a crashing task takes the caller down', async () => {
    await Task.Supervisor.startLink({ name: 'jobs' })
    const r = run(async (ctx) => {
      await Task.Supervisor.async(ctx, 'jobs', async (taskCtx) => {
        await taskCtx.receive(() => false, { timeout: 10 })
        throw boom
      })
      await ctx.receive()
    })
    const caller = exitOf(r.pid)
    await t.clock.runUntilIdle()
    expect(caller.reason).toBe(boom)
  })

  it('delivers the result to Task.await', async () => {
    await Task.Supervisor.startLink({ name: 'jobs' })
    const r = run(async (ctx) => Task.await(await Task.Supervisor.async(ctx, 'jobs', () => 6 * 7)))
    await t.clock.runUntilIdle()
    expect(r.value).toBe(42)
  })
})

describe('Task.Supervisor.startChild and children', () => {
  it('starts a fire-and-forget task that is listed while it runs', async () => {
    const sup = ok(await Task.Supervisor.startLink())
    const [, pid] = await Task.Supervisor.startChild(sup, (ctx) => ctx.receive())
    await t.clock.runUntilIdle()
    expect(await Task.Supervisor.children(sup)).toEqual([pid])
    expect(Process.processInfo(pid as Pid)?.links).toEqual([sup])
    expect(await Task.Supervisor.terminateChild(sup, pid as Pid)).toEqual(['ok'])
    expect(await Task.Supervisor.children(sup)).toEqual([])
  })

  it('stops its running tasks when the supervisor stops', async () => {
    const sup = ok(await Task.Supervisor.startLink())
    const [, pid] = await Task.Supervisor.startChild(sup, (ctx) => ctx.receive())
    const task = exitOf(pid as Pid)
    await DynamicSupervisor.stop(sup)
    expect(task.reason).toBe('shutdown')
  })

  it('can be a child of a supervisor through its childSpec', async () => {
    const root = ok(
      await Supervisor.startLink([[Task.Supervisor, { name: 'jobs' }]], {
        strategy: 'one_for_one',
      }),
    )
    const [child] = await Supervisor.whichChildren(root)
    expect(child).toMatchObject({ id: 'jobs', type: 'supervisor' })
    const [tag] = await Task.Supervisor.startChild('jobs', () => 1)
    expect(tag).toBe('ok')
  })
})

describe('Task.Supervisor bad input', () => {
  it('rejects a missing ctx, a non-function and unknown options with TypeErrors', async () => {
    await Task.Supervisor.startLink({ name: 'jobs' })
    await expect(
      Task.Supervisor.asyncNolink('jobs' as unknown as ProcessContext, 'jobs', () => 1),
    ).rejects.toThrow(/Expected `ctx` to be a process context/)
    expect(() => Task.Supervisor.startChild('jobs', 5 as unknown as () => void)).toThrow(
      'Expected `fn` to be a function, got `5` (number)',
    )
    expect(() =>
      Task.Supervisor.startChild('jobs', () => 1, { restrat: 'permanent' } as object),
    ).toThrow(/Unknown option `restrat`/)
    expect(() => Task.Supervisor.startLink({ strategy: 'one_for_all' } as object)).toThrow(
      /Unknown option `strategy`/,
    )
  })
})
