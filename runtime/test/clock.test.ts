import { afterEach, describe, expect, it, vi } from 'vitest'
import { createNode, RealClock, spawn, TIMEOUT, VirtualClock } from '../index.ts'
import { useVirtualNode } from './helpers.ts'

const t = useVirtualNode()

describe('VirtualClock', () => {
  it('stands still until told to move', async () => {
    const clock = new VirtualClock()
    const fired = vi.fn()
    clock.setTimer(10, fired)
    await clock.settle()
    expect(clock.now()).toBe(0)
    expect(fired).not.toHaveBeenCalled()
    expect(clock.pendingTimers).toBe(1)
  })

  it('advance fires due timers in deadline order and ends at the target time', async () => {
    const clock = new VirtualClock()
    const fired: string[] = []
    clock.setTimer(30, () => fired.push(`30 at ${clock.now()}`))
    clock.setTimer(10, () => fired.push(`10 at ${clock.now()}`))
    clock.setTimer(20, () => fired.push(`20 at ${clock.now()}`))
    clock.setTimer(50, () => fired.push('50'))
    await clock.advance(40)
    expect(fired).toEqual(['10 at 10', '20 at 20', '30 at 30'])
    expect(clock.now()).toBe(40)
    expect(clock.pendingTimers).toBe(1)
  })

  it('fires equal deadlines in the order they were set', async () => {
    const clock = new VirtualClock()
    const fired: number[] = []
    for (const n of [1, 2, 3, 4, 5]) clock.setTimer(7, () => fired.push(n))
    await clock.advance(7)
    expect(fired).toEqual([1, 2, 3, 4, 5])
  })

  it('a cancelled timer never fires', async () => {
    const clock = new VirtualClock()
    const fired = vi.fn()
    const timer = clock.setTimer(5, fired)
    clock.cancelTimer(timer)
    expect(clock.pendingTimers).toBe(0)
    await clock.advance(10)
    expect(fired).not.toHaveBeenCalled()
  })

  it('timers set while firing, within the window, fire in the same advance', async () => {
    const clock = new VirtualClock()
    const fired: number[] = []
    clock.setTimer(10, () => {
      fired.push(clock.now())
      clock.setTimer(10, () => fired.push(clock.now()))
    })
    await clock.advance(25)
    expect(fired).toEqual([10, 20])
  })

  it('lets woken processes run to their next wait before the next timer fires', async () => {
    const log: string[] = []
    spawn(async (ctx) => {
      log.push('a waits')
      await ctx.receive({ timeout: 10 })
      log.push(`a woke at ${ctx.node.clock.now()}`)
      ctx.send(ctx.self, 'x')
      await ctx.receive()
      log.push('a got x')
    })
    await t.clock.settle()
    t.node.clock.setTimer(10, () => log.push('timer at 10'))
    await t.clock.advance(10)
    expect(log).toEqual(['a waits', 'a woke at 10', 'a got x', 'timer at 10'])
  })

  it('runUntilIdle fires every pending timer and returns when nothing is left', async () => {
    const woke: number[] = []
    spawn(async (ctx) => {
      for (const ms of [100, 1000, 60_000]) {
        await ctx.receive({ timeout: ms })
        woke.push(ctx.node.clock.now())
      }
    })
    await t.clock.runUntilIdle()
    expect(woke).toEqual([100, 1100, 61_100])
    expect(t.clock.pendingTimers).toBe(0)
  })

  it('runUntilIdle gives up with a clear error on a timer that re-arms forever', async () => {
    spawn(async (ctx) => {
      for (;;) await ctx.receive({ timeout: 1 })
    })
    await expect(t.clock.runUntilIdle({ maxTimers: 50 })).rejects.toThrow(
      /fired 50 timers.*use advance\(ms\) instead/,
    )
  })

  it('a receive timeout reads the node clock, so virtual time drives it', async () => {
    let result: unknown
    spawn(async (ctx) => {
      result = await ctx.receive({ timeout: 3_600_000 })
    })
    await t.clock.advance(3_599_999)
    expect(result).toBeUndefined()
    await t.clock.advance(1)
    expect(result).toBe(TIMEOUT)
  })

  it('each node has its own clock', async () => {
    const other = createNode({ clock: 'virtual' })
    try {
      await (other.clock as VirtualClock).advance(500)
      expect(other.clock.now()).toBe(500)
      expect(t.clock.now()).toBe(0)
      expect(other.clock.virtual).toBe(true)
    } finally {
      other.shutdown()
    }
  })
})

describe('RealClock', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('is the default clock of a node and follows setTimeout', () => {
    vi.useFakeTimers()
    const node = createNode()
    try {
      expect(node.clock).toBeInstanceOf(RealClock)
      expect(node.clock.virtual).toBe(false)
      const fired = vi.fn()
      const cancelled = vi.fn()
      const timer = node.clock.setTimer(100, fired)
      node.clock.cancelTimer(node.clock.setTimer(50, cancelled))
      expect(timer.at).toBeGreaterThanOrEqual(100)
      vi.advanceTimersByTime(99)
      expect(fired).not.toHaveBeenCalled()
      vi.advanceTimersByTime(1)
      expect(fired).toHaveBeenCalledOnce()
      expect(cancelled).not.toHaveBeenCalled()
      expect(node.clock.now()).toBeGreaterThanOrEqual(0)
    } finally {
      node.shutdown()
    }
  })
})
