/**
 * Task.Supervisor: a supervisor for tasks (Elixir's `Task.Supervisor`), reached as
 * `Task.Supervisor`. It is a `DynamicSupervisor` whose children are `temporary` tasks: they
 * are never restarted, and they are stopped with the supervisor.
 *
 * `async` links the task to the caller, like `Task.async`. `asyncNolink` does not: a task that
 * crashes leaves the caller running; the caller gets a `DOWN` for it (and `Task.yield` gives
 * `['exit', reason]`). That is how a GenServer runs risky work without dying with it: it keeps
 * the task, and handles the reply `{ ref, result }` or the `DOWN` in `handleInfo`.
 *
 * These functions resolve once the supervisor has started the task, so they return promises
 * (Elixir's return the task at once).
 *
 * @example
 * await Task.Supervisor.startLink({ name: 'jobs' })
 *
 * // In a process (or a GenServer callback, with `this`):
 * const task = await Task.Supervisor.asyncNolink(ctx, 'jobs', () => callFlakyService())
 * const result = await Task.yield(task, 2000) // ['ok', value], ['exit', reason] or undefined
 *
 * @see https://hexdocs.pm/elixir/Task.Supervisor.html
 */
import type { ChildSpec, RestartType, Shutdown } from './child-spec.ts'
import * as DynamicSupervisor from './dynamic-supervisor.ts'
import { ExitError } from './errors.ts'
import type { OnStart, Server } from './gen-server.ts'
import { startingParent } from './node.ts'
import { isPid, type Pid } from './pid.ts'
import { assertContext } from './process.ts'
import type { ProcessContext } from './process-context.ts'
import { spawnTask, startLink as startLinkedTask, type Task, type TaskFn } from './task.ts'
import { assertFunction, assertKnownKeys, assertObject } from './validate.ts'

/** `name`, `parent`, `node`, and the flags `maxRestarts`, `maxSeconds`, `maxChildren`. */
export type Options = Omit<DynamicSupervisor.Options, 'strategy'>

/**
 * Starts a task supervisor linked to the caller (the supervisor starting it, or
 * `options.parent`). `Task.Supervisor.start_link/1`
 * @example await Task.Supervisor.startLink({ name: 'jobs', maxChildren: 100 })
 */
export function startLink(options: Options = {}): Promise<OnStart> {
  assertObject(options, 'options')
  assertKnownKeys(options, ['name', 'parent', 'node', 'maxRestarts', 'maxSeconds', 'maxChildren'])
  return DynamicSupervisor.startLink(options)
}

/**
 * A child spec that starts a task supervisor under a supervisor. `Task.Supervisor.child_spec/1`
 * @example Supervisor.startLink([[Task.Supervisor, { name: 'jobs' }]], { strategy: 'one_for_one' })
 */
export function childSpec(options: Options = {}): ChildSpec {
  assertObject(options, 'options')
  return {
    id: options.name ?? 'Task.Supervisor',
    start: () => startLink(options),
    type: 'supervisor',
  }
}

/**
 * Starts a task under `supervisor`, linked to the caller `ctx` and monitored by it; await it
 * with `Task.await`. `Task.Supervisor.async/2`
 * @example const task = await Task.Supervisor.async(ctx, 'jobs', () => render(page))
 */
export function async<T>(ctx: ProcessContext, supervisor: Server, fn: TaskFn<T>): Promise<Task<T>> {
  return startTask(ctx, supervisor, fn, true, 'Task.Supervisor.async')
}

/**
 * Starts a task under `supervisor`, monitored by the caller `ctx` but not linked to it: its
 * crash does not take the caller down; the caller gets a `DOWN` instead.
 * `Task.Supervisor.async_nolink/2`
 * @example
 * const task = await Task.Supervisor.asyncNolink(ctx, 'jobs', () => callFlakyService())
 * const outcome = await Task.yield(task) // ['exit', reason] if it crashed
 */
export function asyncNolink<T>(
  ctx: ProcessContext,
  supervisor: Server,
  fn: TaskFn<T>,
): Promise<Task<T>> {
  return startTask(ctx, supervisor, fn, false, 'Task.Supervisor.asyncNolink')
}

/**
 * Starts a fire-and-forget task under `supervisor` (not linked to the caller). `options`
 * may set `restart` (default `'temporary'`) and `shutdown` (default 5000).
 * `Task.Supervisor.start_child/3`
 * @example const [, pid] = await Task.Supervisor.startChild('jobs', () => sendEmail(user))
 */
export function startChild(
  supervisor: Server,
  fn: TaskFn<unknown>,
  options: { readonly restart?: RestartType; readonly shutdown?: Shutdown } = {},
): Promise<OnStart> {
  assertFunction(fn, 'fn')
  assertObject(options, 'options')
  assertKnownKeys(options, ['restart', 'shutdown'])
  return DynamicSupervisor.startChild(supervisor, {
    start: () => startLinkedTask(fn),
    restart: 'temporary',
    ...options,
  })
}

/**
 * The pids of the running tasks. `Task.Supervisor.children/1`
 * @example await Task.Supervisor.children('jobs') // [pid]
 */
export async function children(supervisor: Server): Promise<Pid[]> {
  const infos = await DynamicSupervisor.whichChildren(supervisor)
  return infos.flatMap((info) => (isPid(info.pid) ? [info.pid] : []))
}

/**
 * Stops the task `pid`. `Task.Supervisor.terminate_child/2`
 * @returns `['ok']` or `['error', 'not_found']`
 * @example await Task.Supervisor.terminateChild('jobs', task.pid) // ['ok']
 */
export function terminateChild(supervisor: Server, pid: Pid) {
  return DynamicSupervisor.terminateChild(supervisor, pid)
}

async function startTask<T>(
  ctx: ProcessContext,
  supervisor: Server,
  fn: TaskFn<T>,
  linkOwner: boolean,
  name: string,
): Promise<Task<T>> {
  assertContext(ctx)
  assertFunction(fn, 'fn')
  let task: Task<T> | undefined
  const started = await DynamicSupervisor.startChild(supervisor, {
    // Runs inside the supervisor: the task is its child, and the caller monitors it from birth,
    // so its reply cannot come before the caller is listening.
    start: () => {
      const parent = startingParent()
      task = spawnTask(parent?.node ?? ctx.node, fn, { owner: ctx, parent, linkOwner })
      return ['ok', task.pid]
    },
    restart: 'temporary',
  })
  if (started[0] !== 'ok' || task === undefined) {
    throw new ExitError(started[0] === 'error' ? started[1] : 'ignore', {
      fn: name,
      args: [supervisor, fn],
    })
  }
  return task
}
