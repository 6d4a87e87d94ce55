/**
 * Risky work in its own process: the caller gets a result or a reason, never a crash.
 *
 * - `inParallel` (task 1) runs jobs side by side in linked tasks.
 * - `execute` (task 2) runs one risky operation in a supervised task that is not linked.
 * - `Runner` (task 3) is a GenServer that runs risky work for its callers and answers each
 *   one when its task is done, without ever waiting for a task itself.
 *
 * Read README.md for the tasks.
 */
import { type ExitReason, GenServer, type ProcessContext, type Ref } from 'letitcrash'

/** The Task.Supervisor that runs the risky work (the tests start it before they need it). */
export const TASKS = 'risky.tasks'

/** Work that may fail; it runs in a task process, which it gets as `ctx`. */
export type Operation<T> = (ctx: ProcessContext) => T | Promise<T>

/** Elixir's `{:ok, result}` or `{:error, reason}`. */
export type Outcome<T> = readonly ['ok', T] | readonly ['error', ExitReason]

/**
 * Task 1: runs every job in its own task linked to the caller `ctx`, all at once, and returns
 * their results in the order of `jobs`.
 * @example const [user, posts] = await inParallel(ctx, [loadUser, loadPosts])
 */
export async function inParallel<T>(
  ctx: ProcessContext,
  jobs: readonly Operation<T>[],
): Promise<T[]> {
  // TODO: start a task for every job with Task.async, then await them all.
  throw new Error(`TODO: run ${jobs.length} jobs in parallel for ${ctx.self} (task 1)`)
}

/**
 * Task 2: runs `operation` in a task of the `TASKS` supervisor that is not linked to the
 * caller, and waits at most `timeout` ms: `['ok', result]`, `['error', reason]` if it crashed,
 * or `['error', 'timeout']` (after stopping the task) if it took too long.
 * @example const outcome = await execute(ctx, () => callFlakyService(), 2000)
 */
export async function execute<T>(
  ctx: ProcessContext,
  operation: Operation<T>,
  timeout = 5_000,
): Promise<Outcome<T>> {
  // TODO: Task.Supervisor.asyncNolink, then Task.yield; Task.shutdown a task that is too slow.
  throw new Error(
    `TODO: execute ${operation.name || 'an operation'} for ${ctx.self} within ${timeout} ms (task 2)`,
  )
}

// Client

/** Task 3: runs `operation` through the runner and resolves with its outcome. */
export function run<T>(runner: GenServer.Server, operation: Operation<T>): Promise<Outcome<T>> {
  return GenServer.call(runner, ['run', operation] satisfies RunnerCall)
}

// Server (callbacks)

type RunnerCall = readonly ['run', Operation<unknown>]

/** The callers still waiting, by the ref of the task that runs their work. */
type Waiting = ReadonlyMap<Ref, GenServer.From<Outcome<unknown>>>

/** Task 3: the runner. */
export const Runner = {
  init: () => ['ok', new Map()],
  handleCall([, operation]: RunnerCall, from, waiting) {
    // TODO: start the operation in a task of TASKS (not linked to the runner), remember who
    // waits for it, and return ['noreply', ...]: the answer comes later.
    throw new Error(
      `TODO: run ${operation.name || 'the operation'} for ${from.pid} in a task (task 3); ${waiting.size} callers wait already`,
    )
  },
  handleInfo(message: unknown, waiting) {
    // TODO: a task's result ({ ref, result }) or its DOWN ({ type: 'DOWN', ref, reason })
    // arrives here: answer the caller waiting for that ref with GenServer.reply(from, outcome).
    throw new Error(
      `TODO: answer the caller of ${JSON.stringify(message)} (task 3); ${waiting.size} waiting`,
    )
  },
} satisfies GenServer.Behaviour<Waiting, undefined, RunnerCall, never, Outcome<unknown>>
