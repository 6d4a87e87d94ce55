/**
 * Chapter 6's samples: tasks, linked and unlinked, and the article's
 * `RiskyOperation`. `tasks.test.ts` runs them on a virtual clock, so "slow"
 * lookups take no real time.
 */
import { type ProcessContext, Task } from 'letitcrash'

/** Waits `ms` on the node's clock, like Elixir's `Process.sleep/1`. */
export async function sleep(ctx: ProcessContext, ms: number): Promise<void> {
  // A match that accepts nothing: no message is taken, only the time passes.
  await ctx.receive(() => false, { timeout: ms })
}

// #region start
/** Work in the background: nobody waits for it, and nobody hears of it. */
export function remindLater(text: string, log: (line: string) => void) {
  return Task.start(async (ctx) => {
    await sleep(ctx, 5000)
    log(`reminder: ${text}`)
  })
}
// #endregion start

// #region async
/** Two slow lookups at once: the quote takes as long as the slower one. */
export async function quote(ctx: ProcessContext, item: string) {
  const price = Task.async(ctx, (task) => lookUpPrice(task, item))
  const shipping = Task.async(ctx, (task) => lookUpShipping(task, item))
  // Both tasks run now; the caller waits for each result in turn.
  return (await Task.await(price)) + (await Task.await(shipping))
}
// #endregion async

/** A price service that answers after 300 ms, and knows nothing of anvils. */
export async function lookUpPrice(ctx: ProcessContext, item: string) {
  await sleep(ctx, 300)
  if (item === 'anvil') throw new Error(`no price for ${item}`)
  return 40
}

/** A shipping service that answers after 200 ms. */
export async function lookUpShipping(ctx: ProcessContext, _item: string) {
  await sleep(ctx, 200)
  return 2
}

// #region yield
/**
 * Waits up to `ms` for a task. If it is still running then, stops it, unless
 * its result arrives meanwhile. Elixir: `Task.yield(task, ms) || Task.shutdown(task)`.
 */
export async function resultWithin<T>(task: Task.Task<T>, ms: number) {
  return (await Task.yield(task, ms)) ?? (await Task.shutdown(task))
}
// #endregion yield

// #region risky
/** The name of the task supervisor; the application's tree starts it. */
export const TASKS = 'risky.tasks'

/**
 * The article's `RiskyOperation.execute`: runs `operation` in a task of the
 * task supervisor. The caller monitors the task but is not linked to it, so a
 * crash of the task reaches the caller as a value, never as an exit signal.
 */
export function execute<T>(ctx: ProcessContext, operation: Task.TaskFn<T>) {
  return Task.Supervisor.asyncNolink(ctx, TASKS, operation)
}
// #endregion risky
