import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import {
  GenServer,
  NoProcError,
  Pid,
  Process,
  type ProcessContext,
  send,
  spawn,
  TIMEOUT,
} from '../index.ts'
import { exitOf, useVirtualNode } from './helpers.ts'

const t = useVirtualNode()

/** Spawns a process that stores every message it receives, in order. */
function spawnCollector(): { pid: Pid; got: unknown[] } {
  const got: unknown[] = []
  const pid = spawn(async (ctx) => {
    for (;;) got.push(await ctx.receive())
  })
  return { pid, got }
}

describe('messages', () => {
  it('arrive in the order one process sent them', async () => {
    const { pid, got } = spawnCollector()
    spawn((ctx) => {
      for (let i = 0; i < 100; i++) ctx.send(pid, i)
    })
    await t.clock.runUntilIdle()
    expect(got).toEqual([...Array(100).keys()])
  })

  it('sent from outside any process are queued until the receiver runs', async () => {
    const { pid, got } = spawnCollector()
    send(pid, 'a')
    send(pid, 'b')
    await t.clock.runUntilIdle()
    expect(got).toEqual(['a', 'b'])
  })

  it('to a dead process are silently dropped', async () => {
    const pid = spawn(() => {})
    await t.clock.runUntilIdle()
    expect(Process.isAlive(pid)).toBe(false)
    expect(() => send(pid, 'lost')).not.toThrow()
    let sentFromProcess = false
    spawn((ctx) => {
      ctx.send(pid, 'lost')
      sentFromProcess = true
    })
    await t.clock.runUntilIdle()
    expect(sentFromProcess).toBe(true)
  })

  it('to a name that is not registered throw NoProcError (Erlang: badarg)', () => {
    expect(() => send('nobody', 'hi')).toThrow(NoProcError)
  })

  it('GenServer.cast to a name that is not registered is silent', () => {
    expect(() => GenServer.cast('nobody', 'hi')).not.toThrow()
  })
})

describe('selective receive', () => {
  it('takes the first matching message and leaves the others in order', async () => {
    const got: unknown[] = []
    const pid = spawn(async (ctx) => {
      await ctx.receive((m) => m === 'go')
      got.push(await ctx.receive((m) => m === 'b'))
      got.push(await ctx.receive())
      got.push(await ctx.receive())
    })
    for (const m of ['a', 'b', 'c', 'go']) send(pid, m)
    await t.clock.runUntilIdle()
    expect(got).toEqual(['b', 'a', 'c'])
  })

  it('skips messages that arrive while it waits and do not match', async () => {
    const got: unknown[] = []
    const pid = spawn(async (ctx) => {
      got.push(await ctx.receive((m) => typeof m === 'number'))
      got.push(await ctx.receive())
    })
    await t.clock.runUntilIdle()
    send(pid, 'x')
    send(pid, 1)
    await t.clock.runUntilIdle()
    expect(got).toEqual([1, 'x'])
  })

  it('takes the first of several matching messages', async () => {
    let got: unknown
    const pid = spawn(async (ctx) => {
      await ctx.receive((m) => m === 'go')
      got = await ctx.receive((m) => typeof m === 'number')
    })
    for (const m of ['a', 2, 3, 'go']) send(pid, m)
    await t.clock.runUntilIdle()
    expect(got).toBe(2)
  })

  it('narrows the message type with a type guard', async () => {
    let got: { n: number } | undefined
    const pid = spawn<unknown>(async (ctx) => {
      const m = await ctx.receive((m): m is { n: number } => typeof m === 'object' && m !== null)
      got = m
    })
    send(pid, { n: 1 })
    await t.clock.runUntilIdle()
    expect(got).toEqual({ n: 1 })
  })
})

describe('receive timeout', () => {
  it('gives up with TIMEOUT after the timeout when nothing matched', async () => {
    let result: unknown
    let at = -1
    const pid = spawn(async (ctx) => {
      result = await ctx.receive((m) => m === 'wanted', { timeout: 100 })
      at = ctx.node.clock.now()
    })
    send(pid, 'unwanted')
    await t.clock.advance(99)
    expect(result).toBeUndefined()
    await t.clock.advance(1)
    expect(result).toBe(TIMEOUT)
    expect(at).toBe(100)
  })

  it('resolves with the message if it arrives in time, and drops the timer', async () => {
    let result: unknown
    const pid = spawn(async (ctx) => {
      result = await ctx.receive({ timeout: 100 })
    })
    await t.clock.advance(50)
    send(pid, 'just in time')
    await t.clock.advance(0)
    expect(result).toBe('just in time')
    expect(t.clock.pendingTimers).toBe(0)
  })

  it('with timeout 0 checks the mailbox once without waiting', async () => {
    const results: unknown[] = []
    spawn(async (ctx) => {
      results.push(await ctx.receive({ timeout: 0 }))
      ctx.send(ctx.self, 'here')
      results.push(await ctx.receive({ timeout: 0 }))
      results.push(await ctx.receive((m) => m === 'absent', { timeout: 0 }))
    })
    await t.clock.settle()
    expect(results).toEqual([TIMEOUT, 'here', TIMEOUT])
    expect(t.clock.now()).toBe(0)
  })

  it("'infinity' waits forever", async () => {
    let result: unknown = 'pending'
    spawn(async (ctx) => {
      result = await ctx.receive({ timeout: 'infinity' })
    })
    await t.clock.advance(1_000_000)
    expect(result).toBe('pending')
  })
})

describe('pids', () => {
  it("print like Erlang's: #PID<0.42.0>", () => {
    const pid = new Pid(0, 42)
    expect(String(pid)).toBe('#PID<0.42.0>')
    expect(JSON.stringify({ pid })).toBe('{"pid":"#PID<0.42.0>"}')
    expect(inspect(pid)).toBe('#PID<0.42.0>')
  })

  it('of a node start with the node index and count up', () => {
    const a = spawn(() => {})
    const b = spawn(() => {})
    expect(String(a)).toBe(`#PID<${t.node.index}.${a.id}.0>`)
    expect(b.id).toBe(a.id + 1)
    expect(a).not.toBe(b)
  })
})

describe('register, whereis, unregister', () => {
  it('register a name that send, whereis and processInfo know', async () => {
    const { pid, got } = spawnCollector()
    Process.register(pid, 'inbox')
    expect(Process.whereis('inbox')).toBe(pid)
    expect(Process.registered()).toContain('inbox')
    expect(Process.processInfo(pid)?.registeredName).toBe('inbox')
    send('inbox', 'hello')
    await t.clock.runUntilIdle()
    expect(got).toEqual(['hello'])
  })

  it('unregister removes the name; a second unregister returns false', () => {
    const { pid } = spawnCollector()
    Process.register(pid, 'inbox')
    expect(Process.unregister('inbox')).toBe(true)
    expect(Process.whereis('inbox')).toBeUndefined()
    expect(Process.processInfo(pid)?.registeredName).toBeUndefined()
    expect(Process.unregister('inbox')).toBe(false)
  })

  it('a process registers itself with ctx.register; the name goes when it exits', async () => {
    const pid = spawn(async (ctx) => {
      ctx.register('me')
      await ctx.receive()
    })
    await t.clock.runUntilIdle()
    expect(Process.whereis('me')).toBe(pid)
    send('me', 'stop')
    await t.clock.runUntilIdle()
    expect(Process.whereis('me')).toBeUndefined()
    expect(Process.registered()).not.toContain('me')
  })

  it('refuses a name taken by another process, and a second name for one process', () => {
    const a = spawnCollector().pid
    const b = spawnCollector().pid
    Process.register(a, 'taken')
    expect(() => Process.register(b, 'taken')).toThrow(/already registered/)
    expect(() => Process.register(a, 'other')).toThrow(/already registered as 'taken'/)
    expect(Process.whereis('taken')).toBe(a)
  })

  it('refuses to register a dead process', async () => {
    const pid = spawn(() => {})
    await t.clock.runUntilIdle()
    expect(() => Process.register(pid, 'ghost')).toThrow(NoProcError)
  })
})

describe('sendAfter and cancelTimer (virtual clock)', () => {
  it('delivers the message after exactly that many ms', async () => {
    const { pid, got } = spawnCollector()
    Process.sendAfter(pid, 'tick', 1000)
    await t.clock.advance(999)
    expect(got).toEqual([])
    await t.clock.advance(1)
    expect(got).toEqual(['tick'])
  })

  it('timers with equal deadlines fire in the order they were set', async () => {
    const { pid, got } = spawnCollector()
    Process.sendAfter(pid, 'second', 20)
    Process.sendAfter(pid, 'first', 10)
    Process.sendAfter(pid, 'third', 20)
    await t.clock.runUntilIdle()
    expect(got).toEqual(['first', 'second', 'third'])
  })

  it('cancelTimer stops it and returns the ms that were left; then false', async () => {
    const { pid, got } = spawnCollector()
    const ref = Process.sendAfter(pid, 'tick', 1000)
    await t.clock.advance(300)
    expect(t.node.readTimer(ref)).toBe(700)
    expect(Process.cancelTimer(ref)).toBe(700)
    expect(Process.cancelTimer(ref)).toBe(false)
    expect(t.node.readTimer(ref)).toBe(false)
    await t.clock.advance(5000)
    expect(got).toEqual([])
  })

  it('cancelTimer after the timer fired returns false', async () => {
    const { pid } = spawnCollector()
    const ref = Process.sendAfter(pid, 'tick', 10)
    await t.clock.advance(10)
    expect(Process.cancelTimer(ref)).toBe(false)
  })

  it('resolves a name when the timer fires, and drops the message if nobody has it', async () => {
    const { pid, got } = spawnCollector()
    Process.sendAfter('later', 'one', 10)
    Process.sendAfter('later', 'two', 20)
    await t.clock.advance(10)
    Process.register(pid, 'later')
    await t.clock.advance(10)
    expect(got).toEqual(['two'])
  })

  it('a message for a process that died meanwhile is dropped', async () => {
    const pid = spawn(async (ctx) => {
      await ctx.receive()
    })
    Process.sendAfter(pid, 'tick', 10)
    Process.exit(pid, 'kill')
    await expect(t.clock.advance(10)).resolves.toBeUndefined()
  })
})

describe('processInfo', () => {
  it('reports status, mailbox length, message count, links, monitors and names', async () => {
    let statusInside: string | undefined
    let ctxOf!: ProcessContext
    const watched = spawnCollector().pid
    const pid = spawn(async (ctx) => {
      ctxOf = ctx
      statusInside = Process.processInfo(ctx.self)?.status
      ctx.register('subject')
      ctx.trapExit(true)
      ctx.monitor(watched)
      ctx.spawnLink(async (c) => {
        await c.receive()
      })
      await ctx.receive((m) => m === 'go')
    })
    expect(Process.processInfo(pid)?.status).toBe('runnable')
    await t.clock.runUntilIdle()
    send(pid, 'one')
    send(pid, 'two')
    const info = Process.processInfo(pid)!
    expect(statusInside).toBe('running')
    expect(info.status).toBe('waiting')
    expect(info.pid).toBe(pid)
    expect(info.registeredName).toBe('subject')
    expect(info.messageQueueLength).toBe(2)
    expect(info.messageCount).toBe(2)
    expect(info.links).toHaveLength(1)
    expect(Process.processInfo(info.links[0])?.parent).toBe(pid)
    expect(info.monitors).toEqual([watched])
    expect(Process.processInfo(watched)?.monitoredBy).toEqual([pid])
    expect(info.trapExit).toBe(true)
    expect(info.behaviour).toBe('process')
    expect(info.parent).toBeUndefined()
    expect(ctxOf.self).toBe(pid)
  })

  it('is undefined for a process that has exited', async () => {
    const pid = spawn(() => {})
    await t.clock.runUntilIdle()
    expect(Process.processInfo(pid)).toBeUndefined()
    expect(Process.list()).not.toContain(pid)
  })
})

describe('process bodies', () => {
  it('end with reason normal when the body returns, sync or async', async () => {
    const sync = exitOf(spawn(() => 42))
    const async = exitOf(
      spawn(async () => {
        await Promise.resolve()
      }),
    )
    await t.clock.runUntilIdle()
    expect(sync).toEqual({ exited: true, reason: 'normal' })
    expect(async).toEqual({ exited: true, reason: 'normal' })
  })

  it('start after the spawner carries on (spawn returns before the body runs)', async () => {
    const order: string[] = []
    spawn((ctx) => {
      ctx.spawn(() => {
        order.push('child')
      })
      order.push('parent')
    })
    await t.clock.runUntilIdle()
    expect(order).toEqual(['parent', 'child'])
  })

  it('spawnMonitor starts a process and delivers its DOWN', async () => {
    let down: unknown
    let started: unknown[] = []
    spawn(async (ctx) => {
      started = ctx.spawnMonitor(() => {
        throw new Error('boom')
      })
      down = await ctx.receive()
    })
    await t.clock.runUntilIdle()
    const [pid, ref] = started
    expect(down).toMatchObject({ type: 'DOWN', ref, pid, reason: new Error('boom') })
  })

  it('node.list shows live processes', async () => {
    const a = spawnCollector().pid
    const b = spawn(() => {})
    await t.clock.runUntilIdle()
    expect(Process.list()).toEqual([a])
    expect(Process.list()).not.toContain(b)
  })
})
