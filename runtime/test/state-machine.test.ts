import { describe, expect, it } from 'vitest'
import { assign, createMachine, fromPromise, setup } from 'xstate'
import {
  type CrashReport,
  ExitError,
  type ExitMessage,
  exit,
  NoProcError,
  type Pid,
  Process,
  StateMachine,
  Supervisor,
  send,
  setLogger,
  spawn,
} from '../index.ts'
import { exitOf, ok, useVirtualNode } from './helpers.ts'

const t = useVirtualNode()

type DoorEvent =
  | { type: 'enter'; code: string }
  | { type: 'lock' }
  | { type: 'break' }
  | { type: 'jiggle' }
  | { type: 'check' }
  | { type: 'retire' }
  | ExitMessage

/** The module doc's door lock, plus events that crash it, finish it and react to an `EXIT`. */
const doorLock = setup({
  types: {} as {
    input: { code: string }
    context: { code: string; wrong: number }
    events: DoorEvent
  },
  actors: {
    sensor: fromPromise(async () => {
      throw new Error('sensor failed')
    }),
  },
}).createMachine({
  id: 'doorLock',
  context: ({ input }) => ({ code: input.code, wrong: 0 }),
  initial: 'locked',
  on: {
    break: {
      actions: () => {
        throw new Error('jammed')
      },
    },
    retire: '.retired',
    EXIT: '.alarm',
  },
  states: {
    locked: {
      on: {
        enter: [
          { guard: ({ context, event }) => event.code === context.code, target: 'open' },
          { actions: assign({ wrong: ({ context }) => context.wrong + 1 }) },
        ],
        check: 'checking',
        jiggle: {
          guard: () => {
            throw new Error('stuck')
          },
          target: 'open',
        },
      },
    },
    open: { after: { 10000: 'locked' }, on: { lock: 'locked' } },
    // The invoked promise rejects and no `onError` handles it: the machine errs on its own.
    checking: { invoke: { src: 'sensor' } },
    alarm: {},
    retired: { type: 'final' },
  },
})

type Door = typeof doorLock
const input = { code: '1234' }
const enter = (code: string) => ({ type: 'enter', code }) as const

describe('StateMachine.start', () => {
  it('starts the machine with its input under a name; getState shows the initial state', async () => {
    const pid = ok(await StateMachine.start(doorLock, { input, name: 'door' }))
    expect(await StateMachine.getState<Door>('door')).toEqual({
      value: 'locked',
      context: { code: '1234', wrong: 0 },
    })
    expect(Process.processInfo(pid)?.behaviour).toBe('StateMachine')
    expect(Process.whereis('door')).toBe(pid)
  })

  it('fails with already_started when the name is taken', async () => {
    const pid = ok(await StateMachine.start(doorLock, { input, name: 'door' }))
    expect(await StateMachine.start(doorLock, { input, name: 'door' })).toEqual([
      'error',
      ['already_started', pid],
    ])
  })

  it('fails with the error when creating the machine throws, and the process is gone', async () => {
    const boom = new Error('bad input')
    const broken = createMachine({
      context: () => {
        throw boom
      },
    })
    expect(await StateMachine.start(broken, { name: 'broken' })).toEqual(['error', boom])
    expect(Process.whereis('broken')).toBeUndefined()
  })

  it('startLink links the machine to options.parent', async () => {
    let machine: Pid | undefined
    const parent = spawn(async (ctx) => {
      machine = ok(await StateMachine.startLink(doorLock, { input, parent: ctx }))
      await ctx.receive()
    })
    await t.clock.runUntilIdle()
    expect(Process.processInfo(machine!)?.links).toEqual([parent])
  })
})

describe('StateMachine events', () => {
  it('call sends the event and replies with the state it led to', async () => {
    const pid = ok(await StateMachine.start(doorLock, { input }))
    expect(await StateMachine.call<Door>(pid, enter('0000'))).toEqual({
      value: 'locked',
      context: { code: '1234', wrong: 1 },
    })
    expect(await StateMachine.call<Door>(pid, enter('1234'))).toEqual({
      value: 'open',
      context: { code: '1234', wrong: 1 },
    })
  })

  it('ignores an event the current state does not handle, and the call still replies', async () => {
    const pid = ok(await StateMachine.start(doorLock, { input }))
    expect((await StateMachine.call<Door>(pid, { type: 'lock' })).value).toBe('locked')
    expect(Process.isAlive(pid)).toBe(true)
  })

  it('cast changes the state without waiting', async () => {
    const pid = ok(await StateMachine.start(doorLock, { input }))
    StateMachine.cast<Door>(pid, enter('1234'))
    StateMachine.cast<Door>(pid, { type: 'lock' })
    StateMachine.cast<Door>(pid, enter('9'))
    expect(await StateMachine.getState<Door>(pid)).toEqual({
      value: 'locked',
      context: { code: '1234', wrong: 1 },
    })
  })

  it('turns plain messages with a string type into events and reports any other message', async () => {
    const reports: CrashReport[] = []
    const previous = setLogger((report) => reports.push(report))
    try {
      const pid = ok(await StateMachine.start(doorLock, { input }))
      send(pid, enter('1234'))
      send(pid, 'hello')
      await t.clock.settle()
      expect((await StateMachine.getState(pid)).value).toBe('open')
      expect(reports.map((r) => [r.kind, r.behaviour, r.details.message])).toEqual([
        ['unexpected', 'StateMachine', 'hello'],
      ])
      expect(Process.isAlive(pid)).toBe(true)
    } finally {
      setLogger(previous)
    }
  })

  it('call to a name nobody registered fails with NoProcError', async () => {
    await expect(StateMachine.call('nobody', { type: 'lock' })).rejects.toBeInstanceOf(NoProcError)
  })
})

describe('StateMachine delayed transitions', () => {
  it('runs `after` timers on the node clock: the door locks itself 10 s after opening', async () => {
    const pid = ok(await StateMachine.start(doorLock, { input }))
    await StateMachine.call<Door>(pid, enter('1234'))
    await t.clock.advance(9_999)
    expect((await StateMachine.getState(pid)).value).toBe('open')
    await t.clock.advance(1)
    expect((await StateMachine.getState(pid)).value).toBe('locked')
  })

  it('cancels the timer when the state is left: a reopened door gets a fresh 10 s', async () => {
    const pid = ok(await StateMachine.start(doorLock, { input }))
    await StateMachine.call<Door>(pid, enter('1234'))
    await t.clock.advance(5_000)
    await StateMachine.call<Door>(pid, { type: 'lock' })
    await StateMachine.call<Door>(pid, enter('1234'))
    await t.clock.advance(5_000)
    expect((await StateMachine.getState(pid)).value).toBe('open')
    await t.clock.advance(5_000)
    expect((await StateMachine.getState(pid)).value).toBe('locked')
  })

  it('cancels its timers when the process ends', async () => {
    const pid = ok(await StateMachine.start(doorLock, { input }))
    await StateMachine.call<Door>(pid, enter('1234'))
    expect(t.clock.pendingTimers).toBe(1)
    exit(pid, 'kill')
    await t.clock.runUntilIdle()
    expect(t.clock.pendingTimers).toBe(0)
  })
})

describe('StateMachine crashes and stops', () => {
  it('crashes the process with the error an action throws; the call fails with it', async () => {
    const pid = ok(await StateMachine.start(doorLock, { input }))
    const exited = exitOf(pid)
    const error = await StateMachine.call(pid, { type: 'break' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ExitError)
    expect(((error as ExitError).reason as Error).message).toBe('jammed')
    expect((exited.reason as Error).message).toBe('jammed')
  })

  it('crashes the process when a guard throws (XState wraps the error, naming the guard)', async () => {
    const pid = ok(await StateMachine.start(doorLock, { input }))
    const exited = exitOf(pid)
    StateMachine.cast<Door>(pid, { type: 'jiggle' })
    await t.clock.settle()
    expect(exited.reason).toBeInstanceOf(Error)
    expect((exited.reason as Error).message).toMatch(/Unable to evaluate guard[\s\S]*stuck/)
  })

  it('crashes the process when an invoked actor fails and the machine does not handle it', async () => {
    const pid = ok(await StateMachine.start(doorLock, { input }))
    const exited = exitOf(pid)
    StateMachine.cast<Door>(pid, { type: 'check' })
    await t.clock.runUntilIdle()
    expect((exited.reason as Error).message).toBe('sensor failed')
  })

  it('is restarted by a one_for_one supervisor in its initial state after a crash', async () => {
    const sup = ok(await Supervisor.startLink([[doorLock, input]], { strategy: 'one_for_one' }))
    const [{ pid }] = await Supervisor.whichChildren(sup)
    await StateMachine.call<Door>(pid as Pid, enter('0000'))
    await StateMachine.call<Door>(pid as Pid, enter('1234'))
    StateMachine.cast<Door>(pid as Pid, { type: 'break' })
    await t.clock.runUntilIdle()
    const [{ pid: restarted }] = await Supervisor.whichChildren(sup)
    expect(restarted).not.toBe(pid)
    expect(await StateMachine.getState(restarted as Pid)).toEqual({
      value: 'locked',
      context: { code: '1234', wrong: 0 },
    })
  })

  it('exits with reason normal when the machine reaches a final state, after replying', async () => {
    const pid = ok(await StateMachine.start(doorLock, { input }))
    const exited = exitOf(pid)
    expect((await StateMachine.call<Door>(pid, { type: 'retire' })).value).toBe('retired')
    await t.clock.runUntilIdle()
    expect(exited.reason).toBe('normal')
  })

  it('stop ends the machine with the reason', async () => {
    const pid = ok(await StateMachine.start(doorLock, { input }))
    const exited = exitOf(pid)
    await StateMachine.stop(pid, 'shutdown')
    expect(exited.reason).toBe('shutdown')
  })

  it('with trapExit, gets EXIT from other links as events and stops on its parent EXIT', async () => {
    let machine: Pid | undefined
    const parent = spawn(async (ctx) => {
      machine = ok(await StateMachine.startLink(doorLock, { input, parent: ctx, trapExit: true }))
      await ctx.receive()
    })
    await t.clock.runUntilIdle()
    const neighbour = spawn(async (ctx) => {
      ctx.link(machine!)
      await ctx.receive()
    })
    await t.clock.runUntilIdle()
    const exited = exitOf(machine!)
    exit(neighbour, 'boom')
    await t.clock.runUntilIdle()
    expect((await StateMachine.getState(machine!)).value).toBe('alarm')
    exit(parent, 'shutdown')
    await t.clock.runUntilIdle()
    expect(exited.reason).toBe('shutdown')
  })
})

describe('StateMachine in a supervision tree', () => {
  it('childSpec starts the machine under a supervisor with the machine id as child id', async () => {
    const sup = ok(
      await Supervisor.startLink([StateMachine.childSpec(doorLock, { input, name: 'door' })], {
        strategy: 'one_for_one',
      }),
    )
    const [{ id, pid }] = await Supervisor.whichChildren(sup)
    expect(id).toBe('doorLock')
    expect(Process.whereis('door')).toBe(pid)
    expect(Process.processInfo(pid as Pid)?.links).toEqual([sup])
  })

  it('accepts a module whose childSpec wraps the machine, as [module, arg]', async () => {
    const DoorLock = {
      childSpec: (code: string) => StateMachine.childSpec(doorLock, { input: { code } }),
    }
    const sup = ok(await Supervisor.startLink([[DoorLock, '42']], { strategy: 'one_for_one' }))
    const [{ pid }] = await Supervisor.whichChildren(sup)
    expect((await StateMachine.getState<Door>(pid as Pid)).context.code).toBe('42')
  })
})

describe('StateMachine bad input', () => {
  it('rejects a first argument that is not an XState machine', () => {
    expect(() => StateMachine.start({ initial: 'a' } as never)).toThrow(
      'Expected `machine` to be an XState machine (from createMachine or setup(...).createMachine), got `{"initial":"a"}` (object)',
    )
    expect(() => StateMachine.childSpec(undefined as never)).toThrow(TypeError)
  })

  it('rejects unknown and malformed options', () => {
    expect(() => StateMachine.start(doorLock, { inptu: input } as never)).toThrow(
      'Unknown option `inptu` in `options`',
    )
    expect(() => StateMachine.start(doorLock, { input, timeout: -1 })).toThrow(
      "Expected `options.timeout` to be a non-negative integer or 'infinity', got `-1` (number)",
    )
    expect(() => StateMachine.startLink(doorLock, { input, trapExit: 'yes' as never })).toThrow(
      "Expected `options.trapExit` to be a boolean, got `'yes'` (string)",
    )
    expect(() => StateMachine.start(doorLock, { input, parent: {} as never })).toThrow(
      'Expected `options.parent` to be a process context',
    )
    expect(() => StateMachine.start(doorLock, 'door' as never)).toThrow(
      "Expected `options` to be an object, got `'door'` (string)",
    )
  })

  it('rejects events that are not objects with a string type', () => {
    expect(() => StateMachine.call('door', 'lock' as never)).toThrow(
      "Expected `event` to be an event object with a string `type` (like { type: 'lock' }), got `'lock'` (string)",
    )
    expect(() => StateMachine.cast('door', { type: 1 } as never)).toThrow(TypeError)
  })
})
