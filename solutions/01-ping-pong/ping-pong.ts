/**
 * Ping-pong: two processes that share nothing and talk only by messages.
 *
 * `pong` is the body of a process that answers every ping; `pinger` plays rounds against it
 * from inside another process. Read README.md for the tasks.
 */
import { type Pid, type ProcessContext, TIMEOUT, type Timeout } from 'letitcrash'

/** What a pong process receives: a ping that says where to send the answer. */
export interface Ping {
  readonly ping: Pid
}

/** What a pong process answers. */
export type Pong = 'pong'

/**
 * Task 1: the body of a pong process. Answers every `{ ping: from }` with `'pong'`, sent to
 * `from`, and then waits for the next ping, forever.
 * @example const server = spawn(pong)
 */
export async function pong(ctx: ProcessContext<Ping>): Promise<never> {
  // A process keeps its state in its loop; this one has none. Elixir writes the loop as a
  // recursive function (`receive ... end; loop()`); a `for` loop is the same thing here.
  for (;;) {
    const { ping: from } = await ctx.receive()
    ctx.send(from, 'pong' satisfies Pong)
  }
}

/**
 * Tasks 2 to 4: plays `rounds` rounds against `pong` from the process `ctx` belongs to, one ping
 * at a time, and returns how many rounds were played. Leaves every message that is not a
 * pong in the mailbox (task 3). Gives up when a pong takes longer than `timeout` ms and returns
 * the rounds played until then (task 4).
 * @example const played = await pinger(ctx, server, 3) // 3
 */
export async function pinger(
  ctx: ProcessContext,
  pong: Pid,
  rounds: number,
  timeout: Timeout = 1000,
): Promise<number> {
  for (let played = 0; played < rounds; played++) {
    ctx.send(pong, { ping: ctx.self } satisfies Ping)
    // Selective receive: take the first 'pong', leave everything else queued, in order.
    const reply = await ctx.receive((message) => message === 'pong', { timeout })
    // A ping to an exited process vanishes without an error; only a timeout tells us.
    if (reply === TIMEOUT) return played
  }
  return rounds
}
