import { describe, expect, it } from 'vitest'
import {
  type DownMessage,
  exit,
  type Pid,
  Process,
  type ProcessContext,
  type Ref,
  send,
  spawn,
  TIMEOUT,
} from '../index.ts'
import { useVirtualNode } from './helpers.ts'

const t = useVirtualNode()

const idle = async (ctx: ProcessContext) => {
  await ctx.receive(() => false)
}

/** Spawns a process that runs `setup`, then keeps every message it gets. */
function spawnWatcher(setup: (ctx: ProcessContext) => void): { pid: Pid; got: unknown[] } {
  const got: unknown[] = []
  const pid = spawn(async (ctx) => {
    setup(ctx)
    for (;;) got.push(await ctx.receive())
  })
  return { pid, got }
}

describe('Process.monitor', () => {
  it("delivers { type: 'DOWN', ref, pid, reason } when the target ends", async () => {
    const target = spawn(async (ctx) => {
      await ctx.receive()
      throw new Error('boom')
    })
    let ref!: Ref
    const watcher = spawnWatcher((ctx) => {
      ref = ctx.monitor(target)
    })
    await t.clock.runUntilIdle()
    send(target, 'go')
    await t.clock.runUntilIdle()
    expect(watcher.got).toHaveLength(1)
    const down = watcher.got[0] as DownMessage
    expect(down).toMatchObject({ type: 'DOWN', ref, pid: target })
    expect((down.reason as Error).message).toBe('boom')
  })

  it('delivers exactly one DOWN, also with several monitors each getting their own', async () => {
    const target = spawn(idle)
    const refs: Ref[] = []
    const watcher = spawnWatcher((ctx) => {
      refs.push(ctx.monitor(target), ctx.monitor(target))
    })
    await t.clock.runUntilIdle()
    exit(target, 'bye')
    exit(target, 'again')
    await t.clock.runUntilIdle()
    expect(watcher.got).toEqual([
      { type: 'DOWN', ref: refs[0], pid: target, reason: 'bye' },
      { type: 'DOWN', ref: refs[1], pid: target, reason: 'bye' },
    ])
    expect(Process.processInfo(watcher.pid)?.monitors).toEqual([])
  })

  it('does not take the watcher down, whatever the reason', async () => {
    const target = spawn(idle)
    const watcher = spawnWatcher((ctx) => ctx.monitor(target))
    await t.clock.runUntilIdle()
    exit(target, 'kill')
    await t.clock.runUntilIdle()
    expect(Process.isAlive(watcher.pid)).toBe(true)
    expect(watcher.got).toMatchObject([{ type: 'DOWN', reason: 'killed' }])
  })

  it('of an already dead process delivers DOWN with noproc at once', async () => {
    const dead = spawn(() => {})
    await t.clock.runUntilIdle()
    let ref!: Ref
    let first: unknown
    spawn(async (ctx) => {
      ref = ctx.monitor(dead)
      first = await ctx.receive({ timeout: 0 })
    })
    await t.clock.settle()
    expect(first).toEqual({ type: 'DOWN', ref, pid: dead, reason: 'noproc' })
  })

  it('by registered name: the DOWN names the process as { name, node }', async () => {
    const target = spawn(async (ctx) => {
      ctx.register('db')
      await ctx.receive()
    })
    await t.clock.runUntilIdle()
    let ref!: Ref
    const watcher = spawnWatcher((ctx) => {
      ref = ctx.monitor('db')
    })
    await t.clock.runUntilIdle()
    expect(Process.processInfo(watcher.pid)?.monitors).toEqual([target])
    send('db', 'stop')
    await t.clock.runUntilIdle()
    expect(watcher.got).toEqual([
      { type: 'DOWN', ref, pid: { name: 'db', node: 'nonode@nohost' }, reason: 'normal' },
    ])
  })

  it('by a name that is not registered fires noproc at once, naming it', async () => {
    let ref!: Ref
    let first: unknown
    spawn(async (ctx) => {
      ref = ctx.monitor('nobody')
      first = await ctx.receive({ timeout: 0 })
    })
    await t.clock.settle()
    expect(first).toEqual({
      type: 'DOWN',
      ref,
      pid: { name: 'nobody', node: 'nonode@nohost' },
      reason: 'noproc',
    })
  })

  it('ends with the watcher: a dead watcher leaves no monitor behind', async () => {
    const target = spawn(idle)
    const watcher = spawn(async (ctx) => {
      ctx.monitor(target)
      await ctx.receive()
    })
    await t.clock.runUntilIdle()
    expect(Process.processInfo(target)?.monitoredBy).toEqual([watcher])
    exit(watcher, 'kill')
    expect(Process.processInfo(target)?.monitoredBy).toEqual([])
  })
})

describe('Process.demonitor', () => {
  it('before the target ends: no DOWN arrives, and it returns true', async () => {
    const target = spawn(idle)
    let removed: boolean | undefined
    let after: unknown
    const pid = spawn(async (ctx) => {
      const ref = ctx.monitor(target)
      removed = ctx.demonitor(ref)
      await ctx.receive((m) => m === 'check')
      after = await ctx.receive({ timeout: 0 })
    })
    await t.clock.runUntilIdle()
    exit(target, 'bye')
    await t.clock.runUntilIdle()
    send(pid, 'check')
    await t.clock.runUntilIdle()
    expect(removed).toBe(true)
    expect(after).toBe(TIMEOUT)
  })

  it('without flush leaves a DOWN that already arrived; with flush removes it', async () => {
    let refs: Ref[] = []
    const results: unknown[] = []
    const pid = spawn(async (ctx) => {
      refs = [ctx.monitor(ctx.spawn(() => {})), ctx.monitor(ctx.spawn(() => {}))]
      await ctx.receive((m) => m === 'go') // both DOWNs are in the mailbox by then
      results.push(ctx.demonitor(refs[0]), ctx.demonitor(refs[1], { flush: true }))
      results.push(await ctx.receive({ timeout: 0 }), await ctx.receive({ timeout: 0 }))
    })
    await t.clock.runUntilIdle()
    expect(Process.processInfo(pid)?.messageQueueLength).toBe(2)
    send(pid, 'go')
    await t.clock.runUntilIdle()
    // demonitor after the DOWN arrived returns false: the monitor was already gone
    expect(results).toEqual([
      false,
      false,
      expect.objectContaining({ type: 'DOWN', ref: refs[0] }),
      TIMEOUT,
    ])
  })

  it('with flush removes only the DOWN of that monitor', async () => {
    let left: unknown[] = []
    let refs: Ref[] = []
    const pid = spawn(async (ctx) => {
      const a = ctx.spawn(() => {})
      const b = ctx.spawn(() => {})
      refs = [ctx.monitor(a), ctx.monitor(b)]
      await ctx.receive((m) => m === 'go')
      ctx.demonitor(refs[1], { flush: true })
      left = [await ctx.receive({ timeout: 0 }), await ctx.receive({ timeout: 0 })]
    })
    await t.clock.runUntilIdle()
    send(pid, 'go')
    await t.clock.runUntilIdle()
    expect(left).toEqual([expect.objectContaining({ type: 'DOWN', ref: refs[0] }), TIMEOUT])
  })
})
