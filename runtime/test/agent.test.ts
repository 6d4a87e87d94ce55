import { describe, expect, it } from 'vitest'
import {
  Agent,
  BadReturnError,
  CallTimeoutError,
  ExitError,
  type GenServer,
  type Pid,
  Process,
  Registry,
  Supervisor,
  spawn,
} from '../index.ts'
import { exitOf, ok, useVirtualNode } from './helpers.ts'

const t = useVirtualNode()

/** Resolves after `ms` of the node's virtual clock (for slow agent functions). */
const sleep = (ms: number) => new Promise<void>((resolve) => t.node.clock.setTimer(ms, resolve))

describe('Agent state', () => {
  it('starts with the state fn returns; get, update, getAndUpdate and cast change and read it', async () => {
    const pid = ok(await Agent.start(() => 1))
    expect(await Agent.get(pid, (n: number) => n * 10)).toBe(10)
    expect(await Agent.update(pid, (n: number) => n + 1)).toBeUndefined()
    expect(await Agent.getAndUpdate(pid, (n: number) => [`was ${n}`, n * 100] as const)).toBe(
      'was 2',
    )
    Agent.cast(pid, (n: number) => n + 1)
    expect(await Agent.get(pid, (n: number) => n)).toBe(201)
  })

  it('takes a name, including a Registry via name', async () => {
    await Agent.start(() => 'named', { name: 'config' })
    expect(await Agent.get('config', (s: string) => s)).toBe('named')
    await Registry.startLink({ keys: 'unique', name: 'agents' })
    const via = Registry.via('agents', 'cart')
    await Agent.start(() => [] as string[], { name: via })
    await Agent.update(via, (items: string[]) => [...items, 'apple'])
    expect(await Agent.get(via, (items: string[]) => items)).toEqual(['apple'])
  })

  it('stop ends the agent with the reason', async () => {
    const pid = ok(await Agent.start(() => 0))
    const exit = exitOf(pid)
    await Agent.stop(pid, 'shutdown')
    expect(exit.reason).toBe('shutdown')
  })
})

describe('Agent functions run inside the agent process', () => {
  it('runs get, update, getAndUpdate and the start fn while the agent process is the one running', async () => {
    let agent: Pid | undefined
    const statuses: unknown[] = []
    const statusOfAgent = () => Process.processInfo(agent!)?.status
    // The start fn runs before the caller knows the pid: it finds the only Agent process.
    const start = Agent.start(() => {
      agent = Process.list().find((p) => Process.processInfo(p)?.behaviour === 'Agent')
      statuses.push(statusOfAgent())
      return 0
    })
    agent = ok(await start)
    const record = <T>(value: T) => {
      statuses.push(statusOfAgent())
      return value
    }
    await Agent.get(agent, () => record(0))
    await Agent.update(agent, (n: number) => record(n))
    await Agent.getAndUpdate(agent, (n: number) => record([n, n] as const))
    Agent.cast(agent, (n: number) => record(n))
    await t.clock.runUntilIdle()
    expect(statuses).toEqual(['running', 'running', 'running', 'running', 'running'])
  })

  it('runs one function at a time: a slow update holds up the next get', async () => {
    const pid = ok(await Agent.start(() => 'old'))
    const update = Agent.update(pid, async () => {
      await sleep(1000)
      return 'new'
    })
    let got: string | undefined
    Agent.get(pid, (s: string) => s).then((s) => {
      got = s
    })
    await t.clock.advance(999)
    expect(got).toBeUndefined()
    await t.clock.advance(1)
    await update
    expect(got).toBe('new')
  })

  it('crashes the agent, not the caller, when a function throws; the call fails with the reason', async () => {
    const pid = ok(await Agent.start(() => 0))
    const boom = new Error('boom')
    const error = await Agent.get(pid, () => {
      throw boom
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ExitError)
    expect((error as ExitError).reason).toBe(boom)
    expect(Process.isAlive(pid)).toBe(false)
  })

  it('crashes the agent with a BadReturnError when getAndUpdate fn does not return [reply, state]', async () => {
    const pid = ok(await Agent.start(() => 0))
    const error = await Agent.getAndUpdate(pid, () => 5 as never).catch((e: unknown) => e)
    expect((error as ExitError).reason).toBeInstanceOf(BadReturnError)
  })

  it('fails a start whose fn throws, with that reason', async () => {
    const boom = new Error('no state')
    expect(
      await Agent.start(() => {
        throw boom
      }),
    ).toEqual(['error', boom])
  })
})

describe('Agent timeouts', () => {
  it('fails get with timeout after 5 s by default', async () => {
    const pid = ok(await Agent.start(() => 0))
    const result = Agent.get(pid, () => sleep(60_000)).catch((e: unknown) => e)
    await t.clock.advance(5000)
    const error = await result
    expect(error).toBeInstanceOf(CallTimeoutError)
    expect((error as CallTimeoutError).call?.fn).toBe('GenServer.call')
  })
})

describe('Agent links and supervision', () => {
  it('startLink links the agent to options.parent', async () => {
    let agent: Pid | undefined
    const parent = spawn(async (ctx) => {
      agent = ok(await Agent.startLink(() => 0, { parent: ctx }))
      await ctx.receive()
    })
    await t.clock.runUntilIdle()
    expect(Process.processInfo(agent!)?.links).toEqual([parent])
    expect(Process.processInfo(agent!)?.behaviour).toBe('Agent')
  })

  it('childSpec starts the agent under a supervisor, which restarts it with a fresh state', async () => {
    const sup = ok(await Supervisor.startLink([[Agent, () => 0]], { strategy: 'one_for_one' }))
    const [{ id, pid }] = await Supervisor.whichChildren(sup)
    expect(id).toBe('Agent')
    await Agent.update(pid as Pid, (n: number) => n + 5)
    Process.exit(pid as Pid, 'kill')
    await t.clock.runUntilIdle()
    const [{ pid: restarted }] = await Supervisor.whichChildren(sup)
    expect(restarted).not.toBe(pid)
    expect(await Agent.get(restarted as Pid, (n: number) => n)).toBe(0)
  })
})

describe('Agent bad input', () => {
  it('rejects a non-function with a TypeError naming fn', async () => {
    expect(() => Agent.start(42 as unknown as () => number)).toThrow(
      'Expected `fn` to be a function, got `42` (number)',
    )
    expect(() => Agent.startLink('x' as unknown as () => number)).toThrow(TypeError)
    expect(() => Agent.childSpec(null as unknown as () => number)).toThrow(TypeError)
    const pid = ok(await Agent.start(() => 0))
    expect(() => Agent.get(pid, 'state' as unknown as () => 0)).toThrow(
      "Expected `fn` to be a function, got `'state'` (string)",
    )
    expect(() => Agent.update(pid, undefined as unknown as () => 0)).toThrow(TypeError)
    expect(() => Agent.cast(pid, {} as unknown as () => 0)).toThrow(TypeError)
  })

  it('rejects unknown options and bad timeouts', async () => {
    expect(() => Agent.start(() => 0, { nmae: 'x' } as GenServer.StartOptions)).toThrow(
      /Unknown option `nmae`/,
    )
    const pid = ok(await Agent.start(() => 0))
    expect(() => Agent.get(pid, (n) => n, -5)).toThrow(
      "Expected `timeout` to be a non-negative integer or 'infinity', got `-5` (number)",
    )
  })
})
