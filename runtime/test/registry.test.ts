import { describe, expect, it } from 'vitest'
import {
  GenServer,
  NoProcError,
  type Pid,
  Process,
  type ProcessContext,
  Registry,
  send,
  spawn,
} from '../index.ts'
import { ok, useVirtualNode } from './helpers.ts'

const t = useVirtualNode()

/** Spawns a process that runs `setup` with its context, then waits for 'stop' (or crashes on 'crash'). */
function spawnWith(setup: (ctx: ProcessContext) => void): Pid {
  return spawn(async (ctx) => {
    setup(ctx)
    const message = await ctx.receive()
    if (message === 'crash') throw new Error('boom')
  })
}

type EchoCall = 'ping' | 'seen'
const Echo = {
  init: (seen: unknown[]) => ['ok', seen],
  handleCall: (request: EchoCall, _from, seen) => [
    'reply',
    request === 'ping' ? 'pong' : seen,
    seen,
  ],
  handleCast: (request: unknown, seen) => ['noreply', [...seen, request]],
  handleInfo: (message: unknown, seen) => ['noreply', [...seen, message]],
} satisfies GenServer.Behaviour<unknown[], unknown[], EchoCall, unknown, unknown>

describe('Registry unique keys', () => {
  it('registers the calling process, answering with the registry pid, and lookup finds it at once', async () => {
    const registry = ok(await Registry.startLink({ keys: 'unique', name: 'rooms' }))
    let result: Registry.RegisterResult | undefined
    const pid = spawnWith((ctx) => {
      result = Registry.register(ctx, 'rooms', 'lobby', { topic: 'general' })
    })
    await t.clock.runUntilIdle()
    expect(result).toEqual(['ok', registry])
    expect(Registry.lookup('rooms', 'lobby')).toEqual([[pid, { topic: 'general' }]])
    expect(Registry.lookup(registry, 'lobby')).toEqual([[pid, { topic: 'general' }]])
    expect(Registry.lookup('rooms', 'nowhere')).toEqual([])
    expect(Registry.keys('rooms', pid)).toEqual(['lobby'])
    expect(Registry.count('rooms')).toBe(1)
  })

  it("fails with ['already_registered', ownerPid] when the key is taken", async () => {
    await Registry.startLink({ keys: 'unique', name: 'rooms' })
    const results: Registry.RegisterResult[] = []
    const owner = spawnWith((ctx) => {
      Registry.register(ctx, 'rooms', 'lobby', 1)
      // The owner registering its own key again fails the same way.
      results.push(Registry.register(ctx, 'rooms', 'lobby', 0))
    })
    await t.clock.runUntilIdle()
    spawnWith((ctx) => results.push(Registry.register(ctx, 'rooms', 'lobby', 2)))
    spawn((ctx) => {
      results.push(Registry.register(ctx, 'rooms', 'lobby', 3))
    })
    await t.clock.runUntilIdle()
    expect(results).toEqual([
      ['error', ['already_registered', owner]],
      ['error', ['already_registered', owner]],
      ['error', ['already_registered', owner]],
    ])
    expect(Registry.lookup('rooms', 'lobby')).toEqual([[owner, 1]])
  })

  it('is run by a registry process that traps exits and links to each registered process', async () => {
    const registry = ok(await Registry.startLink({ keys: 'unique', name: 'rooms' }))
    const pid = spawnWith((ctx) => Registry.register(ctx, 'rooms', 'lobby', null))
    await t.clock.runUntilIdle()
    const info = Process.processInfo(registry)!
    expect(info.behaviour).toBe('Registry')
    expect(info.registeredName).toBe('rooms')
    expect(info.trapExit).toBe(true)
    expect(info.links).toContain(pid)
  })

  it('removes the entries of a process when it dies, crashed or finished', async () => {
    await Registry.startLink({ keys: 'unique', name: 'rooms' })
    const crasher = spawnWith((ctx) => {
      Registry.register(ctx, 'rooms', 'a', null)
      Registry.register(ctx, 'rooms', 'b', null)
    })
    const finisher = spawnWith((ctx) => Registry.register(ctx, 'rooms', 'c', null))
    await t.clock.runUntilIdle()
    expect(Registry.count('rooms')).toBe(3)

    send(crasher, 'crash')
    send(finisher, 'stop')
    await t.clock.runUntilIdle()
    expect(Process.isAlive(crasher)).toBe(false)
    expect(Registry.lookup('rooms', 'a')).toEqual([])
    expect(Registry.lookup('rooms', 'c')).toEqual([])
    expect(Registry.keys('rooms', crasher)).toEqual([])
    expect(Registry.count('rooms')).toBe(0)

    // The key is free again for a new process.
    const next = spawnWith((ctx) => Registry.register(ctx, 'rooms', 'a', 'again'))
    await t.clock.runUntilIdle()
    expect(Registry.lookup('rooms', 'a')).toEqual([[next, 'again']])
  })

  it('forgets an entry the moment its process is gone, before the registry has run', async () => {
    await Registry.startLink({ keys: 'unique', name: 'rooms' })
    const pid = spawnWith((ctx) => Registry.register(ctx, 'rooms', 'lobby', null))
    await t.clock.runUntilIdle()
    Process.exit(pid, 'kill')
    expect(Registry.lookup('rooms', 'lobby')).toEqual([])
  })

  it('unregister removes the entry and unlinks the process once it holds no keys', async () => {
    const registry = ok(await Registry.startLink({ keys: 'unique', name: 'rooms' }))
    let ctxOf: ProcessContext | undefined
    const pid = spawnWith((ctx) => {
      ctxOf = ctx
      Registry.register(ctx, 'rooms', 'a', null)
      Registry.register(ctx, 'rooms', 'b', null)
    })
    await t.clock.runUntilIdle()
    Registry.unregister(ctxOf!, 'rooms', 'a')
    expect(Registry.keys('rooms', pid)).toEqual(['b'])
    expect(Process.processInfo(pid)!.links).toContain(registry)
    Registry.unregister(ctxOf!, 'rooms', 'b')
    expect(Registry.keys('rooms', pid)).toEqual([])
    expect(Process.processInfo(pid)!.links).not.toContain(registry)
  })

  it('takes registered processes down when the registry itself crashes (they are linked)', async () => {
    const registry = ok(await Registry.startLink({ keys: 'unique', name: 'rooms' }))
    const pid = spawnWith((ctx) => Registry.register(ctx, 'rooms', 'lobby', null))
    await t.clock.runUntilIdle()
    Process.exit(registry, 'kill')
    await t.clock.runUntilIdle()
    expect(Process.isAlive(pid)).toBe(false)
    expect(() => Registry.lookup('rooms', 'lobby')).toThrow(/unknown registry: 'rooms'/)
  })
})

describe('Registry via names', () => {
  it('registers a GenServer when it starts and lets call, cast and send reach it', async () => {
    await Registry.startLink({ keys: 'unique', name: 'rooms' })
    const lobby = Registry.via('rooms', 'lobby')
    const pid = ok(await GenServer.start(Echo, [], { name: lobby }))
    expect(Registry.lookup('rooms', 'lobby')).toEqual([[pid, undefined]])
    expect(Registry.whereisName(['rooms', 'lobby'])).toBe(pid)
    expect(GenServer.whereis(lobby)).toBe(pid)

    expect(await GenServer.call(lobby, 'ping')).toBe('pong')
    GenServer.cast(lobby, 'cast!')
    send(lobby, 'info!')
    // A fresh via name with the same key reaches the same process.
    expect(await GenServer.call(Registry.via('rooms', 'lobby'), 'seen')).toEqual(['cast!', 'info!'])
  })

  it('registers a via value as the entry value', async () => {
    await Registry.startLink({ keys: 'unique', name: 'rooms' })
    const pid = ok(await GenServer.start(Echo, [], { name: Registry.via('rooms', 'lobby', 'v') }))
    expect(Registry.lookup('rooms', 'lobby')).toEqual([[pid, 'v']])
  })

  it("fails a second start under the same via name with ['already_started', pid]", async () => {
    await Registry.startLink({ keys: 'unique', name: 'rooms' })
    const pid = ok(await GenServer.start(Echo, [], { name: Registry.via('rooms', 'lobby') }))
    expect(await GenServer.start(Echo, [], { name: Registry.via('rooms', 'lobby') })).toEqual([
      'error',
      ['already_started', pid],
    ])
  })

  it('removes a via-registered process when it dies, so the name can be used again', async () => {
    await Registry.startLink({ keys: 'unique', name: 'rooms' })
    const lobby = Registry.via('rooms', 'lobby')
    const first = ok(await GenServer.start(Echo, [], { name: lobby }))
    await GenServer.stop(lobby)
    expect(Registry.lookup('rooms', 'lobby')).toEqual([])
    await expect(GenServer.call(lobby, 'ping')).rejects.toBeInstanceOf(NoProcError)
    const second = ok(await GenServer.start(Echo, [], { name: lobby }))
    expect(second).not.toBe(first)
    expect(GenServer.whereis(lobby)).toBe(second)
  })

  it('treats an unregistered via name like any unregistered name', async () => {
    await Registry.startLink({ keys: 'unique', name: 'rooms' })
    const nobody = Registry.via('rooms', 'nobody')
    await expect(GenServer.call(nobody, 'ping')).rejects.toBeInstanceOf(NoProcError)
    expect(() => GenServer.cast(nobody, 'x')).not.toThrow()
    expect(() => send(nobody, 'x')).toThrow(NoProcError)
    // A via name into a registry that is not running finds nothing either.
    expect(Registry.whereisName(['norooms', 'x'])).toBeUndefined()
  })

  it('needs a unique registry: a start through a duplicate one fails with a TypeError', async () => {
    await Registry.startLink({ keys: 'duplicate', name: 'topics' })
    const [tag, reason] = await GenServer.start(Echo, [], { name: Registry.via('topics', 'x') })
    expect(tag).toBe('error')
    expect(reason).toBeInstanceOf(TypeError)
    expect(String(reason)).toMatch(/keys: 'unique'/)
  })
})

describe('Registry duplicate keys', () => {
  it('keeps many entries under one key, and dispatch gets them all at once', async () => {
    await Registry.startLink({ keys: 'duplicate', name: 'topics' })
    const a = spawnWith((ctx) => Registry.register(ctx, 'topics', 'news', 'a'))
    const b = spawnWith((ctx) => {
      Registry.register(ctx, 'topics', 'news', 'b1')
      Registry.register(ctx, 'topics', 'news', 'b2')
    })
    await t.clock.runUntilIdle()
    expect(Registry.lookup('topics', 'news')).toEqual([
      [a, 'a'],
      [b, 'b1'],
      [b, 'b2'],
    ])
    expect(Registry.keys('topics', b)).toEqual(['news', 'news'])

    const calls: unknown[] = []
    Registry.dispatch('topics', 'news', (entries) => calls.push(entries))
    Registry.dispatch('topics', 'sports', (entries) => calls.push(entries))
    expect(calls).toEqual([
      [
        [a, 'a'],
        [b, 'b1'],
        [b, 'b2'],
      ],
    ])

    send(b, 'crash')
    await t.clock.runUntilIdle()
    expect(Registry.lookup('topics', 'news')).toEqual([[a, 'a']])
  })
})

describe('Registry meta', () => {
  it('stores and reads metadata', async () => {
    await Registry.startLink({ keys: 'unique', name: 'rooms' })
    expect(Registry.meta('rooms', 'owner')).toEqual(['error'])
    Registry.putMeta('rooms', 'owner', 'chat')
    expect(Registry.meta('rooms', 'owner')).toEqual(['ok', 'chat'])
  })
})

describe('Registry bad input', () => {
  it('rejects bad start options with TypeErrors', () => {
    expect(() => Registry.startLink({ keys: 'uniq' as 'unique', name: 'r' })).toThrow(
      "Expected `options.keys` to be one of 'unique', 'duplicate', got `'uniq'` (string)",
    )
    expect(() => Registry.startLink({ keys: 'unique' } as Registry.StartOptions)).toThrow(
      'Expected `options.name` to be a non-empty string, got `undefined` (undefined)',
    )
    expect(() =>
      Registry.startLink({ keys: 'unique', name: 'r', partitions: 2 } as Registry.StartOptions),
    ).toThrow(/Unknown option `partitions`/)
    expect(() => Registry.startLink(undefined as unknown as Registry.StartOptions)).toThrow(
      TypeError,
    )
    expect(() => Registry.childSpec({ keys: 'x' as 'unique', name: 'r' })).toThrow(TypeError)
  })

  it('rejects a missing ctx, a bad registry reference and a bad dispatch function', async () => {
    await Registry.startLink({ keys: 'unique', name: 'rooms' })
    expect(() => Registry.register('rooms' as unknown as ProcessContext, 'rooms', 'k', 1)).toThrow(
      /Expected `ctx` to be a process context/,
    )
    expect(() => Registry.lookup(42 as unknown as string, 'k')).toThrow(
      'Expected `registry` to be a registry name (a non-empty string) or pid, got `42` (number)',
    )
    expect(() => Registry.via('', 'k')).toThrow(TypeError)
    expect(() => Registry.keys('rooms', 'pid' as unknown as Pid)).toThrow(TypeError)
    expect(() => Registry.dispatch('rooms', 'k', 'fn' as unknown as () => void)).toThrow(
      'Expected `fn` to be a function',
    )
  })

  it('says which registry is unknown', () => {
    expect(() => Registry.lookup('ghosts', 'k')).toThrow(
      "unknown registry: 'ghosts' is not a running Registry",
    )
    expect(() => Registry.count('ghosts')).toThrow(/unknown registry/)
  })
})

describe('Registry.childSpec', () => {
  it('starts the registry through its start function, with the name as id', async () => {
    const spec = Registry.childSpec({ keys: 'unique', name: 'rooms' })
    expect(spec.id).toBe('rooms')
    const pid = ok(await spec.start())
    expect(Process.whereis('rooms')).toBe(pid)
  })
})
