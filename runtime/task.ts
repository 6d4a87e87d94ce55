/**
 * Task: run one function in its own process and collect its result (Elixir's `Task`).
 *
 * `Task.async(ctx, fn)` starts a process running `fn`, linked to the caller and monitored by
 * it. When `fn` returns, the task sends the caller `{ ref, result }` (Elixir's `{ref, result}`)
 * and exits normally. `Task.await(task)` takes that message from the caller's mailbox.
 *
 * @example
 * spawn(async (ctx) => {
 *   const task = Task.async(ctx, () => expensiveSum())
 *   const other = doOtherWork()
 *   console.log(other + (await Task.await(task)))
 * })
 *
 * Because the task is linked, a crash in it takes the caller down (use
 * `Task.Supervisor.asyncNolink` when it must not). `Task.await` fails after 5 s by default;
 * in Elixir that exits the caller. Here it rejects with a `CallTimeoutError`: left uncaught in
 * a process body it crashes the caller the same way, and the linked task goes down with it.
 * A caller that catches it carries on, and nothing of that task ever reaches it later: the
 * reply only goes out while the caller still monitors the task (Elixir's alias), and `await`
 * drops the monitor on timeout. The task itself keeps working.
 *
 * Code outside any process (a script, a test) may call `Task.async(fn)`: the task is not
 * linked to anything, and `await`/`yield` work on it just the same.
 *
 * `fn` runs inside the task process and gets that process's context, so it can `receive`.
 * An owner waits on one of its tasks at a time (a process has one pending receive); use
 * `awaitMany`/`yieldMany` for several.
 *
 * @see https://hexdocs.pm/elixir/Task.html
 */
import type { ChildSpec } from './child-spec.ts'
import type { Clock } from './clock.ts'
import { CallTimeoutError, ExitError, type FailedCall, NoProcError } from './errors.ts'
import type { ExitReason } from './exit-reason.ts'
import { getDefaultNode, type Node, startingParent } from './node.ts'
import type { Pid, Ref } from './pid.ts'
import { assertContext, linkBoth, type Process } from './process.ts'
import { type DownMessage, type ProcessContext, TIMEOUT } from './process-context.ts'
import { hostInbox, type Inbox, processInbox } from './task-inbox.ts'
import {
  assertFunction,
  assertKnownKeys,
  assertObject,
  assertTimeout,
  describeGot,
  type Timeout,
} from './validate.ts'

export * as Supervisor from './task-supervisor.ts'

/** A task's function: runs inside the task process, which it gets as `ctx`. */
export type TaskFn<T> = (ctx: ProcessContext) => T | Promise<T>

/** The message a task sends its owner when `fn` returns: Elixir's `{ref, result}`. */
export interface TaskReply<T = unknown> {
  readonly ref: Ref
  readonly result: T
}

/** `{:ok, result}` or `{:exit, reason}`; `yield` gives `undefined` for Elixir's `nil`. */
export type YieldResult<T> =
  | readonly [tag: 'ok', result: T]
  | readonly [tag: 'exit', reason: ExitReason]

/** A running task, Elixir's `%Task{pid, ref, owner}`. Only its owner may await it. */
export class Task<T = unknown> {
  /** @internal */
  constructor(
    readonly pid: Pid,
    /** The owner's monitor on the task; its reply and `DOWN` carry it. */
    readonly ref: Ref,
    /** The owner's pid; the node's host pid for a task started outside any process. */
    readonly owner: Pid,
    /** @internal */ readonly process: Process,
    /** @internal */ readonly inbox: Inbox,
    /** @internal */ readonly ownerProcess: Process | undefined,
  ) {}

  /** @internal Types only: what the task resolves to. */
  declare readonly resultType?: T

  toJSON(): object {
    return { pid: this.pid, ref: this.ref, owner: this.owner }
  }
}

// --- Starting tasks ------------------------------------------------------------------------

/**
 * Runs `fn` in a new process linked to the caller `ctx` and monitored by it; await it with
 * `Task.await`. Without `ctx` (outside any process) the task is linked to nothing.
 * `Task.async/1`
 * @example const task = Task.async(ctx, () => fetchUser(id))
 */
export function async<T>(ctx: ProcessContext, fn: TaskFn<T>): Task<T>
export function async<T>(fn: TaskFn<T>): Task<T>
export function async<T>(ctxOrFn: ProcessContext | TaskFn<T>, maybeFn?: TaskFn<T>): Task<T> {
  if (typeof ctxOrFn === 'function' && maybeFn === undefined) {
    return spawnTask(getDefaultNode(), ctxOrFn, {})
  }
  assertContext(ctxOrFn)
  assertFunction(maybeFn, 'fn')
  ctxOrFn.assertAlive()
  return spawnTask(ctxOrFn.node, maybeFn, { owner: ctxOrFn, parent: ctxOrFn })
}

/**
 * Starts a task nobody awaits, linked to nothing. `Task.start/1`
 * @example Task.start(() => sendWelcomeEmail(user))
 */
export function start(fn: TaskFn<unknown>): readonly ['ok', Pid] {
  assertFunction(fn, 'fn')
  return ['ok', getDefaultNode().spawnProcess(fn, { behaviour: 'Task' }).pid]
}

/**
 * Starts a task nobody awaits, linked to the supervisor starting it (or `options.parent`).
 * `Task.start_link/1`
 * @example
 * await Supervisor.startChild('sup', {
 *   id: 'warmup', start: () => Task.startLink(() => warmCache()), restart: 'temporary',
 * })
 */
export function startLink(
  fn: TaskFn<unknown>,
  options: { readonly parent?: ProcessContext } = {},
): readonly ['ok', Pid] {
  assertFunction(fn, 'fn')
  assertObject(options, 'options')
  assertKnownKeys(options, ['parent'])
  if (options.parent !== undefined) assertContext(options.parent, 'options.parent')
  const parent = (options.parent as Process | undefined) ?? startingParent()
  const node = parent?.node ?? getDefaultNode()
  return ['ok', node.spawnProcess(fn, { link: parent, behaviour: 'Task' }).pid]
}

/**
 * A child spec that runs `fn` as a `temporary` supervised task. `Task.child_spec/1`
 * @example Supervisor.startLink([[Task, () => warmCache()]], { strategy: 'one_for_one' })
 */
export function childSpec(fn: TaskFn<unknown>): ChildSpec {
  assertFunction(fn, 'fn')
  return { id: 'Task', start: () => startLink(fn), restart: 'temporary' }
}

// --- Awaiting ------------------------------------------------------------------------------

/**
 * Waits for the task's result. Rejects with `CallTimeoutError` after `timeout` ms (default
 * 5000), after which nothing of the task arrives any more; rejects with an `ExitError` carrying
 * the task's reason if it exits first. `Task.await/2`
 * @example const user = await Task.await(task, 10_000)
 */
async function awaitTask<T>(task: Task<T>, timeout: Timeout = 5000): Promise<T> {
  assertTask(task)
  assertTimeout(timeout)
  const failed: FailedCall = { fn: 'Task.await', args: [task, timeout] }
  const message = await task.inbox.receive(outcomeOf(task), timeout)
  forget(task)
  if (message === TIMEOUT) throw new CallTimeoutError(failed)
  if (isDown(message)) throw exitError(message.reason, failed)
  return (message as TaskReply<T>).result
}

/**
 * Waits up to `timeout` ms (default 5000): `['ok', result]`, `['exit', reason]` if the task
 * died, or `undefined` if it is still running (it keeps running; yield again later).
 * `Task.yield/2`
 * @example const answer = (await Task.yield(task, 1000)) ?? (await Task.shutdown(task))
 */
async function yieldTask<T>(
  task: Task<T>,
  timeout: Timeout = 5000,
): Promise<YieldResult<T> | undefined> {
  assertTask(task)
  assertTimeout(timeout)
  const message = await task.inbox.receive(outcomeOf(task), timeout)
  return message === TIMEOUT ? undefined : settle(task, message)
}

export { awaitTask as await, yieldTask as yield }

/**
 * Awaits several tasks of one owner; results in the order of `tasks`. Fails on the first task
 * that exits, or when `timeout` (for all of them together) passes. `Task.await_many/2`
 * @example
 * const tasks = [Task.async(ctx, () => getUser(id)), Task.async(ctx, () => getPosts(id))]
 * const [user, posts] = await Task.awaitMany(tasks)
 */
export async function awaitMany<T>(
  tasks: readonly Task<T>[],
  timeout: Timeout = 5000,
): Promise<T[]> {
  const failed: FailedCall = { fn: 'Task.awaitMany', args: [tasks, timeout] }
  const outcomes = await receiveMany(tasks, timeout, true)
  const down = [...outcomes.values()].find(isDown)
  if (down !== undefined || tasks.some((task) => !outcomes.has(task))) {
    for (const task of tasks) forget(task)
    throw down === undefined ? new CallTimeoutError(failed) : exitError(down.reason, failed)
  }
  return tasks.map((task) => (outcomes.get(task) as TaskReply<T>).result)
}

/**
 * Yields several tasks of one owner within `timeout` (for all together): `[task, result]`
 * pairs in the order of `tasks`, `undefined` for those still running. `Task.yield_many/2`
 * @example
 * for (const [task, result] of await Task.yieldMany(tasks, 1000))
 *   if (result === undefined) await Task.shutdown(task, 'brutal_kill')
 */
export async function yieldMany<T>(
  tasks: readonly Task<T>[],
  timeout: Timeout = 5000,
): Promise<Array<[task: Task<T>, result: YieldResult<T> | undefined]>> {
  const outcomes = await receiveMany(tasks, timeout, false)
  return tasks.map((task) => {
    const message = outcomes.get(task)
    return [task, message === undefined ? undefined : settle(task, message)]
  })
}

/**
 * Stops the task: unlinks it from its owner, sends it `shutdown` and waits up to `timeout` ms
 * (default 5000) before killing it; `'brutal_kill'` kills at once. Resolves with
 * `['ok', result]` if its result came in meanwhile, `['exit', reason]` if it had died of
 * something else, otherwise `undefined`. `Task.shutdown/2`
 * @example const outcome = (await Task.yield(task, 1000)) ?? (await Task.shutdown(task))
 */
export async function shutdown<T>(
  task: Task<T>,
  timeout: Timeout | 'brutal_kill' = 5000,
): Promise<YieldResult<T> | undefined> {
  assertTask(task)
  if (timeout !== 'brutal_kill') assertTimeout(timeout, 'timeout')
  const match = outcomeOf(task)
  if (!isMonitored(task)) {
    // Already awaited, or over with its outcome waiting: Elixir's `{:exit, :noproc}` if none.
    const waiting = await task.inbox.receive(match, 0)
    return waiting === TIMEOUT ? ['exit', 'noproc'] : settle(task, waiting)
  }
  const owner = task.ownerProcess
  if (owner !== undefined) {
    owner.links?.delete(task.process)
    task.process.links?.delete(owner)
  }
  const node = task.process.node
  const brutal = timeout === 'brutal_kill'
  node.exit(task.pid, brutal ? 'kill' : 'shutdown', task.owner)
  let message = await task.inbox.receive(match, brutal ? 'infinity' : timeout)
  if (message === TIMEOUT) {
    node.exit(task.pid, 'kill', task.owner)
    message = await task.inbox.receive(match, 'infinity')
  }
  const result = settle(task, message)
  return result[0] === 'exit' && result[1] === (brutal ? 'killed' : 'shutdown') ? undefined : result
}

// --- Internals -----------------------------------------------------------------------------

/**
 * @internal Starts a task process running `fn`, linked to `parent` (and to `owner` if
 * `linkOwner`), monitored by `owner` (code outside processes when there is none).
 */
export function spawnTask<T>(
  node: Node,
  fn: TaskFn<T>,
  options: { owner?: Process; parent?: Process; linkOwner?: boolean },
): Task<T> {
  const { owner, parent } = options
  owner?.assertAlive()
  const process = node.spawnProcess(
    async (ctx) => {
      const result = await fn(ctx)
      // Like Elixir's alias: the reply goes out only while the owner still monitors the task.
      if (isMonitored(task)) task.inbox.deliver({ ref: task.ref, result } satisfies TaskReply<T>)
    },
    { link: parent, behaviour: 'Task' },
  )
  if (options.linkOwner && owner !== undefined && owner !== parent) linkBoth(process, owner)
  const inbox = owner === undefined ? hostInbox(node) : processInbox(owner)
  const ref =
    owner === undefined
      ? node.watch(process, process.pid, (down) => inbox.deliver(down))
      : node.monitor(owner, process.pid)
  const task: Task<T> = new Task(process.pid, ref, owner?.pid ?? node.host, process, inbox, owner)
  return task
}

function isMonitored(task: Task<unknown>): boolean {
  return task.process.monitors?.has(task.ref) === true
}

/** Demonitors and flushes: after this, nothing of the task arrives any more. */
function forget(task: Task<unknown>): void {
  task.process.monitors?.delete(task.ref)
  task.inbox.forget(task.ref)
}

function settle<T>(task: Task<T>, message: unknown): YieldResult<T> {
  forget(task)
  return isDown(message) ? ['exit', message.reason] : ['ok', (message as TaskReply<T>).result]
}

/** Receives outcomes of `tasks` until all are in, `timeout` passes, or (with `stopOnDown`) one died. */
async function receiveMany<T>(
  tasks: readonly Task<T>[],
  timeout: Timeout,
  stopOnDown: boolean,
): Promise<Map<Task<T>, unknown>> {
  if (!Array.isArray(tasks))
    throw new TypeError(`Expected \`tasks\` to be an array of tasks, ${describeGot(tasks)}`)
  for (const [i, task] of tasks.entries()) assertTask(task, `tasks[${i}]`)
  assertTimeout(timeout)
  const outcomes = new Map<Task<T>, unknown>()
  if (tasks.length === 0) return outcomes
  if (tasks.some((task) => task.owner !== tasks[0].owner)) {
    throw new TypeError(
      'Expected `tasks` to belong to one owner; a process can only wait for its own tasks',
    )
  }
  const waiting = new Map(tasks.map((task) => [task.ref, task]))
  const clock: Clock = tasks[0].process.node.clock
  const deadline = timeout === 'infinity' ? Infinity : clock.now() + timeout
  while (waiting.size > 0) {
    const left = deadline === Infinity ? 'infinity' : Math.max(0, deadline - clock.now())
    const message: unknown = await tasks[0].inbox.receive(
      (m: unknown) => waiting.has((m as TaskReply | null)?.ref as Ref),
      left,
    )
    if (message === TIMEOUT) break
    const task = waiting.get((message as TaskReply).ref)!
    waiting.delete(task.ref)
    forget(task)
    outcomes.set(task, message)
    if (stopOnDown && isDown(message)) break
  }
  return outcomes
}

function outcomeOf(task: Task<unknown>): (message: unknown) => boolean {
  return (message) => (message as TaskReply | null)?.ref === task.ref
}

function isDown(message: unknown): message is DownMessage {
  return (message as DownMessage | null)?.type === 'DOWN'
}

function exitError(reason: ExitReason, failed: FailedCall): ExitError {
  return reason === 'noproc' ? new NoProcError(failed) : new ExitError(reason, failed)
}

function assertTask(task: unknown, argument = 'task'): asserts task is Task<unknown> {
  if (task instanceof Task) return
  throw new TypeError(
    `Expected \`${argument}\` to be a Task (from Task.async), ${describeGot(task)}`,
  )
}
