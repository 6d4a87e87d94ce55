/**
 * Risky work in its own process: the caller gets a result or a reason, never a crash.
 *
 * - `inParallel` runs jobs side by side with `Task.async`: linked tasks, for work whose failure
 *   should take the caller down with it.
 * - `execute` runs one risky operation with `Task.Supervisor.asyncNolink`: a crash in it is
 *   reported to the caller as `['error', reason]`, and an operation that takes too long is
 *   stopped.
 * - `Runner` is a GenServer that runs risky work for its callers without ever waiting for it
 *   itself: it starts a task, answers the caller when the task's outcome arrives as a message,
 *   and stays free for other requests meanwhile.
 */
import {
  type DownMessage,
  type ExitReason,
  GenServer,
  type ProcessContext,
  type Ref,
  Task,
} from 'letitcrash'

/** The Task.Supervisor that runs the risky work (the application starts it before using it). */
export const TASKS = 'risky.tasks'

/** Work that may fail; it runs in a task process, which it gets as `ctx`. */
export type Operation<T> = (ctx: ProcessContext) => T | Promise<T>

/** Elixir's `{:ok, result}` or `{:error, reason}`. */
export type Outcome<T> = readonly ['ok', T] | readonly ['error', ExitReason]

// #region parallel
/**
 * Runs every job in its own linked task, all at once, and returns their results in order.
 * A job that crashes takes the caller down: these jobs are part of the caller's own work.
 */
export async function inParallel<T>(
  ctx: ProcessContext,
  jobs: readonly Operation<T>[],
): Promise<T[]> {
  // Start them all first, then wait: awaiting each right after starting it would run them
  // one after another.
  const tasks = jobs.map((job) => Task.async(ctx, job))
  return Task.awaitMany(tasks)
}
// #endregion parallel

// #region execute
/**
 * Runs `operation` in a supervised task that is not linked to the caller, and waits at most
 * `timeout` ms for it. A crash comes back as `['error', reason]`; a task still running after
 * `timeout` is shut down and reported as `['error', 'timeout']`.
 */
export async function execute<T>(
  ctx: ProcessContext,
  operation: Operation<T>,
  timeout = 5_000,
): Promise<Outcome<T>> {
  const task = await Task.Supervisor.asyncNolink(ctx, TASKS, operation)
  // `yield` leaves a slow task running; `shutdown` stops it, unless its result came in just now.
  const outcome = (await Task.yield(task, timeout)) ?? (await Task.shutdown(task))
  if (outcome === undefined) return ['error', 'timeout']
  return outcome[0] === 'ok' ? outcome : ['error', outcome[1]]
}
// #endregion execute

// #region runner
// Client

/** Runs `operation` through the runner and resolves with its outcome; the runner never crashes. */
export function run<T>(runner: GenServer.Server, operation: Operation<T>): Promise<Outcome<T>> {
  return GenServer.call(runner, ['run', operation] satisfies RunnerCall)
}

// Server (callbacks)

type RunnerCall = readonly ['run', Operation<unknown>]

/** The callers still waiting, by the ref of the task that runs their work. */
type Waiting = ReadonlyMap<Ref, GenServer.From<Outcome<unknown>>>

export const Runner = {
  init: () => ['ok', new Map()],
  async handleCall([, operation]: RunnerCall, from, waiting) {
    const task = await Task.Supervisor.asyncNolink(this, TASKS, operation)
    // No reply yet: the runner must not wait for the task, or it could serve no one else.
    return ['noreply', new Map(waiting).set(task.ref, from)]
  },
  handleInfo(message: Task.TaskReply | DownMessage, waiting) {
    const from = waiting.get(message.ref)
    if (from === undefined) return ['noreply', waiting]
    if (isDown(message)) {
      GenServer.reply(from, ['error', message.reason])
    } else {
      // The result is in; the task's DOWN (reason 'normal') would only be noise now.
      this.demonitor(message.ref, { flush: true })
      GenServer.reply(from, ['ok', message.result])
    }
    const rest = new Map(waiting)
    rest.delete(message.ref)
    return ['noreply', rest]
  },
} satisfies GenServer.Behaviour<
  Waiting,
  undefined,
  RunnerCall,
  never,
  Outcome<unknown>,
  Task.TaskReply | DownMessage
>

function isDown(message: Task.TaskReply | DownMessage): message is DownMessage {
  return (message as DownMessage).type === 'DOWN'
}
// #endregion runner
