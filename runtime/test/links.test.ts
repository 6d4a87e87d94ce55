import { describe, expect, it } from 'vitest'
import {
  ExitError,
  type ExitMessage,
  exit,
  NoProcError,
  type Pid,
  Process,
  type ProcessContext,
  ProcessExitedError,
  send,
  spawn,
  TIMEOUT,
} from '../index.ts'
import { exitOf, useVirtualNode } from './helpers.ts'

const t = useVirtualNode()

/** A body that waits forever. */
const idle = async (ctx: ProcessContext) => {
  await ctx.receive(() => false)
}

/** Spawns a process that traps exits and keeps every message it gets. */
function spawnTrapper(setup: (ctx: ProcessContext) => void = () => {}): {
  pid: Pid
  got: unknown[]
} {
  const got: unknown[] = []
  const pid = spawn(async (ctx) => {
    ctx.trapExit(true)
    setup(ctx)
    for (;;) got.push(await ctx.receive())
  })
  return { pid, got }
}

describe('links', () => {
  it('a process that ends with reason normal does not take linked processes down', async () => {
    let partner!: Pid
    const pid = spawn((ctx) => {
      partner = ctx.spawnLink(idle)
    })
    const ended = exitOf(pid)
    await t.clock.runUntilIdle()
    expect(ended.reason).toBe('normal')
    expect(Process.isAlive(partner)).toBe(true)
    expect(Process.processInfo(partner)?.links).toEqual([])
  })

  it('any other reason takes down every non-trapping linked process, with the same reason', async () => {
    const boom = new Error('boom')
    const pids: Pid[] = []
    spawn(async (ctx) => {
      // a chain: root - middle - leaf, plus a second direct link to root
      pids.push(ctx.self)
      pids.push(
        ctx.spawnLink((mid) => {
          pids.push(mid.spawnLink(idle))
          return idle(mid)
        }),
      )
      pids.push(ctx.spawnLink(idle))
      await ctx.receive((m) => m === 'crash')
      throw boom
    })
    await t.clock.runUntilIdle()
    const exits = pids.map(exitOf)
    send(pids[0], 'crash')
    await t.clock.runUntilIdle()
    expect(exits.map((e) => e.reason)).toEqual([boom, boom, boom, boom])
  })

  it("a trapping process gets { type: 'EXIT', from, reason } and lives on", async () => {
    let child!: Pid
    const trapper = spawnTrapper((ctx) => {
      child = ctx.spawnLink(() => {
        throw 'bad'
      })
    })
    await t.clock.runUntilIdle()
    expect(trapper.got).toEqual([
      { type: 'EXIT', from: child, reason: 'bad' } satisfies ExitMessage,
    ])
    expect(Process.isAlive(trapper.pid)).toBe(true)
  })

  it('a trapping process also gets EXIT for a normal exit of a linked process', async () => {
    let child!: Pid
    const trapper = spawnTrapper((ctx) => {
      child = ctx.spawnLink(() => {})
    })
    await t.clock.runUntilIdle()
    expect(trapper.got).toEqual([{ type: 'EXIT', from: child, reason: 'normal' }])
  })

  it('unlink stops the propagation', async () => {
    let child!: Pid
    const pid = spawn(async (ctx) => {
      child = ctx.spawnLink(idle)
      ctx.unlink(child)
      throw new Error('alone')
    })
    const ended = exitOf(pid)
    await t.clock.runUntilIdle()
    expect(ended.exited).toBe(true)
    expect(Process.isAlive(child)).toBe(true)
  })

  it('linking twice is one link; linking to yourself does nothing', async () => {
    const other = spawn(idle)
    const pid = spawn(async (ctx) => {
      ctx.link(other)
      ctx.link(other)
      ctx.link(ctx.self)
      await idle(ctx)
    })
    await t.clock.runUntilIdle()
    expect(Process.processInfo(pid)?.links).toEqual([other])
  })
})

describe("exit(pid, 'kill')", () => {
  it('cannot be trapped: the target ends with reason killed', async () => {
    const trapper = spawnTrapper()
    await t.clock.runUntilIdle()
    const ended = exitOf(trapper.pid)
    exit(trapper.pid, 'kill')
    expect(ended.reason).toBe('killed')
    expect(trapper.got).toEqual([])
  })

  it('linked processes then see reason killed (trapping ones as an EXIT message)', async () => {
    let victim!: Pid
    let bystander!: Pid
    const trapper = spawnTrapper((ctx) => {
      victim = ctx.spawnLink((v) => {
        bystander = v.spawnLink(idle)
        return idle(v)
      })
    })
    await t.clock.runUntilIdle()
    const bystanderEnd = exitOf(bystander)
    exit(victim, 'kill')
    await t.clock.runUntilIdle()
    expect(trapper.got).toEqual([{ type: 'EXIT', from: victim, reason: 'killed' }])
    expect(bystanderEnd.reason).toBe('killed')
  })

  it('exit(self, kill) from inside also ends the caller with killed', async () => {
    let after = false
    const pid = spawn((ctx) => {
      ctx.exit(ctx.self, 'kill')
      after = true
    })
    const ended = exitOf(pid)
    await t.clock.runUntilIdle()
    expect(ended.reason).toBe('killed')
    expect(after).toBe(false)
  })
})

describe("a process exiting itself with reason 'kill'", () => {
  it('sends a trappable kill: non-trapping links die with kill, not killed', async () => {
    let plain!: Pid
    let trapped: unknown[] = []
    const pid = spawn(async (ctx) => {
      plain = ctx.spawnLink(idle)
      trapped = spawnTrapper((c) => c.link(ctx.self)).got
      await ctx.receive((m) => m === 'die')
      ctx.exit('kill')
    })
    await t.clock.runUntilIdle()
    const me = exitOf(pid)
    const plainEnd = exitOf(plain)
    send(pid, 'die')
    await t.clock.runUntilIdle()
    expect(me.reason).toBe('kill')
    expect(plainEnd.reason).toBe('kill')
    expect(trapped).toEqual([{ type: 'EXIT', from: pid, reason: 'kill' }])
  })
})

describe('ctx.exit(reason), Elixir exit/1', () => {
  it('ends the process with the reason; finally blocks run, code after does not', async () => {
    const log: string[] = []
    const pid = spawn(async (ctx) => {
      try {
        await ctx.receive({ timeout: 1 })
        ctx.exit({ shutdown: 'done' })
        log.push('after exit')
      } finally {
        log.push('finally')
      }
    })
    const ended = exitOf(pid)
    await t.clock.runUntilIdle()
    expect(ended.reason).toEqual({ shutdown: 'done' })
    expect(log).toEqual(['finally'])
  })

  it('can be caught, as in Erlang; the process then lives on', async () => {
    let caught: unknown
    const pid = spawn(async (ctx) => {
      try {
        ctx.exit('changed my mind')
      } catch (e) {
        caught = e
      }
      await idle(ctx)
    })
    await t.clock.runUntilIdle()
    expect(caught).toBeInstanceOf(ExitError)
    expect((caught as ExitError).reason).toBe('changed my mind')
    expect(Process.isAlive(pid)).toBe(true)
  })
})

describe("exit(pid, 'normal')", () => {
  it('sent by another process is ignored by a non-trapping target', async () => {
    const target = spawn(idle)
    spawn((ctx) => ctx.exit(target, 'normal'))
    exit(target, 'normal')
    await t.clock.runUntilIdle()
    expect(Process.isAlive(target)).toBe(true)
  })

  it('arrives as an EXIT message at a trapping target', async () => {
    const trapper = spawnTrapper()
    await t.clock.runUntilIdle()
    const sender = spawn((ctx) => ctx.exit(trapper.pid, 'normal'))
    await t.clock.runUntilIdle()
    expect(trapper.got).toEqual([{ type: 'EXIT', from: sender, reason: 'normal' }])
  })

  it('exit(self, normal) ends the caller with reason normal', async () => {
    let after = false
    const pid = spawn((ctx) => {
      ctx.exit(ctx.self, 'normal')
      after = true
    })
    const ended = exitOf(pid)
    await t.clock.runUntilIdle()
    expect(ended.reason).toBe('normal')
    expect(after).toBe(false)
  })

  it('exit(self, normal) in a trapping process arrives as a message instead', async () => {
    const trapper = spawnTrapper((ctx) => ctx.exit(ctx.self, 'normal'))
    await t.clock.runUntilIdle()
    expect(trapper.got).toEqual([{ type: 'EXIT', from: trapper.pid, reason: 'normal' }])
  })

  it('from outside any process comes from the node host pid', async () => {
    const trapper = spawnTrapper()
    await t.clock.runUntilIdle()
    exit(trapper.pid, 'shutdown')
    await t.clock.runUntilIdle()
    expect(trapper.got).toEqual([{ type: 'EXIT', from: t.node.host, reason: 'shutdown' }])
  })

  it('exit(pid, other reason) ends a non-trapping target with that reason', async () => {
    const target = spawn(idle)
    const ended = exitOf(target)
    exit(target, { shutdown: 'bye' })
    expect(ended.reason).toEqual({ shutdown: 'bye' })
  })
})

describe('linking to a dead process', () => {
  it('a non-trapping caller fails with noproc and gets no signal', async () => {
    const dead = spawn(() => {})
    await t.clock.runUntilIdle()
    let error: unknown
    let after: unknown
    const pid = spawn(async (ctx) => {
      try {
        ctx.link(dead)
      } catch (e) {
        error = e
      }
      after = await ctx.receive({ timeout: 0 })
    })
    await t.clock.runUntilIdle()
    expect(error).toBeInstanceOf(NoProcError)
    expect((error as NoProcError).reason).toBe('noproc')
    expect(after).toBe(TIMEOUT)
    expect(Process.isAlive(pid)).toBe(false)
  })

  it('an uncaught noproc crashes the caller', async () => {
    const dead = spawn(() => {})
    await t.clock.runUntilIdle()
    const pid = spawn((ctx) => ctx.link(dead))
    const ended = exitOf(pid)
    await t.clock.runUntilIdle()
    expect(ended.reason).toBeInstanceOf(NoProcError)
  })

  it("a trapping caller gets { type: 'EXIT', from, reason: 'noproc' }", async () => {
    const dead = spawn(() => {})
    await t.clock.runUntilIdle()
    const trapper = spawnTrapper((ctx) => ctx.link(dead))
    await t.clock.runUntilIdle()
    expect(trapper.got).toEqual([{ type: 'EXIT', from: dead, reason: 'noproc' }])
  })
})

describe('a killed process', () => {
  it('never sees its pending receive resolve', async () => {
    let resumed = false
    const pid = spawn(async (ctx) => {
      await ctx.receive({ timeout: 1000 })
      resumed = true
    })
    await t.clock.settle()
    exit(pid, 'kill')
    send(pid, 'too late')
    await t.clock.advance(5000)
    expect(resumed).toBe(false)
    expect(t.clock.pendingTimers).toBe(0)
  })

  it('fails on every runtime call it makes afterwards', async () => {
    let release!: () => void
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const errors: unknown[] = []
    const other = spawn(idle)
    const pid = spawn(async (ctx) => {
      await gate
      const attempts: (() => unknown)[] = [
        () => ctx.send(other, 'hi'),
        () => ctx.receive(),
        () => ctx.spawn(idle),
        () => ctx.spawnLink(idle),
        () => ctx.spawnMonitor(idle),
        () => ctx.link(other),
        () => ctx.unlink(other),
        () => ctx.monitor(other),
        () => ctx.trapExit(true),
        () => ctx.register('ghost'),
        () => ctx.exit(other, 'bye'),
        () => ctx.exit('bye'),
      ]
      for (const attempt of attempts) {
        try {
          attempt()
          errors.push('no error')
        } catch (e) {
          errors.push(e)
        }
      }
    })
    await t.clock.runUntilIdle()
    exit(pid, 'kill')
    release()
    await t.clock.runUntilIdle()
    expect(errors).toHaveLength(12)
    for (const error of errors) {
      expect(error).toBeInstanceOf(ProcessExitedError)
      expect((error as ProcessExitedError).reason).toBe('killed')
    }
    expect(Process.isAlive(other)).toBe(true)
    expect(Process.whereis('ghost')).toBeUndefined()
  })
})

describe('exit signal order', () => {
  it('links get their exit signals before monitors get DOWN', async () => {
    let target!: Pid
    const watcher = spawnTrapper((ctx) => {
      target = ctx.spawn(async (c) => {
        await c.receive()
        throw new Error('boom')
      })
      ctx.monitor(target)
      ctx.link(target)
    })
    await t.clock.runUntilIdle()
    send(target, 'go')
    await t.clock.runUntilIdle()
    expect(watcher.got.map((m) => (m as { type: string }).type)).toEqual(['EXIT', 'DOWN'])
  })

  it('a watcher hears of the crashed process before the linked processes it took down', async () => {
    let linked!: Pid
    const root = spawn(async (ctx) => {
      linked = ctx.spawnLink(idle)
      await ctx.receive()
      throw new Error('boom')
    })
    await t.clock.runUntilIdle()
    const watcher = spawnTrapper((ctx) => {
      ctx.monitor(root)
      ctx.monitor(linked)
    })
    await t.clock.runUntilIdle()
    send(root, 'go')
    await t.clock.runUntilIdle()
    expect(watcher.got.map((m) => (m as { pid: Pid }).pid)).toEqual([root, linked])
  })
})
