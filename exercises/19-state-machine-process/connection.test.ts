import {
  createNode,
  ExitError,
  exit,
  type GenServer,
  type Node,
  type Pid,
  Process,
  StateMachine,
  Supervisor,
  setDefaultNode,
  Telemetry,
  type VirtualClock,
} from 'letitcrash'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  backoff,
  type Connection,
  type ConnectionEvent,
  childSpec,
  connection,
  startLink,
} from './connection.ts'

// Every test gets a fresh node on a virtual clock: time only moves when the test says so.
let node: Node
let clock: VirtualClock
/** The supervisors' restarts, as telemetry reported them. */
let restarts: Telemetry.Metadata[]

beforeEach(() => {
  node = createNode({ clock: 'virtual' })
  clock = node.clock as VirtualClock
  setDefaultNode(node)
  restarts = []
  Telemetry.attach('exercise-19-restart', Telemetry.events.restart, (_e, _m, metadata) => {
    restarts.push(metadata)
  })
})
afterEach(() => {
  Telemetry.detach('exercise-19-restart')
  node.shutdown()
})

const url = 'wss://chat.example/socket'

/** Starts the machine in a process of its own, as the runtime does (without your startLink). */
async function startMachine(): Promise<Pid> {
  const result = await StateMachine.start(connection, { input: { url } })
  if (result[0] !== 'ok') expect.fail(`the machine did not start: ${String(result[1])}`)
  return result[1]
}

/** Sends `event` to the machine and returns the state it led to (`{ value, context }`). */
async function send(conn: GenServer.Server, event: ConnectionEvent) {
  return answered(StateMachine.call<Connection>(conn, event))
}

async function stateOf(conn: GenServer.Server) {
  return answered(StateMachine.getState<Connection>(conn))
}

async function answered<T>(reply: Promise<T>): Promise<T> {
  let result: { value: T } | { error: unknown } | undefined
  reply.then(
    (value) => (result = { value }),
    (error) => (result = { error }),
  )
  await clock.settle()
  if (result === undefined) expect.fail('the connection never answered')
  if ('error' in result) throw result.error
  return result.value
}

/** Sends the events in turn and returns the state values they led to. */
async function walk(conn: Pid, ...events: ConnectionEvent['type'][]): Promise<unknown[]> {
  const values: unknown[] = []
  for (const type of events) values.push((await send(conn, { type } as ConnectionEvent)).value)
  return values
}

/** Expects the connection to be in `value` now, with a hint if not. */
async function expectIn(conn: Pid, value: string, hint: string): Promise<void> {
  expect((await stateOf(conn)).value, `at ${clock.now()} ms: ${hint}`).toBe(value)
}

describe('task 1: states and transitions', () => {
  it('starts disconnected; connect leads to connecting, and the call replies with the new state', async () => {
    const conn = await startMachine()
    expect((await stateOf(conn)).value).toBe('disconnected')
    expect(
      await send(conn, { type: 'connect' }),
      "on 'connect' the disconnected state should go to 'connecting'",
    ).toEqual({ value: 'connecting', context: { url, attempts: 0, inbox: [] } })
  })

  it('connecting: opened leads to connected, failed to reconnecting', async () => {
    const conn = await startMachine()
    expect(await walk(conn, 'connect', 'opened'), "connecting: 'opened' → 'connected'").toEqual([
      'connecting',
      'connected',
    ])
    const other = await startMachine()
    expect(await walk(other, 'connect', 'failed'), "connecting: 'failed' → 'reconnecting'").toEqual(
      ['connecting', 'reconnecting'],
    )
  })

  it('connected: dropped leads to reconnecting', async () => {
    const conn = await startMachine()
    expect(await walk(conn, 'connect', 'opened', 'dropped')).toEqual([
      'connecting',
      'connected',
      'reconnecting',
    ])
  })

  it('disconnect leads back to disconnected from every state', async () => {
    const conn = await startMachine()
    const hint = "'disconnect' should work in any state: put it in the machine's top-level `on`"
    expect(await walk(conn, 'connect', 'disconnect'), hint).toEqual(['connecting', 'disconnected'])
    expect(await walk(conn, 'connect', 'opened', 'disconnect'), hint).toEqual([
      'connecting',
      'connected',
      'disconnected',
    ])
    expect(await walk(conn, 'connect', 'failed', 'disconnect'), hint).toEqual([
      'connecting',
      'reconnecting',
      'disconnected',
    ])
  })

  it('ignores an event the current state does not handle, and keeps running', async () => {
    const conn = await startMachine()
    expect(await walk(conn, 'opened', 'dropped'), 'not connecting: opened is ignored').toEqual([
      'disconnected',
      'disconnected',
    ])
    expect(
      await walk(conn, 'connect', 'opened', 'connect', 'opened'),
      "connected: 'connect' and 'opened' change nothing",
    ).toEqual(['connecting', 'connected', 'connected', 'connected'])
    expect(Process.isAlive(conn)).toBe(true)
  })
})

describe('task 2: timers on the node’s clock', () => {
  it('backoff waits 1 s, then twice as long each attempt, at most 8 s', () => {
    expect([1, 2, 3, 4, 5, 6].map(backoff)).toEqual([1000, 2000, 4000, 8000, 8000, 8000])
  })

  it('gives up connecting after 5 s and tries again after the backoff', async () => {
    const conn = await startMachine()
    await send(conn, { type: 'connect' })
    await clock.advance(4999)
    await expectIn(conn, 'connecting', 'still within the 5 s connect timeout')
    await clock.advance(1)
    await expectIn(
      conn,
      'reconnecting',
      "5 s without 'opened': connecting should time out (after: { connectTimeout: 'reconnecting' })",
    )
    expect((await stateOf(conn)).context.attempts, 'entering reconnecting counts an attempt').toBe(
      1,
    )
    await clock.advance(999)
    await expectIn(conn, 'reconnecting', 'the first backoff is 1 s')
    await clock.advance(1)
    await expectIn(conn, 'connecting', "after the backoff, reconnecting goes to 'connecting'")
    await clock.advance(5000)
    await expectIn(conn, 'reconnecting', 'the second attempt timed out too')
    expect((await stateOf(conn)).context.attempts).toBe(2)
    await clock.advance(1999)
    await expectIn(conn, 'reconnecting', 'the second backoff is 2 s: read it from context.attempts')
    await clock.advance(1)
    await expectIn(conn, 'connecting', 'the second backoff is 2 s')
  })

  it('waits longer after each failure, up to 8 s', async () => {
    const conn = await startMachine()
    await send(conn, { type: 'connect' })
    for (const wait of [1000, 2000, 4000, 8000, 8000]) {
      await send(conn, { type: 'failed' })
      await clock.advance(wait - 1)
      await expectIn(conn, 'reconnecting', `this backoff should last ${wait} ms`)
      await clock.advance(1)
      await expectIn(conn, 'connecting', `this backoff should last ${wait} ms`)
    }
  })

  it('a connection that opens forgets its failed attempts', async () => {
    const conn = await startMachine()
    await walk(conn, 'connect', 'failed')
    await clock.advance(1000)
    await walk(conn, 'failed')
    await clock.advance(2000)
    expect(
      (await send(conn, { type: 'opened' })).context.attempts,
      'entering connected should set attempts back to 0',
    ).toBe(0)
    await send(conn, { type: 'dropped' })
    await clock.advance(1000)
    await expectIn(conn, 'connecting', 'after a drop, the first backoff is 1 s again')
  })

  it('leaving a state cancels its timer', async () => {
    const conn = await startMachine()
    await send(conn, { type: 'connect' })
    await clock.advance(3000)
    await send(conn, { type: 'opened' })
    await clock.advance(10_000)
    await expectIn(conn, 'connected', 'the connect timeout fired after the connection opened')
    await walk(conn, 'dropped', 'disconnect')
    await clock.advance(10_000)
    await expectIn(conn, 'disconnected', 'the backoff fired after disconnect')
    expect((await stateOf(conn)).context.attempts, 'disconnect should set attempts back to 0').toBe(
      0,
    )
  })
})

describe('task 3: a supervised process', () => {
  it('startLink starts a StateMachine process, registered under its name, disconnected', async () => {
    const result = await startLink({ url, name: 'conn' })
    expect(result[0], 'startLink should return [ok, pid]').toBe('ok')
    const pid = result[1] as Pid
    expect(
      Process.processInfo(pid)?.behaviour,
      'run the machine with StateMachine.startLink, not a GenServer of your own',
    ).toBe('StateMachine')
    expect(Process.whereis('conn'), "pass `name` on to StateMachine.startLink's options").toBe(pid)
    expect(await stateOf('conn'), 'pass `url` to the machine as its input').toEqual({
      value: 'disconnected',
      context: { url, attempts: 0, inbox: [] },
    })
  })

  it("a supervisor starts it from childSpec (id 'connection') and restarts it, fresh", async () => {
    const sup = await Supervisor.startLink([childSpec({ url, name: 'conn' })], {
      strategy: 'one_for_one',
    })
    if (sup[0] !== 'ok') expect.fail(`the supervisor did not start: ${String(sup[1])}`)
    const [child] = await Supervisor.whichChildren(sup[1])
    expect(child?.id, "the child spec's id should be 'connection'").toBe('connection')
    await walk(child.pid as Pid, 'connect', 'opened')
    exit(child.pid as Pid, 'kill')
    await clock.settle()
    const [restarted] = await Supervisor.whichChildren(sup[1])
    expect(
      restarts.map((r) => r.childId),
      'the supervisor should restart it',
    ).toEqual(['connection'])
    expect(restarted.pid).not.toBe(child.pid)
    expect(Process.whereis('conn'), 'the restarted connection has the same name').toBe(
      restarted.pid,
    )
    expect((await stateOf('conn')).value, 'a restarted machine starts in its initial state').toBe(
      'disconnected',
    )
  })
})

describe('task 4: frames, and letting it crash', () => {
  async function startSupervised(): Promise<Pid> {
    const sup = await Supervisor.startLink([childSpec({ url, name: 'conn' })], {
      strategy: 'one_for_one',
    })
    if (sup[0] !== 'ok') expect.fail(`the supervisor did not start: ${String(sup[1])}`)
    return sup[1]
  }

  it('parses each frame received while connected into the inbox', async () => {
    const conn = await startMachine()
    await walk(conn, 'connect', 'opened')
    await send(conn, { type: 'frame', data: '{"text":"hello"}' })
    const { value, context } = await send(conn, { type: 'frame', data: '[1,2]' })
    expect(value).toBe('connected')
    expect(
      context.inbox,
      "connected: on 'frame', append JSON.parse(event.data) to context.inbox with assign",
    ).toEqual([{ text: 'hello' }, [1, 2]])
  })

  it('crashes on a frame that is not JSON: the call fails, and the supervisor restarts it fresh', async () => {
    await startSupervised()
    const before = Process.whereis('conn')!
    await walk(before, 'connect', 'opened')
    await send(before, { type: 'frame', data: '{"text":"hello"}' })
    const failed = await StateMachine.call<Connection>('conn', {
      type: 'frame',
      data: '<html>502 Bad Gateway</html>',
    }).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(
      failed,
      'the bad frame was swallowed: do not catch the error of JSON.parse; let the process crash, and its supervisor restart it',
    ).toBeInstanceOf(ExitError)
    expect((failed as ExitError).reason, 'the crash reason is the parse error').toBeInstanceOf(
      SyntaxError,
    )
    await clock.settle()
    expect(restarts, 'the supervisor should have restarted the connection once').toHaveLength(1)
    expect(Process.whereis('conn')).not.toBe(before)
    expect(
      await stateOf('conn'),
      'the restarted connection starts afresh: disconnected, no attempts, an empty inbox',
    ).toEqual({ value: 'disconnected', context: { url, attempts: 0, inbox: [] } })
  })

  it('ignores frames when not connected, even bad ones', async () => {
    await startSupervised()
    const conn = Process.whereis('conn')!
    expect(
      (await send(conn, { type: 'frame', data: 'not json' })).value,
      "a frame while disconnected is ignored: handle 'frame' in the connected state only",
    ).toBe('disconnected')
    await walk(conn, 'connect')
    expect((await send(conn, { type: 'frame', data: 'not json' })).value).toBe('connecting')
    expect(Process.whereis('conn'), 'no crash, no restart').toBe(conn)
    expect(restarts).toEqual([])
  })
})
