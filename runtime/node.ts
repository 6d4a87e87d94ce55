/**
 * A node owns a process table, a name table and a clock (Erlang's node, without the network).
 * There is a default node for plain use; tests create their own, usually on a virtual clock.
 *
 * @example
 * const node = createNode({ clock: 'virtual' })
 * const pid = node.spawn(async (ctx) => { await ctx.receive() })
 * node.send(pid, 'hello')
 * await node.clock.runUntilIdle()
 */
import { type Clock, RealClock, VirtualClock } from './clock.ts'
import { NoProcError } from './errors.ts'
import type { ExitReason } from './exit-reason.ts'
import { assertDest, type Dest, formatName, isViaName, type RegisteredName } from './names.ts'
import { Pid, Ref } from './pid.ts'
import {
  assertBody,
  assertReason,
  type DownMessage,
  linkBoth,
  type Monitor,
  Process,
  type ProcessBody,
  type ProcessStatus,
} from './process.ts'
import { enqueue, isBusy } from './scheduler.ts'
import { deliverDown, sendExitSignal } from './signals.ts'
import { assertKnownKeys, assertNonNegativeInteger, assertObject, describeGot } from './validate.ts'

export interface NodeOptions {
  /** `'real'` (the default), `'virtual'`, or a clock of your own. */
  readonly clock?: 'real' | 'virtual' | Clock
  /** The node's name, `name@host`. Defaults to `nonode@nohost` like an undistributed Erlang node. */
  readonly name?: string
}

/** What `processInfo` tells about a live process (Erlang's `Process.info/1`). */
export interface ProcessInfo {
  readonly pid: Pid
  readonly status: Exclude<ProcessStatus, 'exited'>
  readonly registeredName: string | undefined
  readonly behaviour: string
  readonly messageQueueLength: number
  /** Messages received since the process started. */
  readonly messageCount: number
  readonly links: Pid[]
  /** Processes this process monitors. */
  readonly monitors: Pid[]
  /** Processes that monitor this one. */
  readonly monitoredBy: Pid[]
  readonly trapExit: boolean
  readonly parent: Pid | undefined
}

const nodes: Node[] = []

export class Node {
  /** The node's index: the first number of its pids. */
  readonly index: number
  readonly name: string
  readonly clock: Clock
  /**
   * The pid that stands for code outside any process (a script, a test), Erlang's shell:
   * exit signals sent from there come from it.
   */
  readonly host: Pid
  /** @internal */ readonly processes = new Map<number, Process>()
  /** @internal */ readonly names = new Map<string, Process>()
  private readonly timers = new Map<Ref, { timer: ReturnType<Clock['setTimer']>; at: number }>()
  private nextId = 1

  constructor(options: NodeOptions = {}) {
    assertObject(options, 'options')
    assertKnownKeys(options, ['clock', 'name'])
    const name: unknown = options.name ?? 'nonode@nohost'
    if (typeof name !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(name)) {
      throw new TypeError(
        `Expected \`options.name\` to look like 'name@host', ${describeGot(name)}`,
      )
    }
    this.name = name
    this.clock = makeClock(options.clock)
    this.index = nodes.length
    nodes.push(this)
    this.host = new Pid(this.index, 0)
    if (this.clock instanceof VirtualClock) this.clock.busy = isBusy
  }

  // --- Processes ------------------------------------------------------------------------------

  /** Starts a process running `body` on this node. Erlang's `spawn/1`. */
  spawn<M = unknown>(body: ProcessBody<M>): Pid {
    return this.spawnProcess(body).pid
  }

  /** @internal Starts a process; `link` links it to an existing process before it runs. */
  spawnProcess<M>(
    body: ProcessBody<M>,
    options: { link?: Process; behaviour?: string } = {},
  ): Process {
    assertBody(body)
    const process = new Process(this, new Pid(this.index, this.nextId++), body as ProcessBody<any>)
    this.processes.set(process.pid.id, process)
    if (options.behaviour) process.behaviour = options.behaviour
    if (options.link) {
      linkBoth(process, options.link)
      process.parent = options.link
    }
    // It starts from the run queue, after whoever spawned it has carried on.
    enqueue(process)
    return process
  }

  /** Sends `message` to a pid or name (Erlang's `!`). A message to a dead pid is dropped. */
  send(dest: Dest, message: unknown): void {
    const process = this.resolve(dest)
    if (process !== undefined) {
      process.deliver(message)
      return
    }
    if (!(dest instanceof Pid)) {
      throw new NoProcError(
        { fn: 'send', args: [dest, message] },
        `send: no process is registered as ${formatName(dest)}`,
      )
    }
  }

  /**
   * Sends an exit signal to `pid` (Erlang's `exit/2`). `'kill'` cannot be trapped; `'normal'`
   * is ignored by a process that does not trap exits.
   */
  exit(pid: Pid, reason: ExitReason, from: Pid = this.host): void {
    const target = this.lookupPid(pid, 'pid')
    assertReason(reason)
    if (target === undefined) return
    sendExitSignal(target, from, reason, reason === 'kill')
  }

  /** True while `pid` runs. */
  isAlive(pid: Pid): boolean {
    return this.lookupPid(pid, 'pid') !== undefined
  }

  /** The live processes on this node. */
  list(): Pid[] {
    return [...this.processes.values()].map((p) => p.pid)
  }

  /** A live process's state, or undefined once it has exited. */
  processInfo(pid: Pid): ProcessInfo | undefined {
    const p = this.lookupPid(pid, 'pid')
    if (p === undefined) return undefined
    return {
      pid: p.pid,
      status: p.status as ProcessInfo['status'],
      registeredName: p.registeredName,
      behaviour: p.behaviour,
      messageQueueLength: p.mailbox.length,
      messageCount: p.messageCount,
      links: [...(p.links ?? [])].map((l) => l.pid),
      monitors: [...(p.watching?.values() ?? [])].map((m) => m.target.pid),
      monitoredBy: [...(p.monitors?.values() ?? [])].flatMap((m) =>
        typeof m.watcher === 'function' ? [] : [m.watcher.pid],
      ),
      trapExit: p.trapping,
      parent: p.parent?.pid,
    }
  }

  /** Kills every process on this node (for the end of a test). */
  shutdown(): void {
    for (const process of [...this.processes.values()]) process.terminate('killed')
    for (const { timer } of this.timers.values()) this.clock.cancelTimer(timer)
    this.timers.clear()
  }

  // --- Names ----------------------------------------------------------------------------------

  /** Registers `pid` under `name` (Erlang's `register/2`). Throws if either is taken. */
  register(pid: Pid, name: string): void {
    if (typeof name !== 'string' || name.length === 0) {
      throw new TypeError(`Expected \`name\` to be a non-empty string, ${describeGot(name)}`)
    }
    const process = this.lookupPid(pid, 'pid')
    if (process === undefined) throw new NoProcError({ fn: 'register', args: [pid, name] })
    const owner = this.names.get(name)
    if (owner !== undefined && owner !== process) {
      throw new Error(`register: the name '${name}' is already registered to ${owner.pid}`)
    }
    if (process.registeredName !== undefined && process.registeredName !== name) {
      throw new Error(`register: ${pid} is already registered as '${process.registeredName}'`)
    }
    this.names.set(name, process)
    process.registeredName = name
  }

  /** Removes a registered name (Erlang's `unregister/1`); false if it was not registered. */
  unregister(name: string): boolean {
    assertString(name, 'name')
    const process = this.names.get(name)
    if (process === undefined) return false
    this.names.delete(name)
    process.registeredName = undefined
    return true
  }

  /** The pid registered as `name`, if any (Erlang's `whereis/1`). */
  whereis(name: string): Pid | undefined {
    assertString(name, 'name')
    return this.names.get(name)?.pid
  }

  /** Every registered name on this node. */
  registered(): string[] {
    return [...this.names.keys()]
  }

  // --- Timers ---------------------------------------------------------------------------------

  /** Sends `message` to `dest` after `ms` milliseconds of this node's clock (`Process.send_after/3`). */
  sendAfter(dest: Dest, message: unknown, ms: number): Ref {
    assertDest(dest)
    assertNonNegativeInteger(ms, 'ms')
    const ref = new Ref()
    const timer = this.clock.setTimer(ms, () => {
      this.timers.delete(ref)
      const target = this.resolve(dest)
      target?.deliver(message)
    })
    this.timers.set(ref, { timer, at: this.clock.now() + ms })
    return ref
  }

  /** Cancels a `sendAfter` timer; returns the milliseconds that were left, or false. */
  cancelTimer(ref: Ref): number | false {
    assertTimerRef(ref)
    const entry = this.timers.get(ref)
    if (entry === undefined) return false
    this.timers.delete(ref)
    this.clock.cancelTimer(entry.timer)
    return Math.max(0, entry.at - this.clock.now())
  }

  /** Milliseconds left on a `sendAfter` timer, or false. */
  readTimer(ref: Ref): number | false {
    assertTimerRef(ref)
    const entry = this.timers.get(ref)
    return entry === undefined ? false : Math.max(0, entry.at - this.clock.now())
  }

  // --- Internals ------------------------------------------------------------------------------

  /** @internal The process behind a pid or name, if it is alive. */
  resolve(dest: Dest): Process | undefined {
    if (dest instanceof Pid) return nodeOf(dest)?.processes.get(dest.id)
    if (typeof dest === 'string' && dest !== '') return this.names.get(dest)
    if (isViaName(dest)) {
      const pid = dest.via.whereisName(dest.key)
      return pid === undefined ? undefined : nodeOf(pid)?.processes.get(pid.id)
    }
    assertDest(dest)
    return undefined
  }

  /** @internal The live process behind `pid`; throws a TypeError if `pid` is not a pid. */
  lookupPid(pid: Pid, argument: string): Process | undefined {
    if (!(pid instanceof Pid)) {
      throw new TypeError(`Expected \`${argument}\` to be a pid, ${describeGot(pid)}`)
    }
    return nodeOf(pid)?.processes.get(pid.id)
  }

  /** @internal `watcher` monitors `target`; a missing target gets `DOWN` with `noproc` at once. */
  monitor(watcher: Process, target: Pid | string): Ref {
    const ref = new Ref()
    if ((typeof target !== 'string' || target === '') && !(target instanceof Pid)) {
      throw new TypeError(
        `Expected \`target\` to be a pid or a registered name, ${describeGot(target)}`,
      )
    }
    const byName: RegisteredName | undefined =
      typeof target === 'string' ? { name: target, node: this.name } : undefined
    const process = this.resolve(target)
    if (process === undefined) {
      deliverDown(watcher, ref, byName ?? (target as Pid), 'noproc')
      return ref
    }
    const monitor: Monitor = { ref, watcher, target: process, byName }
    if (process.monitors === null) process.monitors = new Map()
    process.monitors.set(ref, monitor)
    if (watcher.watching === null) watcher.watching = new Map()
    watcher.watching.set(ref, monitor)
    return ref
  }

  /**
   * @internal Calls `onDown` once when `target` ends (at once, with `noproc`, if it already has).
   * Used where the watcher is not a process: calls, starts, task awaits from outside processes.
   */
  watch(target: Process | undefined, pid: Pid, onDown: (down: DownMessage) => void): Ref {
    const ref = new Ref()
    if (target === undefined || !target.alive) {
      deliverDown(onDown, ref, pid, 'noproc')
      return ref
    }
    if (target.monitors === null) target.monitors = new Map()
    target.monitors.set(ref, { ref, watcher: onDown, target, byName: undefined })
    return ref
  }

  /** @internal Stops a {@link watch}. */
  unwatch(target: Process | undefined, ref: Ref): void {
    target?.monitors?.delete(ref)
  }

  /** @internal Called by a process as it exits. */
  forget(process: Process): void {
    this.processes.delete(process.pid.id)
    if (
      process.registeredName !== undefined &&
      this.names.get(process.registeredName) === process
    ) {
      this.names.delete(process.registeredName)
    }
  }

  toString(): string {
    return this.name
  }
}

function makeClock(clock: NodeOptions['clock']): Clock {
  if (clock === undefined || clock === 'real') return new RealClock()
  if (clock === 'virtual') return new VirtualClock()
  if (typeof clock === 'object' && clock !== null && typeof clock.setTimer === 'function')
    return clock
  throw new TypeError(
    `Expected \`options.clock\` to be 'real', 'virtual' or a Clock, ${describeGot(clock)}`,
  )
}

function assertString(value: unknown, argument: string): asserts value is string {
  if (typeof value !== 'string')
    throw new TypeError(`Expected \`${argument}\` to be a string, ${describeGot(value)}`)
}

function assertTimerRef(ref: unknown): asserts ref is Ref {
  if (!(ref instanceof Ref))
    throw new TypeError(
      `Expected \`ref\` to be a timer reference (from sendAfter), ${describeGot(ref)}`,
    )
}

/** @internal The node that owns `pid`. */
export function nodeOf(pid: Pid): Node | undefined {
  return nodes[pid.node]
}

// --- The default node, and which process is starting children right now ----------------------

let defaultNode: Node | undefined

/** Creates a node. Tests usually want `createNode({ clock: 'virtual' })`. */
export function createNode(options: NodeOptions = {}): Node {
  return new Node(options)
}

/** The node that module-level functions (`spawn`, `GenServer.start`, ...) act on. */
export function getDefaultNode(): Node {
  if (defaultNode === undefined) defaultNode = new Node()
  return defaultNode
}

/** Makes `node` the default node; returns the previous one. Tests use one node each. */
export function setDefaultNode(node: Node): Node {
  if (!(node instanceof Node))
    throw new TypeError(`Expected \`node\` to be a Node, ${describeGot(node)}`)
  const previous = getDefaultNode()
  defaultNode = node
  return previous
}

let starting: Process | undefined

/**
 * @internal Runs `start` while `parent` is the process starting children. Supervisors call a
 * child's start function this way, so the `startLink` inside it links to the supervisor, as
 * Elixir's `start_link` links to the calling supervisor.
 */
export function startingChildrenOf<T>(parent: Process, start: () => T): T {
  const previous = starting
  starting = parent
  try {
    return start()
  } finally {
    starting = previous
  }
}

/** @internal The process whose child start function is running right now, if any. */
export function startingParent(): Process | undefined {
  return starting
}
