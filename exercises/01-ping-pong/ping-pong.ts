/**
 * Ping-pong: two processes that share nothing and talk only by messages.
 *
 * `pong` is the body of a process that answers every ping; `pinger` plays rounds against it
 * from inside another process. Read README.md for the tasks.
 */
import type { Pid, ProcessContext, Timeout } from 'letitcrash'

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
  // TODO: wait for a ping, send 'pong' to the pid in it, and go back to waiting.
  throw new Error(`TODO: answer pings (task 1), in ${ctx.self}`)
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
  // TODO: send { ping: ctx.self } to pong and wait for 'pong', `rounds` times (task 2).
  // TODO: receive only 'pong', leave every other message where it is (task 3).
  // TODO: wait at most `timeout` ms for each pong; if none comes, stop (task 4).
  throw new Error(
    `TODO: play ${rounds} rounds against ${pong} with a ${timeout} ms timeout (tasks 2 to 4), in ${ctx.self}`,
  )
}
