/**
 * What `Supervisor` and `DynamicSupervisor` share: starting a child so that it is linked to
 * its supervisor, stopping a child the OTP way (`shutdown`, then `kill` after its timeout),
 * deciding whether an exit calls for a restart, and a description of each supervisor that an
 * observer can read.
 * @internal
 */

import type { ChildType, FullChildSpec, RestartType, Shutdown } from './child-spec.ts'
import { BadReturnError } from './errors.ts'
import { type ExitReason, isNormalExit } from './exit-reason.ts'
import type { Behaviour, OnStart } from './gen-server.ts'
import { startProcess } from './gen-server.ts'
import { serve } from './gen-server-loop.ts'
import { assertName, type Name } from './names.ts'
import { getDefaultNode, type Node, startingChildrenOf, startingParent } from './node.ts'
import { isPid, type Pid, type Ref } from './pid.ts'
import type { Process } from './process.ts'
import type { DownMessage, ExitMessage, ProcessContext } from './process-context.ts'
import { TIMEOUT } from './process-context.ts'

/** Options every supervisor's `startLink` takes besides its flags. */
export interface StartOptions {
  /** Register the supervisor under this name (a string or a via name). */
  readonly name?: Name
  /** The process to link to, when starting from inside a process that is not a supervisor. */
  readonly parent?: ProcessContext
  /** The node to start on, when not starting from inside a process. */
  readonly node?: Node
}

export const START_OPTIONS = ['name', 'parent', 'node']

/**
 * One entry of `whichChildren`: Elixir's `{id, child, type, modules}` without `modules`.
 * `pid` is `undefined` for a child that is not running and `'restarting'` while a failed
 * restart waits to be tried again.
 */
export interface ChildInfo {
  readonly id: unknown
  readonly pid: Pid | undefined | 'restarting'
  readonly type: ChildType
}

/** `countChildren`: Elixir's `%{specs: n, active: n, supervisors: n, workers: n}`. */
export interface ChildCounts {
  /** Every child the supervisor knows, running or not. */
  readonly specs: number
  /** Children running right now. */
  readonly active: number
  readonly supervisors: number
  readonly workers: number
}

/** What an observer needs to draw a supervisor: see {@link describeSupervisor}. */
export interface SupervisorInfo {
  readonly behaviour: 'Supervisor' | 'DynamicSupervisor'
  readonly strategy: string
  readonly maxRestarts: number
  readonly maxSeconds: number
  /** Restarts since the supervisor started. */
  readonly restarts: number
  /** Restarts within the last `maxSeconds`; one more than `maxRestarts` and it gives up. */
  readonly recentRestarts: number
  /** The children in start order, with their restart type. */
  readonly children: (ChildInfo & { readonly restart: RestartType })[]
}

const described = new WeakMap<Process, () => SupervisorInfo>()

/** Lets {@link describeSupervisor} read a supervisor's live state. */
export function registerSupervisor(process: Process, describe: () => SupervisorInfo): void {
  described.set(process, describe)
}

/** A supervisor's strategy, restart count and children, read at once (no call). For the observer. */
export function describeSupervisor(process: Process): SupervisorInfo | undefined {
  return process.alive ? described.get(process)?.() : undefined
}

/** Counts children the way `countChildren` reports them. */
export function countChildren(children: Iterable<ChildInfo>): ChildCounts {
  let specs = 0
  let active = 0
  let supervisors = 0
  for (const child of children) {
    specs++
    if (isPid(child.pid)) active++
    if (child.type === 'supervisor') supervisors++
  }
  return { specs, active, supervisors, workers: specs - supervisors }
}

/**
 * Starts a supervisor process that runs `server` as a GenServer, linked to `options.parent`
 * or to the supervisor starting it (like `GenServer.startLink`).
 */
export function startSupervisor(
  behaviour: 'Supervisor' | 'DynamicSupervisor',
  server: Behaviour<any, any>,
  arg: unknown,
  options: StartOptions,
): Promise<OnStart> {
  if (options.name !== undefined) assertName(options.name, 'options.name')
  const parent = (options.parent as Process | undefined) ?? startingParent()
  const node = parent?.node ?? options.node ?? getDefaultNode()
  return startProcess(node, parent, options.name, 'infinity', behaviour, (process, ack) =>
    serve(process, server, arg, ack),
  )
}

/**
 * Runs a child's start function for `supervisor` and links the child to it. A start function
 * that throws, rejects or returns something else than a start result gives `['error', reason]`.
 */
export async function startChild(supervisor: Process, spec: FullChildSpec): Promise<OnStart> {
  let result: unknown
  try {
    // The synchronous part of `start` sees `supervisor` as the parent to link to.
    result = await startingChildrenOf(supervisor, () => spec.start())
  } catch (error) {
    return ['error', error as ExitReason]
  }
  if (!isOnStart(result)) {
    return [
      'error',
      new BadReturnError('start', result, "['ok', pid], ['ignore'] or ['error', reason]"),
    ]
  }
  // A start function may have awaited before its startLink, or not linked at all.
  if (result[0] === 'ok' && !isLinked(supervisor, result[1])) supervisor.link(result[1])
  return result
}

function isOnStart(value: unknown): value is OnStart {
  if (!Array.isArray(value)) return false
  if (value[0] === 'ok') return value.length === 2 && isPid(value[1])
  return (
    (value[0] === 'ignore' && value.length === 1) || (value[0] === 'error' && value.length === 2)
  )
}

// A set lookup, not a scan of the links: a dynamic supervisor may have many thousand children.
function isLinked(process: Process, pid: Pid): boolean {
  const child = process.node.lookupPid(pid, 'pid')
  return child !== undefined && process.links?.has(child) === true
}

/**
 * Runs a supervisor module's `init(arg)` inside the supervisor, which traps exits first.
 * Resolves to what its `['ok', x]` carries, or `undefined` for `['ignore']`.
 */
export async function initModule(
  self: Process,
  module: { init(this: ProcessContext, arg: any): unknown },
  arg: unknown,
  expected: string,
): Promise<any> {
  self.trapExit(true)
  const result = await module.init.call(self, arg)
  if (Array.isArray(result) && result.length === 1 && result[0] === 'ignore') return undefined
  if (!Array.isArray(result) || result.length !== 2 || result[0] !== 'ok') {
    throw new BadReturnError('init', result, `${expected} or ['ignore']`)
  }
  return result[1]
}

const RETRY = Symbol('retry')

/** Puts `child` in the supervisor's own mailbox, to try its failed restart again (Erlang's `try_again_restart`). */
export function retryLater(self: Process, child: object): void {
  self.deliver({ [RETRY]: child })
}

/** The child of a {@link retryLater} message, if `message` is one. */
export function retryOf<T>(message: unknown): T | undefined {
  return (message as { [RETRY]?: T } | null)?.[RETRY]
}

/** True when a child that ended with `reason` must be started again. */
export function needsRestart(restart: RestartType, reason: ExitReason): boolean {
  return restart === 'permanent' || (restart === 'transient' && !isNormalExit(reason))
}

/**
 * Stops one child the way OTP does: monitor and unlink it, send it `shutdown` (or `kill` for
 * `'brutal_kill'`), wait up to `shutdown` ms for its `DOWN`, then kill it. Resolves to the
 * child's exit reason. A child that already exited has its `EXIT` taken from the mailbox.
 */
export async function shutdownChild(
  supervisor: Process,
  pid: Pid,
  shutdown: Shutdown,
): Promise<ExitReason> {
  const ref = supervisor.monitor(pid)
  supervisor.unlink(pid)
  const exited = await supervisor.receive(isExitFrom(pid), { timeout: 0 })
  if (exited !== TIMEOUT) {
    await supervisor.receive(isDown(ref))
    return exited.reason
  }
  supervisor.exit(pid, shutdown === 'brutal_kill' ? 'kill' : 'shutdown')
  const wait = shutdown === 'brutal_kill' ? 'infinity' : shutdown
  const down = await supervisor.receive(isDown(ref), { timeout: wait })
  if (down !== TIMEOUT) return down.reason
  supervisor.exit(pid, 'kill')
  return (await supervisor.receive(isDown(ref))).reason
}

/** Matches an `EXIT` message from `pid`. */
export function isExitFrom(pid: Pid) {
  return (message: unknown): message is ExitMessage =>
    (message as ExitMessage | null)?.type === 'EXIT' && (message as ExitMessage).from === pid
}

function isDown(ref: Ref) {
  return (message: unknown): message is DownMessage =>
    (message as DownMessage | null)?.type === 'DOWN' && (message as DownMessage).ref === ref
}

/** Matches any `EXIT` message. */
export function isExit(message: unknown): message is ExitMessage {
  return (message as ExitMessage | null)?.type === 'EXIT'
}
