/**
 * Crash containment: nothing user code throws, in any process, reaches the host program. Each
 * crash becomes an exit reason and a crash report to the logger; other processes carry on.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  type CrashReport,
  exit,
  GenServer,
  type Pid,
  Process,
  type ProcessContext,
  send,
  setLogger,
  spawn,
} from '../index.ts'
import { exitOf, ok, useVirtualNode } from './helpers.ts'

const t = useVirtualNode()

let reports: CrashReport[]
let hostErrors: unknown[]
let previousLogger: ReturnType<typeof setLogger>
const onHostError = (error: unknown) => hostErrors.push(error)

beforeEach(() => {
  reports = []
  hostErrors = []
  previousLogger = setLogger((report) => reports.push(report))
  process.on('unhandledRejection', onHostError)
  process.on('uncaughtException', onHostError)
})

afterEach(async () => {
  // Give Node a few turns to report anything that escaped.
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve))
  process.off('unhandledRejection', onHostError)
  process.off('uncaughtException', onHostError)
  setLogger(previousLogger)
  expect(hostErrors).toEqual([])
})

/** A process that answers pings, to show the scheduler keeps running after a crash. */
function spawnPonger(): Pid {
  return spawn(async (ctx) => {
    for (;;) {
      const m = (await ctx.receive()) as { ping: Pid }
      ctx.send(m.ping, 'pong')
    }
  })
}

/** Proves processes still run: a fresh process pings `ponger` and gets an answer. */
async function schedulerStillRuns(ponger: Pid): Promise<void> {
  let answer: unknown
  spawn(async (ctx) => {
    ctx.send(ponger, { ping: ctx.self })
    answer = await ctx.receive()
  })
  await t.clock.runUntilIdle()
  expect(answer).toBe('pong')
}

const boom = () => new Error('boom')

const idle = async (ctx: ProcessContext) => {
  await ctx.receive(() => false)
}

describe('a crashing process body', () => {
  it.each<[string, (ctx: ProcessContext) => unknown]>([
    [
      'a sync throw',
      () => {
        throw boom()
      },
    ],
    [
      'an async rejection',
      async () => {
        await Promise.resolve()
        throw boom()
      },
    ],
    ['a rejected promise returned by a sync body', () => Promise.reject(boom())],
    [
      'a throw inside a receive match function (message already there)',
      async (ctx) => {
        ctx.send(ctx.self, 'x')
        await ctx.receive(() => {
          throw boom()
        })
      },
    ],
    [
      'a throw inside a receive match function (message arriving later)',
      async (ctx) => {
        ctx.node.sendAfter(ctx.self, 'x', 10)
        await ctx.receive(() => {
          throw boom()
        })
      },
    ],
  ])('%s ends the process with the error and a crash report, nothing else', async (_, body) => {
    const ponger = spawnPonger()
    const pid = spawn(async (ctx) => {
      ctx.register('crasher')
      await body(ctx)
    })
    const ended = exitOf(pid)
    await t.clock.runUntilIdle()
    expect((ended.reason as Error).message).toBe('boom')
    expect(reports).toHaveLength(1)
    const [report] = reports
    expect(report.kind).toBe('crash')
    expect(report.pid).toBe(pid)
    expect(report.name).toBe('crasher')
    expect(report.behaviour).toBe('process')
    expect(report.reason).toBe(ended.reason)
    expect(report.stack).toMatch(/Error: boom\n\s+at /)
    expect(report.message).toMatch(/crasher.*crashed: Error: boom/)
    await schedulerStillRuns(ponger)
  })

  it.each<[string, unknown]>([
    ['a string', 'just a string'],
    ['a number', 42],
    ['null', null],
    ['undefined', undefined],
    ['a plain object', { code: 'E_BAD' }],
  ])('throwing %s (not an Error) is contained, reported without a stack', async (_, value) => {
    const ponger = spawnPonger()
    const pid = spawn(() => {
      throw value
    })
    const ended = exitOf(pid)
    await t.clock.runUntilIdle()
    expect(ended).toEqual({ exited: true, reason: value })
    expect(reports).toHaveLength(1)
    expect(reports[0]).toMatchObject({ kind: 'crash', pid, reason: value, stack: undefined })
    await schedulerStillRuns(ponger)
  })

  it('ctx.exit(reason) is an exit, not a crash: nothing is reported', async () => {
    const ended = exitOf(
      spawn(async (ctx) => {
        await ctx.receive({ timeout: 1 })
        ctx.exit('my reason')
      }),
    )
    await t.clock.runUntilIdle()
    expect(ended.reason).toBe('my reason')
    expect(reports).toEqual([])
  })

  it('a reason that cannot even be printed is still contained and reported', async () => {
    const hostile = Object.create(null)
    hostile.toJSON = () => {
      throw new Error('no printing me')
    }
    const ponger = spawnPonger()
    const ended = exitOf(
      spawn(() => {
        throw hostile
      }),
    )
    await t.clock.runUntilIdle()
    expect(ended.reason).toBe(hostile)
    expect(reports).toHaveLength(1)
    expect(reports[0].message).toContain('[object Object]')
    await schedulerStillRuns(ponger)
  })

  it('a match function that throws on an EXIT message, mid-way through a chain of exits', async () => {
    let trapper!: Pid
    const root = spawn(async (ctx) => {
      trapper = ctx.spawnLink(async (c) => {
        c.trapExit(true)
        c.spawnLink(idle)
        await c.receive((m) => {
          if ((m as { type?: string }).type === 'EXIT') throw new Error('match broke')
          return false
        })
      })
      await ctx.receive()
      throw boom()
    })
    await t.clock.runUntilIdle()
    const trapperEnd = exitOf(trapper)
    send(root, 'go')
    await t.clock.runUntilIdle()
    expect((trapperEnd.reason as Error).message).toBe('match broke')
    expect(reports.map((r) => (r.reason as Error).message)).toEqual(['boom', 'match broke'])
    expect(Process.list()).toEqual([])
  })

  it('linked processes taken down by a crash are not reported again', async () => {
    let linked!: Pid
    spawn(async (ctx) => {
      linked = ctx.spawnLink(async (c) => {
        await c.receive()
      })
      await ctx.receive({ timeout: 1 })
      throw boom()
    })
    await t.clock.runUntilIdle()
    expect(Process.isAlive(linked)).toBe(false)
    expect(reports).toHaveLength(1)
  })

  it('a killed process that throws afterwards reaches nobody', async () => {
    let release!: () => void
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const pid = spawn(async (ctx) => {
      await gate
      ctx.send(ctx.self, 'I am dead') // throws ProcessExitedError
    })
    await t.clock.runUntilIdle()
    exit(pid, 'kill')
    release()
    await t.clock.runUntilIdle()
    expect(reports).toEqual([])
  })

  it('a logger that throws does not break the runtime', async () => {
    setLogger(() => {
      throw new Error('logger broke')
    })
    const ponger = spawnPonger()
    const ended = exitOf(
      spawn(() => {
        throw boom()
      }),
    )
    await t.clock.runUntilIdle()
    expect(ended.exited).toBe(true)
    await schedulerStillRuns(ponger)
  })
})

describe('a crashing GenServer', () => {
  type Hook = 'handleCall' | 'handleCast' | 'handleInfo' | 'handleContinue'
  function crashingIn(where: Hook, value: unknown = boom()) {
    const fail = async () => {
      await Promise.resolve()
      throw value
    }
    return {
      init: () => ['ok', 'state'],
      handleCall: (_r, _f, s) => (where === 'handleCall' ? fail() : ['reply', 'ok', s]),
      handleCast: (_r, s) => (where === 'handleCast' ? fail() : ['noreply', s]),
      handleInfo: (_m, s) => (where === 'handleInfo' ? fail() : ['noreply', s, ['continue', 1]]),
      handleContinue: (_a, s) => (where === 'handleContinue' ? fail() : ['noreply', s]),
    } satisfies GenServer.Behaviour<string, null>
  }

  it.each<Hook>(['handleCall', 'handleCast', 'handleInfo', 'handleContinue'])(
    'a throw in %s ends the server with a terminating report naming it',
    async (where) => {
      const ponger = spawnPonger()
      const pid = ok(await GenServer.start(crashingIn(where), null, { name: 'server' }))
      const ended = exitOf(pid)
      if (where === 'handleCall') GenServer.call(pid, 'req').catch(() => {})
      if (where === 'handleCast') GenServer.cast(pid, 'req')
      if (where === 'handleInfo' || where === 'handleContinue') send(pid, 'info')
      await t.clock.runUntilIdle()
      expect((ended.reason as Error).message).toBe('boom')
      expect(reports).toHaveLength(1)
      expect(reports[0]).toMatchObject({
        kind: 'terminating',
        pid,
        name: 'server',
        behaviour: 'GenServer',
        reason: ended.reason,
      })
      expect(reports[0].stack).toMatch(/Error: boom/)
      expect(reports[0].details).toMatchObject({ state: 'state' })
      await schedulerStillRuns(ponger)
    },
  )

  it('a non-Error thrown in a callback is contained and reported', async () => {
    const pid = ok(await GenServer.start(crashingIn('handleCast', 'bad state'), null))
    const ended = exitOf(pid)
    GenServer.cast(pid, 'req')
    await t.clock.runUntilIdle()
    expect(ended.reason).toBe('bad state')
    expect(reports).toMatchObject([{ kind: 'terminating', reason: 'bad state', stack: undefined }])
  })

  it('a throw inside init fails the start and is reported, the host is untouched', async () => {
    const ponger = spawnPonger()
    const result = await GenServer.start(
      {
        init: async () => {
          throw boom()
        },
      },
      null,
      { name: 'starting' },
    )
    expect(result[0]).toBe('error')
    expect(reports).toMatchObject([{ kind: 'crash', name: 'starting', behaviour: 'GenServer' }])
    expect(reports[0].stack).toMatch(/Error: boom/)
    await schedulerStillRuns(ponger)
  })

  it('a throw inside terminate becomes the exit reason and is reported', async () => {
    const ponger = spawnPonger()
    const pid = ok(
      await GenServer.start(
        {
          init: () => ['ok', null],
          terminate: () => {
            throw boom()
          },
        },
        null,
      ),
    )
    const ended = exitOf(pid)
    await GenServer.stop(pid).catch(() => {})
    expect((ended.reason as Error).message).toBe('boom')
    expect(reports).toMatchObject([{ kind: 'terminating', pid }])
    await schedulerStillRuns(ponger)
  })

  it('orderly stops (normal, shutdown, { shutdown }) are not reported', async () => {
    for (const reason of ['normal', 'shutdown', { shutdown: 'x' }]) {
      const pid = ok(await GenServer.start({ init: () => ['ok', null] }, null))
      await GenServer.stop(pid, reason)
    }
    expect(reports).toEqual([])
  })

  it('a plain message with no handleInfo is reported as unexpected, and dropped', async () => {
    const pid = ok(await GenServer.start({ init: () => ['ok', null] }, null))
    send(pid, 'stray')
    await t.clock.runUntilIdle()
    expect(reports).toMatchObject([{ kind: 'unexpected', pid, details: { message: 'stray' } }])
    expect(Process.isAlive(pid)).toBe(true)
  })
})
