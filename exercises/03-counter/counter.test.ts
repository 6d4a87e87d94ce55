import {
  CallTimeoutError,
  createNode,
  GenServer,
  isPid,
  type Node,
  NoProcError,
  type Pid,
  Process,
  Ref,
  send,
  setDefaultNode,
  type VirtualClock,
} from 'letitcrash'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { t } from '../messages.ts'
import { Counter, getCount, increment, incrementAfter, startLink } from './counter.ts'

// Every test gets a fresh node on a virtual clock: time only moves when the test says so.
let node: Node
let clock: VirtualClock
beforeEach(() => {
  node = createNode({ clock: 'virtual' })
  clock = node.clock as VirtualClock
  setDefaultNode(node)
})
afterEach(() => node.shutdown())

const NO_REPLY = t(
  "getCount never returned: does handleCall return ['reply', count, count], and does getCount return GenServer.call's promise?",
  "getCount가 끝내 반환하지 않았습니다: handleCall이 ['reply', count, count]를 반환하나요? getCount가 GenServer.call의 프로미스를 반환하나요?",
)

describe('task 1: a counter with a client API', () => {
  it('startLink starts a GenServer and returns [ok, pid]', async () => {
    const started = await startLink(5)
    expect(
      started[0],
      t(
        `startLink returned ${String(started)}: does init return ['ok', count]?`,
        `startLink의 반환값이 ${String(started)}입니다: init이 ['ok', count]를 반환하나요?`,
      ),
    ).toBe('ok')
    const pid = started[1] as Pid
    expect(isPid(pid)).toBe(true)
    expect(
      Process.processInfo(pid)?.behaviour,
      t(
        'the counter must be a GenServer: start it with GenServer.startLink(Counter, initial)',
        '카운터는 GenServer여야 합니다: GenServer.startLink(Counter, initial)로 시작하세요',
      ),
    ).toBe('GenServer')
  })

  it('getCount replies with the initial count', async () => {
    const pid = await start(5)
    expect(await settled(getCount(pid), NO_REPLY)).toBe(5)
  })

  it('increment adds one, without waiting for an answer', async () => {
    const pid = await start(0)
    for (let i = 0; i < 3; i++) {
      expect(
        increment(pid),
        t(
          'increment should cast (fire and forget) and return nothing, not a promise',
          'increment는 cast(보내고 잊기)를 하고 아무것도 반환하지 않아야 합니다. 프로미스도 반환하면 안 됩니다',
        ),
      ).toBeUndefined()
    }
    expect(
      await settled(getCount(pid), NO_REPLY),
      t(
        "three increments, but the count is not 3: does handleCast return ['noreply', count + 1]?",
        "increment를 세 번 했는데 카운트가 3이 아닙니다: handleCast가 ['noreply', count + 1]을 반환하나요?",
      ),
    ).toBe(3)
  })

  it('the Counter behaviour answers GenServer.call and GenServer.cast on its own', async () => {
    const [, pid] = await GenServer.start(Counter, 10)
    GenServer.cast(pid as Pid, 'increment')
    const count = await settled(
      GenServer.call<number>(pid as Pid, 'get_count'),
      t(
        "GenServer.call(pid, 'get_count') never returned: handleCall must return ['reply', count, count]",
        "GenServer.call(pid, 'get_count')가 끝내 반환하지 않았습니다: handleCall은 ['reply', count, count]를 반환해야 합니다",
      ),
    )
    expect(
      count,
      t(
        "handleCast('increment', count) should return ['noreply', count + 1]",
        "handleCast('increment', count)는 ['noreply', count + 1]을 반환해야 합니다",
      ),
    ).toBe(11)
  })

  it('keeps the count in the server: two counters count separately', async () => {
    const [a, b] = [await start(0), await start(100)]
    increment(a)
    increment(a)
    increment(b)
    const counts = [await settled(getCount(a), NO_REPLY), await settled(getCount(b), NO_REPLY)]
    expect(
      counts,
      t(
        'keep the count in the state of each server, not in a variable of the module',
        '카운트는 모듈의 변수가 아니라 각 서버의 상태에 두세요',
      ),
    ).toEqual([2, 101])
  })
})

describe('task 2: a named counter', () => {
  it('registers the counter under the name given to startLink', async () => {
    const pid = await start(0, 'visits')
    expect(
      Process.whereis('visits'),
      t(
        'no process is registered as "visits": pass the options on to GenServer.startLink',
        '"visits"로 등록된 프로세스가 없습니다: 옵션을 GenServer.startLink에 그대로 넘기세요',
      ),
    ).toBe(pid)
  })

  it('clients reach it by its name', async () => {
    await start(0, 'visits')
    increment('visits')
    increment('visits')
    expect(await settled(getCount('visits'), NO_REPLY)).toBe(2)
  })

  it('refuses a second counter with the same name', async () => {
    const first = await start(0, 'visits')
    expect(
      await startLink(0, { name: 'visits' }),
      t(
        'a name belongs to one process: GenServer.startLink refuses a taken name by itself',
        '이름은 한 프로세스만 가질 수 있습니다: 이미 쓰인 이름은 GenServer.startLink가 알아서 거절합니다',
      ),
    ).toEqual(['error', ['already_started', first]])
  })

  it('registers nothing without a name', async () => {
    await start(0)
    expect(Process.registered()).toEqual([])
  })

  it('frees the name when the counter stops', async () => {
    await start(0, 'visits')
    await GenServer.stop('visits')
    expect(Process.whereis('visits')).toBeUndefined()
    const again = await start(7, 'visits')
    expect(await settled(getCount('visits'), NO_REPLY)).toBe(7)
    expect(Process.whereis('visits')).toBe(again)
  })
})

describe('task 3: ticks with handleInfo', () => {
  it('incrementAfter adds one when the time is up, not before', async () => {
    const pid = await start(0)
    incrementAfter(pid, 1000)
    await clock.advance(999)
    expect(
      await settled(getCount(pid), NO_REPLY),
      t('the count went up before 1000 ms', '1000ms가 지나기 전에 카운트가 올라갔습니다'),
    ).toBe(0)
    await clock.advance(1)
    expect(
      await settled(getCount(pid), NO_REPLY),
      t(
        "no tick after 1000 ms: incrementAfter should Process.sendAfter(server, 'tick', ms), and handleInfo add one on 'tick'",
        "1000ms가 지났는데 틱이 없습니다: incrementAfter는 Process.sendAfter(server, 'tick', ms)를 호출하고, handleInfo는 'tick'을 받으면 1을 더해야 합니다",
      ),
    ).toBe(1)
  })

  it('returns the timer, so the tick can be cancelled', async () => {
    const pid = await start(0)
    const timer = incrementAfter(pid, 1000)
    expect(
      timer,
      t(
        'return the ref that Process.sendAfter gives you',
        'Process.sendAfter가 돌려준 ref를 반환하세요',
      ),
    ).toBeInstanceOf(Ref)
    expect(Process.cancelTimer(timer)).toBe(1000)
    await clock.advance(1000)
    expect(await settled(getCount(pid), NO_REPLY)).toBe(0)
  })

  it('counts several ticks, each at its time, also by name', async () => {
    await start(0, 'ticks')
    for (const ms of [100, 200, 300]) incrementAfter('ticks', ms)
    await clock.advance(250)
    expect(await settled(getCount('ticks'), NO_REPLY)).toBe(2)
    await clock.advance(50)
    expect(await settled(getCount('ticks'), NO_REPLY)).toBe(3)
  })

  it('ignores other plain messages and keeps running', async () => {
    const pid = await start(3)
    send(pid, 'hello')
    send(pid, { type: 'unexpected' })
    await clock.runUntilIdle()
    expect(
      Process.isAlive(pid),
      t(
        "the counter crashed on a message it did not expect: handleInfo should return ['noreply', count] for it",
        "예상하지 못한 메시지에 카운터가 크래시했습니다: 그런 메시지에는 handleInfo가 ['noreply', count]를 반환해야 합니다",
      ),
    ).toBe(true)
    expect(await settled(getCount(pid), NO_REPLY)).toBe(3)
  })
})

describe('task 4: a call that gives up', () => {
  it('getCount rejects with CallTimeoutError after the timeout it is given', async () => {
    const pid = await forgetfulServer()
    const count = track(getCount(pid, 100))
    await clock.advance(99)
    expect(
      count.state,
      t('getCount gave up before its timeout', 'getCount가 타임아웃 전에 포기했습니다'),
    ).toBe('pending')
    await clock.advance(1)
    expect(
      count.error,
      t(
        'getCount(server, 100) should give up after 100 ms: pass `timeout` on to GenServer.call',
        'getCount(server, 100)은 100ms 뒤에 포기해야 합니다: `timeout`을 GenServer.call에 그대로 넘기세요',
      ),
    ).toBeInstanceOf(CallTimeoutError)
  })

  it('waits 5000 ms by default, as in Elixir', async () => {
    const pid = await forgetfulServer()
    const count = track(getCount(pid))
    await clock.advance(4999)
    expect(
      count.state,
      t(
        'without a timeout, getCount should wait 5000 ms',
        '타임아웃을 주지 않으면 getCount는 5000ms를 기다려야 합니다',
      ),
    ).toBe('pending')
    await clock.advance(1)
    expect(count.error).toBeInstanceOf(CallTimeoutError)
  })

  it('a counter that answers in time is not affected by the timeout', async () => {
    const pid = await start(42)
    expect(await settled(getCount(pid, 10), NO_REPLY)).toBe(42)
  })

  it('rejects at once with NoProcError when no counter runs under the name', async () => {
    const count = track(getCount('nobody'))
    await clock.settle()
    expect(count.error).toBeInstanceOf(NoProcError)
  })
})

// --- Helpers ------------------------------------------------------------------------------------

/** Starts a counter with the learner's startLink and returns its pid. */
async function start(initial: number, name?: string): Promise<Pid> {
  const started = await startLink(initial, name === undefined ? {} : { name })
  if (started[0] !== 'ok')
    expect.fail(
      t(
        `startLink(${initial}) returned ${String(started)}, expected ['ok', pid]`,
        `startLink(${initial})의 반환값이 ${String(started)}입니다. ['ok', pid]여야 합니다`,
      ),
    )
  return started[1]
}

/** A GenServer whose handleCall forgets to reply: its callers wait until their timeout. */
async function forgetfulServer(): Promise<Pid> {
  const [, pid] = await GenServer.start(
    {
      init: () => ['ok', null],
      handleCall: (_request, _from, state) => ['noreply', state],
    } satisfies GenServer.Behaviour<null, undefined>,
    undefined,
  )
  return pid as Pid
}

/** Follows a promise: `state` is 'pending' until it settles with `value` or `error`. */
function track<T>(promise: Promise<T>): {
  state: 'pending' | 'resolved' | 'rejected'
  value?: T
  error?: unknown
} {
  const result: ReturnType<typeof track<T>> = { state: 'pending' }
  promise.then(
    (value) => Object.assign(result, { state: 'resolved', value }),
    (error) => Object.assign(result, { state: 'rejected', error }),
  )
  return result
}

/** Lets the processes run (no time passes) and returns what `promise` gave; fails with `hint` if it still waits. */
async function settled<T>(promise: Promise<T>, hint: string): Promise<T> {
  const result = track(promise)
  await clock.settle()
  if (result.state === 'pending') expect.fail(hint)
  if (result.state === 'rejected') throw result.error
  return result.value as T
}
