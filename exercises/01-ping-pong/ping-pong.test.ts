import {
  createNode,
  type Node,
  type Pid,
  Process,
  type ProcessContext,
  setDefaultNode,
  spawn,
  TIMEOUT,
  type VirtualClock,
} from 'letitcrash'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { t } from '../messages.ts'
import { type Ping, pinger, pong } from './ping-pong.ts'

// Every test gets a fresh node on a virtual clock: time only moves when the test says so.
let node: Node
let clock: VirtualClock
beforeEach(() => {
  node = createNode({ clock: 'virtual' })
  clock = node.clock as VirtualClock
  setDefaultNode(node)
})
afterEach(() => node.shutdown())

describe('task 1: answer pings', () => {
  it('answers a ping with pong, sent to the pid in the ping', async () => {
    const server = spawn(pong)
    const client = inProcess(async (ctx) => {
      ctx.send(server, { ping: ctx.self } satisfies Ping)
      return ctx.receive({ timeout: 100 })
    })
    await clock.advance(100)
    expect(
      client.value,
      t(
        "no 'pong' came back within 100 ms: does pong send 'pong' to the pid in the message's `ping` field?",
        "100ms 안에 'pong'이 돌아오지 않았습니다: pong이 메시지의 `ping` 필드에 담긴 pid로 'pong'을 보내나요?",
      ),
    ).toBe('pong')
  })

  it('keeps answering: three pings get three pongs', async () => {
    const server = spawn(pong)
    const client = inProcess(async (ctx) => {
      const replies = []
      for (let i = 0; i < 3; i++) {
        ctx.send(server, { ping: ctx.self } satisfies Ping)
        replies.push(await ctx.receive({ timeout: 100 }))
      }
      return replies
    })
    await clock.advance(300)
    expect(
      client.value,
      t(
        'pong must answer every ping: after answering one, go back and wait for the next (a loop around receive)',
        'pong은 모든 핑에 답해야 합니다: 하나에 답한 뒤 다시 돌아가 다음 핑을 기다리세요(receive를 감싸는 루프)',
      ),
    ).toEqual(['pong', 'pong', 'pong'])
  })

  it('answers each process at its own pid', async () => {
    const server = spawn(pong)
    const alice = inProcess((ctx) => pingOnce(ctx, server))
    const bob = inProcess((ctx) => pingOnce(ctx, server))
    await clock.advance(100)
    expect(
      [alice.value, bob.value],
      t(
        "each client must get its own 'pong': send it to the pid that came with that ping",
        "클라이언트마다 자기 몫의 'pong'을 받아야 합니다: 그 핑에 담겨 온 pid로 보내세요",
      ),
    ).toEqual(['pong', 'pong'])
  })

  it('stays alive while it waits for the next ping', async () => {
    const server = spawn(pong)
    await clock.advance(1000)
    expect(
      Process.isAlive(server),
      t(
        'the pong process ended: its body must keep waiting for pings (did it throw?)',
        'pong 프로세스가 끝났습니다: 본문이 계속 핑을 기다려야 합니다(예외를 던졌나요?)',
      ),
    ).toBe(true)
  })
})

describe('task 2: play n rounds', () => {
  it('plays the rounds and returns how many it played', async () => {
    const partner = testPong()
    const player = inProcess((ctx) => pinger(ctx, partner.pid, 5))
    await clock.advance(100)
    expectReturned(player)
    expect(
      player.value,
      t(
        'pinger should return the number of rounds played',
        'pinger는 진행한 라운드 수를 반환해야 합니다',
      ),
    ).toBe(5)
    expect(
      partner.pings.length,
      t(
        'the pong process should have received 5 pings',
        'pong 프로세스가 핑 5개를 받았어야 합니다',
      ),
    ).toBe(5)
    expect(
      partner.pings.every((ping) => ping.from === player.pid),
      t(
        "each ping must be { ping: ctx.self }: the pinger's own pid, so that pong knows where to answer",
        '각 핑은 { ping: ctx.self }여야 합니다: pinger 자신의 pid를 담아야 pong이 어디로 답할지 압니다',
      ),
    ).toBe(true)
  })

  it('sends the next ping only after the pong for the last one arrived', async () => {
    const partner = testPong({ replyAfter: 100 })
    const player = inProcess((ctx) => pinger(ctx, partner.pid, 3))
    await clock.advance(400)
    expectReturned(player)
    expect(
      partner.pings.map((ping) => ping.at),
      t(
        'this pong answers 100 ms after each ping, so pings should go out at 0, 100 and 200 ms: wait for each pong (await ctx.receive) before the next ping',
        '이 pong은 핑마다 100ms 뒤에 답하므로 핑은 0, 100, 200ms에 나가야 합니다: 다음 핑을 보내기 전에 퐁을 기다리세요(await ctx.receive)',
      ),
    ).toEqual([0, 100, 200])
    expect(player.value).toBe(3)
  })

  it('plays zero rounds without sending anything', async () => {
    const partner = testPong()
    const player = inProcess((ctx) => pinger(ctx, partner.pid, 0))
    await clock.advance(100)
    expectReturned(player)
    expect(player.value, t('zero rounds: return 0', '0라운드: 0을 반환하세요')).toBe(0)
    expect(partner.pings, t('zero rounds: send no ping', '0라운드: 핑을 보내지 마세요')).toEqual([])
  })

  it('plays against your pong from task 1', async () => {
    const server = spawn(pong)
    const player = inProcess((ctx) => pinger(ctx, server, 3))
    await clock.advance(100)
    expectReturned(player)
    expect(
      player.value,
      t('three rounds against pong from task 1', '태스크 1의 pong을 상대로 세 라운드'),
    ).toBe(3)
  })
})

describe('task 3: keep other mail for later', () => {
  it('leaves messages that are not pongs in the mailbox, in their order', async () => {
    const partner = testPong()
    const player = inProcess(async (ctx) => {
      ctx.send(ctx.self, 'hello')
      ctx.send(ctx.self, { note: 'not a pong either' })
      const played = await pinger(ctx, partner.pid, 2)
      return { played, leftInMailbox: await drain(ctx) }
    })
    await clock.advance(100)
    expectReturned(player)
    expect(player.value?.played).toBe(2)
    expect(
      player.value?.leftInMailbox,
      t(
        "pinger took messages that were not pongs: pass receive a match function that accepts only 'pong', and the others stay in the mailbox, in order",
        "pinger가 퐁이 아닌 메시지를 꺼냈습니다: receive에 'pong'만 받아들이는 match 함수를 넘기면 나머지는 순서대로 메일박스에 남습니다",
      ),
    ).toEqual(['hello', { note: 'not a pong either' }])
  })

  it('does not count other messages as pongs', async () => {
    // This pong sends a distraction at once and the real answer 100 ms later.
    const partner = testPong({ replyAfter: 100, distraction: 'pang' })
    const player = inProcess((ctx) => pinger(ctx, partner.pid, 3))
    await clock.advance(400)
    expectReturned(player)
    expect(
      partner.pings.map((ping) => ping.at),
      t(
        "pinger went on before the real 'pong' arrived: it took 'pang' for a pong. Receive only 'pong'",
        "진짜 'pong'이 오기 전에 pinger가 다음으로 넘어갔습니다: 'pang'을 퐁으로 착각했습니다. 'pong'만 받으세요",
      ),
    ).toEqual([0, 100, 200])
  })
})

describe('task 4: give up when pong is gone', () => {
  it('gives up after `timeout` ms without a pong and returns the rounds played', async () => {
    const partner = testPong({ answers: 2 })
    const player = inProcess((ctx) => pinger(ctx, partner.pid, 5, 500))
    await clock.advance(499)
    expect(
      player.done,
      t(
        `pinger stopped before 500 ms had passed without a pong${describeEnd(player)}`,
        `퐁 없이 500ms가 지나기 전에 pinger가 멈췄습니다${describeEnd(player)}`,
      ),
    ).toBe(false)
    await clock.advance(1)
    expect(
      player.done,
      t(
        'pinger still waits 500 ms after its last unanswered ping: pass { timeout } to receive and stop when it resolves to TIMEOUT',
        '답이 없는 마지막 핑 이후 500ms가 지났는데도 pinger가 아직 기다립니다: receive에 { timeout }을 넘기고, TIMEOUT으로 resolve되면 멈추세요',
      ),
    ).toBe(true)
    expectReturned(player)
    expect(
      player.value,
      t(
        'two pings were answered, so two rounds were played',
        '핑 두 개에 답이 왔으니 두 라운드를 진행한 것입니다',
      ),
    ).toBe(2)
  })

  it('waits 1000 ms by default, then returns 0 against a process that has exited', async () => {
    const gone = spawn(async () => {})
    await clock.settle()
    const player = inProcess((ctx) => pinger(ctx, gone, 3))
    await clock.advance(999)
    expect(
      player.done,
      t(
        `pinger stopped before its default 1000 ms${describeEnd(player)}`,
        `기본값 1000ms가 지나기 전에 pinger가 멈췄습니다${describeEnd(player)}`,
      ),
    ).toBe(false)
    await clock.advance(1)
    expect(
      player.done,
      t(
        'a ping to an exited process is dropped without an error, so only a timeout ends the wait; the default timeout is 1000 ms',
        '종료된 프로세스로 보낸 핑은 에러 없이 버려지므로 타임아웃만이 기다림을 끝냅니다. 기본 타임아웃은 1000ms입니다',
      ),
    ).toBe(true)
    expectReturned(player)
    expect(player.value).toBe(0)
  })

  it('gives each round its own timeout, not one for the whole game', async () => {
    const partner = testPong({ replyAfter: 400 })
    const player = inProcess((ctx) => pinger(ctx, partner.pid, 3, 500))
    await clock.advance(1300)
    expectReturned(player)
    expect(
      player.value,
      t(
        'each pong came 400 ms after its ping, within the 500 ms timeout: the timeout applies to each receive, not to all rounds together',
        '퐁은 모두 핑 400ms 뒤, 500ms 타임아웃 안에 왔습니다: 타임아웃은 라운드 전체가 아니라 receive 하나하나에 적용됩니다',
      ),
    ).toBe(3)
  })
})

// Helpers ---------------------------------------------------------------------------------

interface Outcome<T> {
  /** The process that runs the code. */
  pid: Pid
  done: boolean
  value?: T
  error?: unknown
}

/** Runs `body` in a new process (a test itself is not a process); `outcome` says how it ended. */
function inProcess<T>(body: (ctx: ProcessContext) => Promise<T>): Outcome<T> {
  const outcome = { done: false } as Outcome<T>
  outcome.pid = spawn(async (ctx) => {
    try {
      outcome.value = await body(ctx)
    } catch (error) {
      outcome.error = error
    } finally {
      outcome.done = true
    }
  })
  return outcome
}

/** Fails with pinger's own error if it threw (its stack points into your code). */
function expectReturned(outcome: Outcome<unknown>): void {
  if (outcome.error instanceof Error) throw outcome.error
  expect(outcome.error, t('pinger threw', 'pinger가 예외를 던졌습니다')).toBeUndefined()
  expect(
    outcome.done,
    t(
      'pinger never returned: is it still waiting for a pong?',
      'pinger가 끝내 반환하지 않았습니다: 아직 퐁을 기다리고 있나요?',
    ),
  ).toBe(true)
}

function describeEnd(outcome: Outcome<unknown>): string {
  return outcome.error
    ? t(` (it threw ${outcome.error})`, ` (던진 예외: ${outcome.error})`)
    : t(` (it returned ${outcome.value})`, ` (반환값: ${outcome.value})`)
}

/** Sends one ping to `server` and waits up to 100 ms for the answer. */
async function pingOnce(ctx: ProcessContext, server: Pid) {
  ctx.send(server, { ping: ctx.self } satisfies Ping)
  return ctx.receive({ timeout: 100 })
}

/** Every message waiting in the mailbox, in order. */
async function drain(ctx: ProcessContext): Promise<unknown[]> {
  const messages = []
  for (
    let m = await ctx.receive({ timeout: 0 });
    m !== TIMEOUT;
    m = await ctx.receive({ timeout: 0 })
  )
    messages.push(m)
  return messages
}

/**
 * A pong written for the tests: it records each ping (who, and when on the virtual clock) and
 * answers after `replyAfter` ms, at most `answers` times, sending `distraction` first if given.
 */
function testPong(options: { replyAfter?: number; answers?: number; distraction?: string } = {}) {
  const { replyAfter = 0, answers = Number.POSITIVE_INFINITY, distraction } = options
  const pings: { from: Pid; at: number }[] = []
  const pid = spawn<Ping>(async (ctx) => {
    for (;;) {
      const { ping: from } = await ctx.receive()
      pings.push({ from, at: clock.now() })
      if (pings.length > answers) continue
      if (distraction !== undefined) ctx.send(from, distraction)
      if (replyAfter > 0) Process.sendAfter(from, 'pong', replyAfter)
      else ctx.send(from, 'pong')
    }
  })
  return { pid, pings }
}
