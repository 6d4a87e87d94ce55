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
import { t } from '../messages.ts'
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
  if (result[0] !== 'ok')
    expect.fail(
      t(
        `the machine did not start: ${String(result[1])}`,
        `머신이 시작하지 않았습니다: ${String(result[1])}`,
      ),
    )
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
  if (result === undefined)
    expect.fail(t('the connection never answered', '연결이 끝내 답하지 않았습니다'))
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
  expect(
    (await stateOf(conn)).value,
    t(`at ${clock.now()} ms: ${hint}`, `${clock.now()}ms 시점: ${hint}`),
  ).toBe(value)
}

describe('task 1: states and transitions', () => {
  it('starts disconnected; connect leads to connecting, and the call replies with the new state', async () => {
    const conn = await startMachine()
    expect((await stateOf(conn)).value).toBe('disconnected')
    expect(
      await send(conn, { type: 'connect' }),
      t(
        "on 'connect' the disconnected state should go to 'connecting'",
        "'connect'를 받으면 disconnected 상태는 'connecting'으로 가야 합니다",
      ),
    ).toEqual({ value: 'connecting', context: { url, attempts: 0, inbox: [] } })
  })

  it('connecting: opened leads to connected, failed to reconnecting', async () => {
    const conn = await startMachine()
    expect(
      await walk(conn, 'connect', 'opened'),
      t("connecting: 'opened' → 'connected'", "connecting에서: 'opened' → 'connected'"),
    ).toEqual(['connecting', 'connected'])
    const other = await startMachine()
    expect(
      await walk(other, 'connect', 'failed'),
      t("connecting: 'failed' → 'reconnecting'", "connecting에서: 'failed' → 'reconnecting'"),
    ).toEqual(['connecting', 'reconnecting'])
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
    const hint = t(
      "'disconnect' should work in any state: put it in the machine's top-level `on`",
      "'disconnect'는 모든 상태에서 동작해야 합니다: 머신의 최상위 `on`에 두세요",
    )
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
    expect(
      await walk(conn, 'opened', 'dropped'),
      t('not connecting: opened is ignored', 'connecting이 아닐 때: opened는 무시됩니다'),
    ).toEqual(['disconnected', 'disconnected'])
    expect(
      await walk(conn, 'connect', 'opened', 'connect', 'opened'),
      t(
        "connected: 'connect' and 'opened' change nothing",
        "connected에서: 'connect'와 'opened'는 아무것도 바꾸지 않습니다",
      ),
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
    await expectIn(
      conn,
      'connecting',
      t('still within the 5 s connect timeout', '아직 연결 타임아웃 5초 안입니다'),
    )
    await clock.advance(1)
    await expectIn(
      conn,
      'reconnecting',
      t(
        "5 s without 'opened': connecting should time out (after: { connectTimeout: 'reconnecting' })",
        "'opened' 없이 5초가 지났습니다: connecting은 타임아웃되어야 합니다(after: { connectTimeout: 'reconnecting' })",
      ),
    )
    expect(
      (await stateOf(conn)).context.attempts,
      t('entering reconnecting counts an attempt', 'reconnecting에 들어가면 시도를 한 번 셉니다'),
    ).toBe(1)
    await clock.advance(999)
    await expectIn(conn, 'reconnecting', t('the first backoff is 1 s', '첫 backoff는 1초입니다'))
    await clock.advance(1)
    await expectIn(
      conn,
      'connecting',
      t(
        "after the backoff, reconnecting goes to 'connecting'",
        "backoff가 지나면 reconnecting은 'connecting'으로 갑니다",
      ),
    )
    await clock.advance(5000)
    await expectIn(
      conn,
      'reconnecting',
      t('the second attempt timed out too', '두 번째 시도도 타임아웃되었습니다'),
    )
    expect((await stateOf(conn)).context.attempts).toBe(2)
    await clock.advance(1999)
    await expectIn(
      conn,
      'reconnecting',
      t(
        'the second backoff is 2 s: read it from context.attempts',
        '두 번째 backoff는 2초입니다: context.attempts에서 읽으세요',
      ),
    )
    await clock.advance(1)
    await expectIn(
      conn,
      'connecting',
      t('the second backoff is 2 s', '두 번째 backoff는 2초입니다'),
    )
  })

  it('waits longer after each failure, up to 8 s', async () => {
    const conn = await startMachine()
    await send(conn, { type: 'connect' })
    for (const wait of [1000, 2000, 4000, 8000, 8000]) {
      await send(conn, { type: 'failed' })
      await clock.advance(wait - 1)
      await expectIn(
        conn,
        'reconnecting',
        t(`this backoff should last ${wait} ms`, `이번 backoff는 ${wait}ms여야 합니다`),
      )
      await clock.advance(1)
      await expectIn(
        conn,
        'connecting',
        t(`this backoff should last ${wait} ms`, `이번 backoff는 ${wait}ms여야 합니다`),
      )
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
      t(
        'entering connected should set attempts back to 0',
        'connected에 들어가면 attempts를 0으로 되돌려야 합니다',
      ),
    ).toBe(0)
    await send(conn, { type: 'dropped' })
    await clock.advance(1000)
    await expectIn(
      conn,
      'connecting',
      t(
        'after a drop, the first backoff is 1 s again',
        '연결이 끊긴 뒤 첫 backoff는 다시 1초입니다',
      ),
    )
  })

  it('leaving a state cancels its timer', async () => {
    const conn = await startMachine()
    await send(conn, { type: 'connect' })
    await clock.advance(3000)
    await send(conn, { type: 'opened' })
    await clock.advance(10_000)
    await expectIn(
      conn,
      'connected',
      t(
        'the connect timeout fired after the connection opened',
        '연결이 열린 뒤에 연결 타임아웃이 발동했습니다',
      ),
    )
    await walk(conn, 'dropped', 'disconnect')
    await clock.advance(10_000)
    await expectIn(
      conn,
      'disconnected',
      t('the backoff fired after disconnect', 'disconnect 뒤에 backoff가 발동했습니다'),
    )
    expect(
      (await stateOf(conn)).context.attempts,
      t(
        'disconnect should set attempts back to 0',
        'disconnect는 attempts를 0으로 되돌려야 합니다',
      ),
    ).toBe(0)
  })
})

describe('task 3: a supervised process', () => {
  it('startLink starts a StateMachine process, registered under its name, disconnected', async () => {
    const result = await startLink({ url, name: 'conn' })
    expect(
      result[0],
      t('startLink should return [ok, pid]', 'startLink는 [ok, pid]를 반환해야 합니다'),
    ).toBe('ok')
    const pid = result[1] as Pid
    expect(
      Process.processInfo(pid)?.behaviour,
      t(
        'run the machine with StateMachine.startLink, not a GenServer of your own',
        '직접 만든 GenServer가 아니라 StateMachine.startLink로 머신을 실행하세요',
      ),
    ).toBe('StateMachine')
    expect(
      Process.whereis('conn'),
      t(
        "pass `name` on to StateMachine.startLink's options",
        '`name`을 StateMachine.startLink의 옵션으로 넘기세요',
      ),
    ).toBe(pid)
    expect(
      await stateOf('conn'),
      t('pass `url` to the machine as its input', '`url`을 머신의 input으로 넘기세요'),
    ).toEqual({
      value: 'disconnected',
      context: { url, attempts: 0, inbox: [] },
    })
  })

  it("a supervisor starts it from childSpec (id 'connection') and restarts it, fresh", async () => {
    const sup = await Supervisor.startLink([childSpec({ url, name: 'conn' })], {
      strategy: 'one_for_one',
    })
    if (sup[0] !== 'ok')
      expect.fail(
        t(
          `the supervisor did not start: ${String(sup[1])}`,
          `슈퍼바이저가 시작하지 않았습니다: ${String(sup[1])}`,
        ),
      )
    const [child] = await Supervisor.whichChildren(sup[1])
    expect(
      child?.id,
      t("the child spec's id should be 'connection'", "자식 명세의 id는 'connection'이어야 합니다"),
    ).toBe('connection')
    await walk(child.pid as Pid, 'connect', 'opened')
    exit(child.pid as Pid, 'kill')
    await clock.settle()
    const [restarted] = await Supervisor.whichChildren(sup[1])
    expect(
      restarts.map((r) => r.childId),
      t('the supervisor should restart it', '슈퍼바이저가 재시작해야 합니다'),
    ).toEqual(['connection'])
    expect(restarted.pid).not.toBe(child.pid)
    expect(
      Process.whereis('conn'),
      t('the restarted connection has the same name', '재시작된 연결은 같은 이름을 가집니다'),
    ).toBe(restarted.pid)
    expect(
      (await stateOf('conn')).value,
      t(
        'a restarted machine starts in its initial state',
        '재시작된 머신은 초기 상태에서 시작합니다',
      ),
    ).toBe('disconnected')
  })
})

describe('task 4: frames, and letting it crash', () => {
  async function startSupervised(): Promise<Pid> {
    const sup = await Supervisor.startLink([childSpec({ url, name: 'conn' })], {
      strategy: 'one_for_one',
    })
    if (sup[0] !== 'ok')
      expect.fail(
        t(
          `the supervisor did not start: ${String(sup[1])}`,
          `슈퍼바이저가 시작하지 않았습니다: ${String(sup[1])}`,
        ),
      )
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
      t(
        "connected: on 'frame', append JSON.parse(event.data) to context.inbox with assign",
        "connected에서: 'frame'을 받으면 assign으로 JSON.parse(event.data)를 context.inbox에 덧붙이세요",
      ),
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
      t(
        'the bad frame was swallowed: do not catch the error of JSON.parse; let the process crash, and its supervisor restart it',
        '잘못된 프레임이 조용히 삼켜졌습니다: JSON.parse의 에러를 잡지 마세요. 프로세스가 크래시하게 두면 슈퍼바이저가 재시작합니다',
      ),
    ).toBeInstanceOf(ExitError)
    expect(
      (failed as ExitError).reason,
      t('the crash reason is the parse error', '크래시 이유는 파싱 에러입니다'),
    ).toBeInstanceOf(SyntaxError)
    await clock.settle()
    expect(
      restarts,
      t(
        'the supervisor should have restarted the connection once',
        '슈퍼바이저가 연결을 한 번 재시작했어야 합니다',
      ),
    ).toHaveLength(1)
    expect(Process.whereis('conn')).not.toBe(before)
    expect(
      await stateOf('conn'),
      t(
        'the restarted connection starts afresh: disconnected, no attempts, an empty inbox',
        '재시작된 연결은 처음부터 시작합니다: disconnected, 시도 0번, 빈 inbox',
      ),
    ).toEqual({ value: 'disconnected', context: { url, attempts: 0, inbox: [] } })
  })

  it('ignores frames when not connected, even bad ones', async () => {
    await startSupervised()
    const conn = Process.whereis('conn')!
    expect(
      (await send(conn, { type: 'frame', data: 'not json' })).value,
      t(
        "a frame while disconnected is ignored: handle 'frame' in the connected state only",
        "disconnected일 때 온 프레임은 무시됩니다: 'frame'은 connected 상태에서만 처리하세요",
      ),
    ).toBe('disconnected')
    await walk(conn, 'connect')
    expect((await send(conn, { type: 'frame', data: 'not json' })).value).toBe('connecting')
    expect(Process.whereis('conn'), t('no crash, no restart', '크래시도, 재시작도 없습니다')).toBe(
      conn,
    )
    expect(restarts).toEqual([])
  })
})
