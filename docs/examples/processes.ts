/**
 * Chapter 1's samples: processes, messages and receive. The chapter includes
 * the regions of this file, and `processes.test.ts` runs them, so the page
 * cannot show code that does not work.
 */
import {
  makeRef,
  type Pid,
  type ProcessContext,
  type Ref,
  spawn,
  TIMEOUT,
} from 'letitcrash'

// #region echo
/** What the echo process expects: who to answer, and what to say back. */
export interface Shout {
  readonly from: Pid
  readonly text: string
}

/** A process that answers one message in capitals, then ends. */
export function startEcho(): Pid {
  return spawn<Shout>(async (ctx) => {
    const { from, text } = await ctx.receive()
    ctx.send(from, text.toUpperCase())
  })
}
// #endregion echo

// #region tally
/** What a tally understands: add to the total, or send the total to `from`. */
export type TallyMessage =
  | readonly [tag: 'add', amount: number]
  | readonly [tag: 'total', from: Pid]

/**
 * The body of a tally process. Its state is a local variable of its loop: no
 * other code can touch it, so it needs no lock. Messages are handled one at a
 * time, in the order they arrived.
 */
export async function tally(ctx: ProcessContext<TallyMessage>): Promise<never> {
  let total = 0
  for (;;) {
    const message = await ctx.receive()
    switch (message[0]) {
      case 'add':
        total += message[1]
        break
      case 'total':
        ctx.send(message[1], ['total', total])
        break
    }
  }
}
// #endregion tally

// #region ask
/** A question tagged with a fresh ref, so its answer cannot be mistaken. */
export interface Question {
  readonly from: Pid
  readonly ref: Ref
  readonly question: string
}
export type Answer = readonly [ref: Ref, answer: string]

/**
 * Asks `oracle` a question from inside the process `ctx`, and waits for the
 * answer to this question. Other messages stay in the mailbox for later.
 * Gives up after `timeout` ms.
 */
export async function ask(
  ctx: ProcessContext,
  oracle: Pid,
  question: string,
  timeout = 1000,
): Promise<string | 'no answer'> {
  const ref = makeRef()
  ctx.send(oracle, { from: ctx.self, ref, question } satisfies Question)
  const isAnswer = (message: unknown): message is Answer =>
    Array.isArray(message) && message[0] === ref
  const reply = await ctx.receive(isAnswer, { timeout })
  return reply === TIMEOUT ? 'no answer' : reply[1]
}
// #endregion ask

/** An oracle that answers every question with `answer`, `delay` ms later. */
export function startOracle(answer: string, delay = 0): Pid {
  return spawn<Question>(async (ctx) => {
    for (;;) {
      const { from, ref } = await ctx.receive()
      // Elixir's Process.sleep/1: wait for a message that never comes.
      if (delay > 0) await ctx.receive(() => false, { timeout: delay })
      ctx.send(from, [ref, answer] satisfies Answer)
    }
  })
}
