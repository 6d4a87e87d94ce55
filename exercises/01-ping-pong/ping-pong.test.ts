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
      "no 'pong' came back within 100 ms: does pong send 'pong' to the pid in the message's `ping` field?",
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
      'pong must answer every ping: after answering one, go back and wait for the next (a loop around receive)',
    ).toEqual(['pong', 'pong', 'pong'])
  })

  it('answers each process at its own pid', async () => {
    const server = spawn(pong)
    const alice = inProcess((ctx) => pingOnce(ctx, server))
    const bob = inProcess((ctx) => pingOnce(ctx, server))
    await clock.advance(100)
    expect(
      [alice.value, bob.value],
      "each client must get its own 'pong': send it to the pid that came with that ping",
    ).toEqual(['pong', 'pong'])
  })

  it('stays alive while it waits for the next ping', async () => {
    const server = spawn(pong)
    await clock.advance(1000)
    expect(
      Process.isAlive(server),
      'the pong process ended: its body must keep waiting for pings (did it throw?)',
    ).toBe(true)
  })
})

describe('task 2: play n rounds', () => {
  it('plays the rounds and returns how many it played', async () => {
    const partner = testPong()
    const player = inProcess((ctx) => pinger(ctx, partner.pid, 5))
    await clock.advance(100)
    expectReturned(player)
    expect(player.value, 'pinger should return the number of rounds played').toBe(5)
    expect(partner.pings.length, 'the pong process should have received 5 pings').toBe(5)
    expect(
      partner.pings.every((ping) => ping.from === player.pid),
      "each ping must be { ping: ctx.self }: the pinger's own pid, so that pong knows where to answer",
    ).toBe(true)
  })

  it('sends the next ping only after the pong for the last one arrived', async () => {
    const partner = testPong({ replyAfter: 100 })
    const player = inProcess((ctx) => pinger(ctx, partner.pid, 3))
    await clock.advance(400)
    expectReturned(player)
    expect(
      partner.pings.map((ping) => ping.at),
      'this pong answers 100 ms after each ping, so pings should go out at 0, 100 and 200 ms: wait for each pong (await ctx.receive) before the next ping',
    ).toEqual([0, 100, 200])
    expect(player.value).toBe(3)
  })

  it('plays zero rounds without sending anything', async () => {
    const partner = testPong()
    const player = inProcess((ctx) => pinger(ctx, partner.pid, 0))
    await clock.advance(100)
    expectReturned(player)
    expect(player.value, 'zero rounds: return 0').toBe(0)
    expect(partner.pings, 'zero rounds: send no ping').toEqual([])
  })

  it('plays against your pong from task 1', async () => {
    const server = spawn(pong)
    const player = inProcess((ctx) => pinger(ctx, server, 3))
    await clock.advance(100)
    expectReturned(player)
    expect(player.value, 'three rounds against pong from task 1').toBe(3)
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
      "pinger took messages that were not pongs: pass receive a match function that accepts only 'pong', and the others stay in the mailbox, in order",
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
      "pinger went on before the real 'pong' arrived: it took 'pang' for a pong. Receive only 'pong'",
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
      `pinger stopped before 500 ms had passed without a pong${describeEnd(player)}`,
    ).toBe(false)
    await clock.advance(1)
    expect(
      player.done,
      'pinger still waits 500 ms after its last unanswered ping: pass { timeout } to receive and stop when it resolves to TIMEOUT',
    ).toBe(true)
    expectReturned(player)
    expect(player.value, 'two pings were answered, so two rounds were played').toBe(2)
  })

  it('waits 1000 ms by default, then returns 0 against a process that has exited', async () => {
    const gone = spawn(async () => {})
    await clock.settle()
    const player = inProcess((ctx) => pinger(ctx, gone, 3))
    await clock.advance(999)
    expect(player.done, `pinger stopped before its default 1000 ms${describeEnd(player)}`).toBe(
      false,
    )
    await clock.advance(1)
    expect(
      player.done,
      'a ping to an exited process is dropped without an error, so only a timeout ends the wait; the default timeout is 1000 ms',
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
      'each pong came 400 ms after its ping, within the 500 ms timeout: the timeout applies to each receive, not to all rounds together',
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
  expect(outcome.error, 'pinger threw').toBeUndefined()
  expect(outcome.done, 'pinger never returned: is it still waiting for a pong?').toBe(true)
}

function describeEnd(outcome: Outcome<unknown>): string {
  return outcome.error ? ` (it threw ${outcome.error})` : ` (it returned ${outcome.value})`
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
