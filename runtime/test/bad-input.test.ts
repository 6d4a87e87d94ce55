/**
 * Every public function of the core checks its arguments at the boundary and throws a
 * TypeError that names the argument, shows what was given and says what is expected.
 */
import { describe, expect, it } from 'vitest'
import {
  createNode,
  exit,
  GenServer,
  type Pid,
  Process,
  type ProcessContext,
  send,
  setDefaultNode,
  setLogger,
  spawn,
  VirtualClock,
} from '../index.ts'
import { ok, useVirtualNode } from './helpers.ts'

const t = useVirtualNode()

/** Asserts `fn` throws a TypeError whose message contains each of `parts`. */
function expectTypeError(fn: () => unknown, ...parts: string[]): void {
  let error: unknown
  try {
    fn()
  } catch (e) {
    error = e
  }
  expect(error, 'expected a TypeError').toBeInstanceOf(TypeError)
  for (const part of parts) expect((error as Error).message).toContain(part)
}

const any = (value: unknown) => value as any

/** Runs `use` inside a live process and returns what it threw. */
async function insideProcess(use: (ctx: ProcessContext) => unknown): Promise<unknown> {
  let error: unknown = 'nothing thrown'
  spawn(async (ctx) => {
    try {
      await use(ctx)
    } catch (e) {
      error = e
    }
  })
  await t.clock.runUntilIdle()
  return error
}

async function expectTypeErrorInside(
  use: (ctx: ProcessContext) => unknown,
  ...parts: string[]
): Promise<void> {
  const error = await insideProcess(use)
  expect(error, 'expected a TypeError').toBeInstanceOf(TypeError)
  for (const part of parts) expect((error as Error).message).toContain(part)
}

const Minimal = { init: () => ['ok', null] } satisfies GenServer.Behaviour<null>

describe('spawn, send, exit and the Process functions', () => {
  it('spawn needs a function body', () => {
    expectTypeError(() => spawn(any('nope')), '`body`', "got `'nope'` (string)", 'a function')
    expectTypeError(() => t.node.spawn(any(null)), '`body`', 'got `null` (null)', 'a function')
  })

  it('send needs a pid or a name', () => {
    expectTypeError(
      () => send(any(42), 'm'),
      '`dest`',
      'got `42` (number)',
      'a pid, a registered name, { name, node } or a via name',
    )
    expectTypeError(() => send(any(''), 'm'), '`dest`', "got `''` (string)")
  })

  it('exit needs a pid and a reason', () => {
    const pid = spawn(async (ctx) => {
      await ctx.receive()
    })
    expectTypeError(() => exit(any('x'), 'kill'), '`pid`', "got `'x'` (string)", 'a pid')
    expectTypeError(() => exit(pid, any(undefined)), '`reason`', 'got `undefined`', 'exit reason')
    expect(Process.isAlive(pid)).toBe(true)
  })

  it('isAlive, processInfo need a pid', () => {
    expectTypeError(() => Process.isAlive(any({})), '`pid`', 'got `{}` (object)', 'a pid')
    expectTypeError(() => Process.processInfo(any(1)), '`pid`', 'got `1` (number)')
  })

  it('register needs a pid and a non-empty string', () => {
    const pid = spawn(() => {})
    expectTypeError(
      () => Process.register(pid, ''),
      '`name`',
      "got `''` (string)",
      'a non-empty string',
    )
    expectTypeError(() => Process.register(pid, any(5)), '`name`', 'got `5` (number)')
    expectTypeError(() => Process.register(any('p'), 'n'), '`pid`', "got `'p'` (string)")
  })

  it('unregister and whereis need a string name', () => {
    expectTypeError(() => Process.unregister(any(1)), '`name`', 'got `1` (number)', 'a string')
    expectTypeError(() => Process.whereis(any(null)), '`name`', 'got `null` (null)', 'a string')
  })

  it('sendAfter needs a destination and a non-negative integer ms', () => {
    const pid = spawn(() => {})
    expectTypeError(
      () => Process.sendAfter(pid, 'm', -1),
      '`ms`',
      'got `-1` (number)',
      'a non-negative integer',
    )
    expectTypeError(() => Process.sendAfter(pid, 'm', 1.5), '`ms`', 'got `1.5` (number)')
    expectTypeError(() => Process.sendAfter(pid, 'm', any('10')), '`ms`', "got `'10'` (string)")
    expectTypeError(() => Process.sendAfter(any(null), 'm', 10), '`dest`', 'got `null` (null)')
  })

  it('cancelTimer and readTimer need a timer reference', () => {
    expectTypeError(
      () => Process.cancelTimer(any('ref')),
      '`ref`',
      "got `'ref'` (string)",
      'a timer reference',
    )
    expectTypeError(
      () => t.node.readTimer(any(3)),
      '`ref`',
      'got `3` (number)',
      'a timer reference',
    )
  })
})

describe('the process context', () => {
  it('receive checks its match function and options', async () => {
    await expectTypeErrorInside(
      (ctx) => ctx.receive({ timeout: -1 }),
      '`options.timeout`',
      'got `-1` (number)',
      "a non-negative integer or 'infinity'",
    )
    await expectTypeErrorInside(
      (ctx) => ctx.receive(() => true, { timeout: any('5') }),
      '`options.timeout`',
      "got `'5'` (string)",
    )
    await expectTypeErrorInside(
      (ctx) => ctx.receive({ timeout: Number.POSITIVE_INFINITY }),
      '`options.timeout`',
      'got `Infinity` (number)',
    )
    await expectTypeErrorInside(
      (ctx) => ctx.receive(() => true, any(100)),
      '`options`',
      'got `100` (number)',
      'an object',
    )
    await expectTypeErrorInside(
      (ctx) => ctx.receive(any('hello')),
      '`match`',
      "got `'hello'` (string)",
      'a function',
    )
    await expectTypeErrorInside(
      (ctx) => ctx.receive(any({ timout: 5 })),
      'Unknown option `timout`',
      '`timeout`',
    )
  })

  it('trapExit needs a boolean', async () => {
    await expectTypeErrorInside(
      (ctx) => ctx.trapExit(any('yes')),
      '`flag`',
      "got `'yes'` (string)",
      'a boolean',
    )
  })

  it('link, unlink, monitor, demonitor check their targets', async () => {
    await expectTypeErrorInside((ctx) => ctx.link(any('p')), '`pid`', "got `'p'` (string)", 'a pid')
    await expectTypeErrorInside((ctx) => ctx.unlink(any(undefined)), '`pid`', 'got `undefined`')
    await expectTypeErrorInside((ctx) => ctx.monitor(''), '`target`', "got `''` (string)")
    await expectTypeErrorInside(
      (ctx) => ctx.monitor(any(7)),
      '`target`',
      'got `7` (number)',
      'a pid or a registered name',
    )
    await expectTypeErrorInside(
      (ctx) => ctx.demonitor(any('r')),
      '`ref`',
      "got `'r'` (string)",
      'a monitor reference',
    )
    await expectTypeErrorInside(
      (ctx) => ctx.demonitor(ctx.monitor(ctx.self), any({ flsh: true })),
      'Unknown option `flsh`',
      '`flush`',
    )
  })

  it('exit checks its arguments', async () => {
    await expectTypeErrorInside(
      (ctx) => ctx.exit(any('someone'), 'bye'),
      '`pid`',
      "got `'someone'` (string)",
    )
    await expectTypeErrorInside((ctx) => any(ctx).exit(), '`reason`', 'got `undefined`')
  })

  it('spawn, spawnLink, spawnMonitor need a function; register a name; send a destination', async () => {
    await expectTypeErrorInside((ctx) => ctx.spawn(any(1)), '`body`', 'got `1` (number)')
    await expectTypeErrorInside((ctx) => ctx.spawnLink(any({})), '`body`', 'got `{}` (object)')
    await expectTypeErrorInside(
      (ctx) => ctx.spawnMonitor(any(undefined)),
      '`body`',
      'got `undefined`',
    )
    await expectTypeErrorInside((ctx) => ctx.register(any('')), '`name`', "got `''` (string)")
    await expectTypeErrorInside((ctx) => ctx.send(any(undefined), 'x'), '`dest`', 'got `undefined`')
  })
})

describe('nodes, clocks and the logger', () => {
  it('createNode checks its options', () => {
    expectTypeError(
      () => createNode(any('virtual')),
      '`options`',
      "got `'virtual'` (string)",
      'an object',
    )
    expectTypeError(() => createNode(any({ clok: 'virtual' })), 'Unknown option `clok`', '`clock`')
    expectTypeError(
      () => createNode({ name: 'no-at-sign' }),
      '`options.name`',
      "got `'no-at-sign'` (string)",
      "'name@host'",
    )
    expectTypeError(
      () => createNode(any({ clock: 'fast' })),
      '`options.clock`',
      "got `'fast'` (string)",
      "'real', 'virtual' or a Clock",
    )
  })

  it('setDefaultNode needs a Node', () => {
    expectTypeError(() => setDefaultNode(any({})), '`node`', 'got `{}` (object)', 'a Node')
  })

  it('setLogger needs a function', () => {
    expectTypeError(
      () => setLogger(any('console')),
      '`logger`',
      "got `'console'` (string)",
      'a function',
    )
  })

  it('VirtualClock.advance and runUntilIdle check their numbers', async () => {
    const clock = new VirtualClock()
    await expect(clock.advance(-1)).rejects.toThrow(TypeError)
    await expect(clock.advance(-1)).rejects.toThrow(/`ms`.*got `-1` \(number\)/)
    await expect(clock.advance(any('10'))).rejects.toThrow(/`ms`.*got `'10'` \(string\)/)
    await expect(clock.runUntilIdle({ maxTimers: -5 })).rejects.toThrow(
      /`options.maxTimers`.*got `-5`/,
    )
    await expect(clock.runUntilIdle(any({ max: 5 }))).rejects.toThrow(/Unknown option `max`/)
  })
})

describe('GenServer', () => {
  it('start checks the behaviour and its callbacks', () => {
    expectTypeError(
      () => GenServer.start(any(null), 0),
      '`behaviour`',
      'got `null` (null)',
      'an object',
    )
    expectTypeError(
      () => GenServer.start(any({}), 0),
      '`behaviour.init`',
      'got `undefined`',
      'a function',
    )
    for (const callback of [
      'handleCall',
      'handleCast',
      'handleInfo',
      'handleContinue',
      'terminate',
    ]) {
      expectTypeError(
        () => GenServer.start(any({ init: () => ['ok', 0], [callback]: 'oops' }), 0),
        `\`behaviour.${callback}\``,
        "got `'oops'` (string)",
        'a function',
      )
    }
  })

  it('start and startLink check their options', () => {
    expectTypeError(
      () => GenServer.start(Minimal, null, any('name')),
      '`options`',
      "got `'name'` (string)",
      'an object',
    )
    expectTypeError(
      () => GenServer.start(Minimal, null, any({ nmae: 'x' })),
      'Unknown option `nmae`',
      '`name`',
      '`timeout`',
    )
    expectTypeError(
      () => GenServer.start(Minimal, null, { name: '' }),
      '`options.name`',
      "got `''` (string)",
      'a non-empty string, a via name (Registry.via(registry, key)) or { global: name }',
    )
    expectTypeError(
      () => GenServer.start(Minimal, null, { name: any({ via: {} }) }),
      '`options.name`',
    )
    expectTypeError(
      () => GenServer.start(Minimal, null, { timeout: -1 }),
      '`options.timeout`',
      'got `-1` (number)',
      "'infinity'",
    )
    expectTypeError(
      () => GenServer.startLink(Minimal, null, { parent: any({ self: 1 }) }),
      '`options.parent`',
      'a process context',
    )
    expectTypeError(
      () => GenServer.start(Minimal, null, { node: any('node1') }),
      '`options.node`',
      "got `'node1'` (string)",
      'a Node',
    )
  })

  it('call, cast, stop and whereis check the server and the timeout', async () => {
    const pid = ok(await GenServer.start(Minimal, null))
    expectTypeError(
      () => GenServer.call(any(1), 'x'),
      '`server`',
      'got `1` (number)',
      'a pid, a registered name, { name, node }, { global: name } or a via name',
    )
    expectTypeError(
      () => GenServer.call(pid, 'x', -1),
      '`timeout`',
      'got `-1` (number)',
      "a non-negative integer or 'infinity'",
    )
    expectTypeError(() => GenServer.call(pid, 'x', any('5s')), '`timeout`', "got `'5s'` (string)")
    expectTypeError(() => GenServer.cast(any(null), 'x'), '`server`', 'got `null` (null)')
    expectTypeError(() => GenServer.stop(any({}), 'normal'), '`server`', 'got `{}` (object)')
    expectTypeError(() => GenServer.stop(pid, 'normal', -5), '`timeout`', 'got `-5` (number)')
    expectTypeError(() => GenServer.whereis(any(3)), '`server`', 'got `3` (number)')
  })

  it('reply needs the From given to handleCall', () => {
    expectTypeError(
      () => GenServer.reply(any({ pid: 1 }), 'x'),
      '`from`',
      'got `{"pid":1}` (object)',
      'the From given to handleCall',
    )
  })

  it('startLink with a parent that has exited fails', async () => {
    let parent!: ProcessContext
    const pid: Pid = spawn((ctx) => {
      parent = ctx
    })
    await t.clock.runUntilIdle()
    expect(Process.isAlive(pid)).toBe(false)
    expect(() => GenServer.startLink(Minimal, null, { parent })).toThrow(/already exited/)
  })
})
