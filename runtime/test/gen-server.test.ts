import { describe, expect, it } from 'vitest'
import {
  BadReturnError,
  CallTimeoutError,
  ExitError,
  type ExitReason,
  exit,
  GenServer,
  NoProcError,
  type Pid,
  Process,
  type ProcessContext,
  send,
  spawn,
  TIMEOUT,
  type ViaModule,
  type ViaName,
} from '../index.ts'
import { exitOf, ok, useVirtualNode } from './helpers.ts'

const t = useVirtualNode()

type Call = 'get' | { add: number } | 'crash' | 'slow'
type Cast = 'increment' | 'crash'

/** A counter; `log` records the callbacks that ran. */
function counter(log: string[] = []) {
  return {
    init: (start: number) => {
      log.push(`init ${start}`)
      return ['ok', start] as const
    },
    handleCall: async (request, _from, count) => {
      log.push(`call ${JSON.stringify(request)}`)
      if (request === 'crash') throw new Error('call crashed')
      if (request === 'slow') await new Promise((resolve) => setTimeoutVirtual(resolve))
      if (typeof request === 'object') return ['reply', count + request.add, count + request.add]
      return ['reply', count, count]
    },
    handleCast: (request, count) => {
      log.push(`cast ${request}`)
      if (request === 'crash') throw new Error('cast crashed')
      return ['noreply', count + 1]
    },
    handleInfo: (message, count) => {
      log.push(`info ${String(message)}`)
      return ['noreply', count]
    },
    terminate: (reason, count) => {
      log.push(`terminate ${String(reason)} ${count}`)
    },
  } satisfies GenServer.Behaviour<number, number, Call, Cast, number>
}

/** Resolves after 1000 ms of the test node's virtual clock. */
function setTimeoutVirtual(resolve: (value: unknown) => void): void {
  t.node.clock.setTimer(1000, () => resolve(undefined))
}

/** A tiny name service, enough to stand in for `Registry` in via names. */
function tinyVia(): ViaModule & { table: Map<unknown, Pid> } {
  const table = new Map<unknown, Pid>()
  return {
    table,
    registerName(key, pid) {
      if (table.has(key)) return false
      table.set(key, pid)
      return true
    },
    unregisterName: (key) => void table.delete(key),
    whereisName: (key) => table.get(key),
  }
}

/** Settles a promise under the virtual clock and returns its outcome. */
async function outcome<T>(
  promise: Promise<T>,
): Promise<{ value?: T; error?: unknown; pending?: true }> {
  const result: { value?: T; error?: unknown; pending?: true } = { pending: true }
  promise.then(
    (value) => {
      delete result.pending
      result.value = value
    },
    (error) => {
      delete result.pending
      result.error = error
    },
  )
  await t.clock.settle()
  return result
}

describe('GenServer.start', () => {
  it('returns after init has finished, with the pid', async () => {
    const log: string[] = []
    const started = await outcome(
      GenServer.start(
        {
          async init(arg: number) {
            await this.receive({ timeout: 100 })
            log.push('init done')
            return ['ok', arg]
          },
        },
        1,
      ),
    )
    expect(started.pending).toBe(true)
    await t.clock.advance(99)
    expect(log).toEqual([])
    await t.clock.advance(1)
    expect(log).toEqual(['init done'])
    expect(started.value?.[0]).toBe('ok')
    expect(Process.processInfo(ok(started.value!))?.behaviour).toBe('GenServer')
  })

  it("init returning ['ignore'] gives ['ignore'] and the process ends normally", async () => {
    let pid: Pid | undefined
    const result = await GenServer.start(
      {
        init() {
          pid = this.self
          return ['ignore']
        },
      },
      null,
    )
    expect(result).toEqual(['ignore'])
    expect(Process.isAlive(pid!)).toBe(false)
  })

  it("init returning ['stop', reason] fails the start with that reason", async () => {
    const result = await GenServer.start({ init: () => ['stop', 'no_db'] }, null)
    expect(result).toEqual(['error', 'no_db'])
  })

  it('init throwing fails the start with the error', async () => {
    const boom = new Error('init failed')
    const result = await GenServer.start(
      {
        init: () => {
          throw boom
        },
      },
      null,
    )
    expect(result).toEqual(['error', boom])
  })

  it('init returning something else fails the start with a BadReturnError', async () => {
    const result = await GenServer.start({ init: () => 'ok' as never }, null)
    expect(result[0]).toBe('error')
    expect((result as [string, unknown])[1]).toBeInstanceOf(BadReturnError)
  })

  it.each([
    ['stop', { init: () => ['stop', 'no_db'] as const }, 'no_db'],
    [
      'throw',
      {
        init: () => {
          throw 'init threw'
        },
      },
      'init threw',
    ],
  ])(
    'init %s: the process exits with the reason, taking a linked non-trapping starter down',
    async (_, behaviour, reason) => {
      let result: unknown
      const starter = spawn(async (ctx) => {
        result = await GenServer.startLink(behaviour, null, { parent: ctx })
        await ctx.receive()
      })
      const starterEnd = exitOf(starter)
      await t.clock.runUntilIdle()
      expect(result).toEqual(['error', reason])
      expect(starterEnd.reason).toBe(reason)
    },
  )

  it('init stop: a trapping starter gets the error and then an EXIT message', async () => {
    const got: unknown[] = []
    spawn(async (ctx) => {
      ctx.trapExit(true)
      got.push(await GenServer.startLink({ init: () => ['stop', 'no_db'] }, null, { parent: ctx }))
      got.push(await ctx.receive())
    })
    await t.clock.runUntilIdle()
    expect(got).toEqual([
      ['error', 'no_db'],
      expect.objectContaining({ type: 'EXIT', reason: 'no_db' }),
    ])
  })

  it('init ignore does not take a linked starter down', async () => {
    let result: unknown
    const starter = spawn(async (ctx) => {
      result = await GenServer.startLink({ init: () => ['ignore'] }, null, { parent: ctx })
      await ctx.receive()
    })
    await t.clock.runUntilIdle()
    expect(result).toEqual(['ignore'])
    expect(Process.isAlive(starter)).toBe(true)
  })

  it('startLink with a parent links both ways and records the parent', async () => {
    let server!: Pid
    const parent = spawn(async (ctx) => {
      server = ok(await GenServer.startLink(counter(), 0, { parent: ctx }))
      await ctx.receive()
    })
    await t.clock.runUntilIdle()
    expect(Process.processInfo(server)?.links).toEqual([parent])
    expect(Process.processInfo(server)?.parent).toBe(parent)
    expect(Process.processInfo(parent)?.links).toEqual([server])
  })

  it("with options.timeout: an init that takes longer fails with 'timeout' and is killed", async () => {
    let pid: Pid | undefined
    let result: unknown
    const starter = spawn(async (ctx) => {
      result = await GenServer.startLink(
        {
          async init() {
            pid = this.self
            await this.receive()
            return ['ok', null]
          },
        },
        null,
        { parent: ctx, timeout: 100 },
      )
      await ctx.receive()
    })
    await t.clock.advance(99)
    expect(result).toBeUndefined()
    await t.clock.advance(1)
    expect(result).toEqual(['error', 'timeout'])
    expect(Process.isAlive(pid!)).toBe(false)
    // The starter was unlinked first, so it only sees the error.
    expect(Process.isAlive(starter)).toBe(true)
  })

  it('registers options.name; a second start under it gives already_started', async () => {
    const pid = ok(await GenServer.start(counter(), 0, { name: 'counter' }))
    expect(Process.whereis('counter')).toBe(pid)
    expect(GenServer.whereis('counter')).toBe(pid)
    expect(await GenServer.start(counter(), 0, { name: 'counter' })).toEqual([
      'error',
      ['already_started', pid],
    ])
    expect(await GenServer.call('counter', 'get')).toBe(0)
  })

  it('frees the name when init fails, so a retry can start at once', async () => {
    expect(await GenServer.start({ init: () => ['stop', 'nope'] }, null, { name: 'svc' })).toEqual([
      'error',
      'nope',
    ])
    expect(Process.whereis('svc')).toBeUndefined()
    expect((await GenServer.start(counter(), 0, { name: 'svc' }))[0]).toBe('ok')
  })
})

describe('via names', () => {
  it('register through the via module; call, cast and send reach the server', async () => {
    const via = tinyVia()
    const name: ViaName = { via, key: 'counter-1' }
    const log: string[] = []
    const pid = ok(await GenServer.start(counter(log), 5, { name }))
    expect(via.table.get('counter-1')).toBe(pid)
    GenServer.cast(name, 'increment')
    send(name, 'ping')
    expect(await GenServer.call(name, 'get')).toBe(6)
    expect(log).toContain('info ping')
    expect(GenServer.whereis(name)).toBe(pid)
  })

  it('a taken via name gives already_started with the owner', async () => {
    const via = tinyVia()
    const name: ViaName = { via, key: 'k' }
    const pid = ok(await GenServer.start(counter(), 0, { name }))
    expect(await GenServer.start(counter(), 0, { name })).toEqual([
      'error',
      ['already_started', pid],
    ])
  })

  it('a failed init unregisters the via name before the start returns', async () => {
    const via = tinyVia()
    const name: ViaName = { via, key: 'k' }
    expect(await GenServer.start({ init: () => ['stop', 'nope'] }, null, { name })).toEqual([
      'error',
      'nope',
    ])
    expect(via.table.has('k')).toBe(false)
  })

  it('a call to a via name nobody holds fails with noproc', async () => {
    await expect(GenServer.call({ via: tinyVia(), key: 'x' }, 'get')).rejects.toBeInstanceOf(
      NoProcError,
    )
  })
})

describe('GenServer.call', () => {
  it('sends the request to handleCall and resolves with the reply', async () => {
    const pid = ok(await GenServer.start(counter(), 10))
    expect(await GenServer.call(pid, { add: 5 })).toBe(15)
    expect(await GenServer.call(pid, 'get')).toBe(15)
  })

  it('works from inside another process', async () => {
    const pid = ok(await GenServer.start(counter(), 3))
    let reply: unknown
    spawn(async () => {
      reply = await GenServer.call(pid, 'get')
    })
    await t.clock.runUntilIdle()
    expect(reply).toBe(3)
  })

  it('to a dead server fails with noproc, naming the call', async () => {
    const pid = ok(await GenServer.start(counter(), 0))
    await GenServer.stop(pid)
    const error = await GenServer.call(pid, 'get').catch((e) => e)
    expect(error).toBeInstanceOf(NoProcError)
    expect(error.reason).toBe('noproc')
    expect(error.call).toEqual({ fn: 'GenServer.call', args: [pid, 'get', 5000] })
  })

  it('to a name that is not registered fails with noproc', async () => {
    const error = await GenServer.call('nobody', 'get', 100).catch((e) => e)
    expect(error).toBeInstanceOf(NoProcError)
    expect(error.call).toEqual({ fn: 'GenServer.call', args: ['nobody', 'get', 100] })
  })

  it("times out after 5 s by default with reason 'timeout'", async () => {
    const pid = ok(
      await GenServer.start(
        { init: () => ['ok', null], handleCall: () => ['noreply', null] },
        null,
      ),
    )
    const call = await outcome(GenServer.call(pid, 'hello'))
    await t.clock.advance(4999)
    expect(call.pending).toBe(true)
    await t.clock.advance(1)
    expect(call.error).toBeInstanceOf(CallTimeoutError)
    expect((call.error as CallTimeoutError).reason).toBe('timeout')
    expect((call.error as CallTimeoutError).call).toEqual({
      fn: 'GenServer.call',
      args: [pid, 'hello', 5000],
    })
    expect(Process.isAlive(pid)).toBe(true)
  })

  it("with timeout 'infinity' waits as long as it takes", async () => {
    const pid = ok(await GenServer.start(counter(), 1))
    const call = await outcome(GenServer.call(pid, 'slow', 'infinity'))
    await t.clock.advance(999)
    expect(call.pending).toBe(true)
    await t.clock.advance(1)
    expect(call.value).toBe(1)
  })

  it('after a timeout nothing of that call arrives later: no reply, no DOWN', async () => {
    const log: string[] = []
    const pid = ok(await GenServer.start(counter(log), 7))
    const seen: unknown[] = []
    const caller = spawn(async (ctx) => {
      seen.push(await GenServer.call(pid, 'slow', 100).catch((e) => e))
      seen.push(await ctx.receive({ timeout: 2000 }))
      seen.push(await GenServer.call(pid, { add: 1 }))
      // the server dies: a timed-out call leaves no monitor behind
      exit(pid, 'kill')
      seen.push(await ctx.receive({ timeout: 100 }))
    })
    await t.clock.runUntilIdle()
    expect(seen[0]).toBeInstanceOf(CallTimeoutError)
    expect(seen.slice(1)).toEqual([TIMEOUT, 8, TIMEOUT])
    // the server still did the work
    expect(log).toContain('call "slow"')
    expect(Process.processInfo(caller)).toBeUndefined()
  })

  it("a crash in handleCall fails the caller with the server's reason and the call", async () => {
    const pid = ok(await GenServer.start(counter(), 0))
    const ended = exitOf(pid)
    const error = await GenServer.call(pid, 'crash').catch((e) => e)
    expect(error).toBeInstanceOf(ExitError)
    expect(error.reason).toBeInstanceOf(Error)
    expect(error.reason.message).toBe('call crashed')
    expect(error.reason).toBe(ended.reason)
    expect(error.call).toEqual({ fn: 'GenServer.call', args: [pid, 'crash', 5000] })
    expect(Process.isAlive(pid)).toBe(false)
  })

  it('a bad return from handleCall crashes the server with a BadReturnError', async () => {
    const pid = ok(
      await GenServer.start({ init: () => ['ok', 0], handleCall: () => ['ok', 1] as never }, null),
    )
    const error = await GenServer.call(pid, 'x').catch((e) => e)
    expect(error.reason).toBeInstanceOf(BadReturnError)
    expect(error.reason.message).toMatch(/handleCall returned \["ok",1\]; expected \['reply'/)
  })

  it('a call to a server without handleCall crashes it, failing the call', async () => {
    const pid = ok(await GenServer.start({ init: () => ['ok', 0] }, null))
    const error = await GenServer.call(pid, 'x').catch((e) => e)
    expect(error).toBeInstanceOf(ExitError)
    expect(error.reason.message).toMatch(/no handleCall callback/)
  })
})

describe('GenServer.reply', () => {
  it('answers a call later, from another callback', async () => {
    type State = GenServer.From<string>[]
    const Deferred = {
      init: () => ['ok', []],
      handleCall: (_request, from, waiting) => ['noreply', [...waiting, from]],
      handleInfo: (message, waiting) => {
        for (const from of waiting) GenServer.reply(from, message)
        return ['noreply', []]
      },
    } satisfies GenServer.Behaviour<State, null, string, never, string, string>
    const pid = ok(await GenServer.start(Deferred, null))
    const a = await outcome(GenServer.call(pid, 'a'))
    const b = await outcome(GenServer.call(pid, 'b'))
    expect(a.pending && b.pending).toBe(true)
    send(pid, 'answer')
    await t.clock.settle()
    expect([a.value, b.value]).toEqual(['answer', 'answer'])
  })

  it('a second reply to the same caller is ignored', async () => {
    let second: unknown = 'unset'
    const pid = ok(
      await GenServer.start(
        {
          init: () => ['ok', null],
          handleCall(request: string, from) {
            GenServer.reply(from, `${request}-1`)
            GenServer.reply(from, `${request}-2`)
            return ['reply', `${request}-3`, null]
          },
        },
        null,
      ),
    )
    expect(await GenServer.call(pid, 'r')).toBe('r-1')
    second = await GenServer.call(pid, 's')
    expect(second).toBe('s-1')
  })
})

describe("['stop', ...] from handleCall", () => {
  it("['stop', reason, reply, state] runs terminate before the caller gets its reply", async () => {
    const log: string[] = []
    const pid = ok(
      await GenServer.start(
        {
          init: () => ['ok', 'state'],
          handleCall: (request: string, _from, state) => [
            'stop',
            'normal',
            `bye ${request}`,
            state,
          ],
          terminate: (reason, state) => {
            log.push(`terminate ${String(reason)} ${state}`)
          },
        },
        null,
      ),
    )
    const reply = await GenServer.call(pid, 'x').then((r) => {
      log.push(`reply ${r}`)
      return r
    })
    expect(reply).toBe('bye x')
    expect(log).toEqual(['terminate normal state', 'reply bye x'])
    expect(Process.isAlive(pid)).toBe(false)
  })

  it("['stop', 'normal', state] without a reply fails the caller, even for normal", async () => {
    const log: string[] = []
    const pid = ok(
      await GenServer.start(
        {
          init: () => ['ok', 0],
          handleCall: (_r, _f, state) => ['stop', 'normal', state],
          terminate: (reason) => void log.push(`terminate ${String(reason)}`),
        },
        null,
      ),
    )
    const error = await GenServer.call(pid, 'x').catch((e) => e)
    expect(error).toBeInstanceOf(ExitError)
    expect(error.reason).toBe('normal')
    expect(error.call).toEqual({ fn: 'GenServer.call', args: [pid, 'x', 5000] })
    expect(log).toEqual(['terminate normal'])
  })
})

describe('GenServer.cast and handleInfo', () => {
  it('cast goes to handleCast and never fails, even to a name that does not exist', async () => {
    const pid = ok(await GenServer.start(counter(), 0, { name: 'c' }))
    GenServer.cast(pid, 'increment')
    GenServer.cast('c', 'increment')
    expect(() => GenServer.cast('missing', 'increment')).not.toThrow()
    expect(await GenServer.call(pid, 'get')).toBe(2)
    await GenServer.stop(pid)
    expect(() => GenServer.cast(pid, 'increment')).not.toThrow()
  })

  it('a crash in handleCast ends the server with the error', async () => {
    const pid = ok(await GenServer.start(counter(), 0))
    const ended = exitOf(pid)
    GenServer.cast(pid, 'crash')
    await t.clock.runUntilIdle()
    expect((ended.reason as Error).message).toBe('cast crashed')
  })

  it('plain messages go to handleInfo', async () => {
    const log: string[] = []
    const pid = ok(await GenServer.start(counter(log), 0))
    send(pid, 'hello')
    Process.sendAfter(pid, 'tick', 100)
    await t.clock.advance(100)
    expect(log).toEqual(['init 0', 'info hello', 'info tick'])
  })

  it('without handleInfo, a plain message is dropped and the server lives on', async () => {
    const pid = ok(
      await GenServer.start(
        { init: () => ['ok', 1], handleCall: (_r, _f, s) => ['reply', s, s] },
        null,
      ),
    )
    send(pid, 'stray')
    await t.clock.runUntilIdle()
    expect(await GenServer.call(pid, 'get')).toBe(1)
    expect(Process.processInfo(pid)?.messageQueueLength).toBe(0)
  })
})

describe('handleContinue', () => {
  it('runs after init, before messages already in the mailbox, even those sent in init', async () => {
    const log: string[] = []
    const Server = {
      init(this: ProcessContext) {
        this.send(this.self, 'sent to itself in init')
        return ['ok', 0, ['continue', 'warm up']]
      },
      async handleContinue(arg: string, state) {
        await Promise.resolve()
        log.push(`continue ${arg}`)
        return ['noreply', state]
      },
      handleInfo(message, state) {
        log.push(`info ${String(message)}`)
        return ['noreply', state]
      },
    } satisfies GenServer.Behaviour<number, null>
    const pid = ok(await GenServer.start(Server, null))
    send(pid, 'from outside')
    await t.clock.runUntilIdle()
    expect(log).toEqual(['continue warm up', 'info sent to itself in init', 'info from outside'])
  })

  it('messages that arrived while init ran wait for the continue', async () => {
    const log: string[] = []
    let pid!: Pid
    const started = GenServer.start(
      {
        async init(this: ProcessContext) {
          pid = this.self
          await this.receive((m) => m === 'init go')
          return ['ok', 0, ['continue', 'c']]
        },
        handleContinue: (arg, state) => {
          log.push(`continue ${arg}`)
          return ['noreply', state]
        },
        handleInfo: (message, state) => {
          log.push(`info ${String(message)}`)
          return ['noreply', state]
        },
      },
      null,
    )
    await t.clock.settle()
    send(pid, 'early')
    send(pid, 'init go')
    ok(await started)
    await t.clock.runUntilIdle()
    expect(log).toEqual(['continue c', 'info early'])
  })

  it("a call's reply goes out before its continue runs; continues chain", async () => {
    const log: string[] = []
    const pid = ok(
      await GenServer.start(
        {
          init: () => ['ok', 0],
          handleCall: (_r, _f, s) => ['reply', 'answer', s, ['continue', 1]],
          async handleContinue(this: ProcessContext, n: number, s) {
            log.push(`continue ${n}`)
            if (n === 1) {
              await this.receive((m) => m === 'release')
              return ['noreply', s, ['continue', 2]]
            }
            return ['noreply', s]
          },
          handleInfo: (m, s) => {
            log.push(`info ${String(m)}`)
            return ['noreply', s]
          },
        },
        null,
      ),
    )
    const reply = await GenServer.call(pid, 'q')
    log.push(`reply ${reply}`)
    send(pid, 'after')
    send(pid, 'release')
    await t.clock.runUntilIdle()
    expect(log).toEqual(['continue 1', 'reply answer', 'continue 2', 'info after'])
  })
})

describe('terminate', () => {
  it('runs on GenServer.stop with the reason and the last state; stop resolves after it', async () => {
    const log: string[] = []
    const pid = ok(await GenServer.start(counter(log), 0))
    GenServer.cast(pid, 'increment')
    await GenServer.stop(pid)
    log.push('stopped')
    expect(log.slice(-2)).toEqual(['terminate normal 1', 'stopped'])
    expect(Process.isAlive(pid)).toBe(false)
  })

  it('GenServer.stop with a custom reason resolves once the server exits with it', async () => {
    const log: string[] = []
    const pid = ok(await GenServer.start(counter(log), 0, { name: 'byname' }))
    const ended = exitOf(pid)
    await GenServer.stop('byname', { shutdown: 'maintenance' })
    expect(ended.reason).toEqual({ shutdown: 'maintenance' })
    expect(log.at(-1)).toBe('terminate [object Object] 0')
  })

  it('GenServer.stop rejects with timeout if the server does not stop in time; it still stops later', async () => {
    const log: string[] = []
    const pid = ok(await GenServer.start(counter(log), 0))
    GenServer.call(pid, 'slow').catch(() => {}) // busy for 1000 ms
    const stopping = await outcome(GenServer.stop(pid, 'normal', 500))
    await t.clock.advance(500)
    expect(stopping.error).toBeInstanceOf(CallTimeoutError)
    expect((stopping.error as CallTimeoutError).call).toEqual({
      fn: 'GenServer.stop',
      args: [pid, 'normal', 500],
    })
    await t.clock.advance(500)
    expect(Process.isAlive(pid)).toBe(false)
    expect(log.at(-1)).toBe('terminate normal 0')
  })

  it('GenServer.stop of a server that is not running fails with noproc', async () => {
    await expect(GenServer.stop('nobody')).rejects.toBeInstanceOf(NoProcError)
  })

  it('GenServer.stop rejects when terminate crashes, with the crash as the reason', async () => {
    const boom = new Error('terminate crashed')
    const pid = ok(
      await GenServer.start(
        {
          init: () => ['ok', null],
          terminate: () => {
            throw boom
          },
        },
        null,
      ),
    )
    const error = await GenServer.stop(pid).catch((e) => e)
    expect(error).toBeInstanceOf(ExitError)
    expect(error.reason).toBe(boom)
  })

  it('runs after a crash in a callback, with the error as the reason', async () => {
    const log: string[] = []
    const pid = ok(await GenServer.start(counter(log), 0))
    GenServer.cast(pid, 'crash')
    await t.clock.runUntilIdle()
    expect(log.at(-1)).toBe('terminate Error: cast crashed 0')
  })

  it('runs when a callback calls this.exit(reason); the caller fails with that reason', async () => {
    const log: string[] = []
    const pid = ok(
      await GenServer.start(
        {
          init: () => ['ok', 'state'],
          handleCall(this: ProcessContext) {
            this.exit('shutdown')
          },
          terminate: (reason, state) => void log.push(`terminate ${String(reason)} ${state}`),
        },
        null,
      ),
    )
    const ended = exitOf(pid)
    const error = await GenServer.call(pid, 'x').catch((e) => e)
    expect(error).toBeInstanceOf(ExitError)
    expect(error.reason).toBe('shutdown')
    expect(log).toEqual(['terminate shutdown state'])
    expect(ended.reason).toBe('shutdown')
  })

  it('init calling this.exit(reason) fails the start with that reason', async () => {
    const result = await GenServer.start(
      {
        init(this: ProcessContext) {
          this.exit('cannot start')
        },
      },
      null,
    )
    expect(result).toEqual(['error', 'cannot start'])
  })

  it('does not run when a non-trapping server is taken down by its parent', async () => {
    const log: string[] = []
    let server!: Pid
    const parent = spawn(async (ctx) => {
      server = ok(await GenServer.startLink(counter(log), 0, { parent: ctx }))
      await ctx.receive()
      ctx.exit(server, 'shutdown')
    })
    await t.clock.runUntilIdle()
    const ended = exitOf(server)
    send(parent, 'go')
    await t.clock.runUntilIdle()
    expect(ended.reason).toBe('shutdown')
    expect(log.some((l) => l.startsWith('terminate'))).toBe(false)
  })

  it.each([
    [
      'the parent sends it an exit signal',
      (ctx: ProcessContext, server: Pid) => ctx.exit(server, 'shutdown'),
    ],
    ['the parent exits', (ctx: ProcessContext) => ctx.exit('shutdown')],
  ])('a trapping server stops and runs terminate when %s (not handleInfo)', async (_, act) => {
    const log: string[] = []
    const Trapping = {
      init(this: ProcessContext, _: null) {
        this.trapExit(true)
        return ['ok', 'state']
      },
      handleInfo: (message, state) => {
        log.push(`info ${JSON.stringify(message)}`)
        return ['noreply', state]
      },
      terminate: (reason, state) => void log.push(`terminate ${String(reason)} ${state}`),
    } satisfies GenServer.Behaviour<string, null>
    let server!: Pid
    const parent = spawn(async (ctx) => {
      server = ok(await GenServer.startLink(Trapping, null, { parent: ctx }))
      await ctx.receive()
      act(ctx, server)
    })
    await t.clock.runUntilIdle()
    const ended = exitOf(server)
    send(parent, 'go')
    await t.clock.runUntilIdle()
    expect(log).toEqual(['terminate shutdown state'])
    expect(ended.reason).toBe('shutdown')
  })

  it('a trapping server gets an EXIT from a linked process that is not its parent in handleInfo', async () => {
    const infos: unknown[] = []
    let friend!: Pid
    const pid = ok(
      await GenServer.start(
        {
          init(this: ProcessContext) {
            this.trapExit(true)
            friend = this.spawnLink(async (ctx) => {
              await ctx.receive()
              throw 'friend crashed'
            })
            return ['ok', null]
          },
          handleInfo: (message, state) => {
            infos.push(message)
            return ['noreply', state]
          },
        },
        null,
      ),
    )
    send(friend, 'go')
    await t.clock.runUntilIdle()
    expect(infos).toEqual([{ type: 'EXIT', from: friend, reason: 'friend crashed' }])
    expect(Process.isAlive(pid)).toBe(true)
  })
})

describe('GenServer processing', () => {
  it('handles one message at a time, even with async callbacks', async () => {
    let running = 0
    let most = 0
    const order: string[] = []
    const Slow = {
      init: () => ['ok', 0],
      async handleCall(this: ProcessContext, request: string, _from, n) {
        running++
        most = Math.max(most, running)
        await this.receive(() => false, { timeout: 10 }) // a pause, leaving the mailbox alone
        order.push(request)
        running--
        return ['reply', request, n + 1]
      },
      async handleCast(request: string, n) {
        running++
        most = Math.max(most, running)
        await Promise.resolve()
        order.push(request)
        running--
        return ['noreply', n]
      },
    } satisfies GenServer.Behaviour<number, null, string, string, string>
    const pid = ok(await GenServer.start(Slow, null))
    const calls = [GenServer.call(pid, 'a'), GenServer.call(pid, 'b')]
    GenServer.cast(pid, 'c')
    const third = GenServer.call(pid, 'd')
    await t.clock.runUntilIdle()
    expect(await Promise.all([...calls, third])).toEqual(['a', 'b', 'd'])
    expect(order).toEqual(['a', 'b', 'c', 'd'])
    expect(most).toBe(1)
  })

  it('async callbacks work everywhere: init, handleCall, handleCast, handleInfo, terminate', async () => {
    const log: string[] = []
    const tick = () => Promise.resolve()
    const Async = {
      async init(n: number) {
        await tick()
        return ['ok', n]
      },
      async handleCall(_r: 'get', _f, n) {
        await tick()
        return ['reply', n, n]
      },
      async handleCast(by: number, n) {
        await tick()
        return ['noreply', n + by]
      },
      async handleInfo(_m, n) {
        await tick()
        return ['noreply', n * 10]
      },
      async terminate(reason, n) {
        await tick()
        log.push(`terminate ${String(reason)} ${n}`)
      },
    } satisfies GenServer.Behaviour<number, number, 'get', number, number>
    const pid = ok(await GenServer.start(Async, 1))
    GenServer.cast(pid, 2)
    send(pid, 'times ten')
    expect(await GenServer.call(pid, 'get')).toBe(30)
    await GenServer.stop(pid, 'shutdown')
    expect(log).toEqual(['terminate shutdown 30'])
  })

  it('this in callbacks is the server process', async () => {
    let self: Pid | undefined
    const pid = ok(
      await GenServer.start(
        {
          init(this: ProcessContext) {
            self = this.self
            return ['ok', null]
          },
        },
        null,
      ),
    )
    expect(self).toBe(pid)
  })

  it('a server killed during an async handleCall sends no reply; the caller fails with killed', async () => {
    const pid = ok(await GenServer.start(counter(), 0))
    const call = await outcome(GenServer.call(pid, 'slow'))
    exit(pid, 'kill')
    await t.clock.runUntilIdle()
    expect((call.error as ExitError).reason).toBe('killed')
  })
})

describe('GenServer exit reasons', () => {
  it.each<[string, ExitReason]>([
    ['normal', 'normal'],
    ['shutdown', 'shutdown'],
    ['{ shutdown: x }', { shutdown: 'x' }],
  ])('stopping with %s takes a linked process down unless it is normal', async (_, reason) => {
    let server!: Pid
    const parent = spawn(async (ctx) => {
      server = ok(await GenServer.startLink(counter(), 0, { parent: ctx }))
      await ctx.receive()
    })
    await t.clock.runUntilIdle()
    await GenServer.stop(server, reason)
    expect(Process.isAlive(parent)).toBe(reason === 'normal')
  })
})
