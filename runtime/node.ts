/**
 * A node owns a process table, a name table, timers and a clock: one Erlang node (one BEAM).
 * Module-level functions (`spawn`, `GenServer.start`, `Process.whereis`, ...) act on the default
 * node; tests create their own, usually on a virtual clock, and make it the default. Nodes
 * added to a cluster (`createCluster().addNode(name)`) can also connect and reach each other's
 * processes over a simulated network.
 *
 * The runtime's one piece of implicit context lives here: while a supervisor calls a child's
 * start function, `startingParent()` names the supervisor, so the `startLink` inside links to
 * it. Supervisors also link to the child themselves, so correctness never depends on it.
 *
 * @example
 * const node = createNode({ clock: 'virtual' })
 * setDefaultNode(node)
 * const pid = spawn(async (ctx) => console.log(await ctx.receive()))
 * node.send(pid, 'hello')
 * await (node.clock as VirtualClock).runUntilIdle() // logs 'hello'
 */
import { type Clock, RealClock, type Timer, VirtualClock } from './clock.ts'
import { copyMessage } from './copy.ts'
import { NoProcError } from './errors.ts'
import type { ExitReason } from './exit-reason.ts'
import { Global, isGlobalName } from './global.ts'
import {
  assertDest,
  type Dest,
  formatName,
  isRemoteName,
  isViaName,
  type RegisteredName,
} from './names.ts'
import type { NodeNetwork } from './network.ts'
import { Pid, Ref } from './pid.ts'
import { assertBody, assertReason, linkBoth, type Monitor, Process } from './process.ts'
import type { DownMessage, ProcessBody, ProcessStatus } from './process-context.ts'
import { enqueue, isBusy } from './scheduler.ts'
import { deliverDown, sendExitSignal } from './signals.ts'
import { spawned, active as telemetryOn } from './telemetry.ts'
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
/** Pending `sendAfter` timers of every node, so a timer ref alone is enough to cancel it. */
const timers = new Map<Ref, { node: Node; timer: Timer; at: number }>()

/** One node: its processes, registered names, timers and clock. Make one with `createNode`. */
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
  /** @internal Set when a cluster crashes this node: none of its processes runs again. */
  halted = false
  /** @internal The cluster's network, when this node is part of one. */
  network: NodeNetwork | undefined = undefined
  private standaloneGlobal: Global | undefined
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

  /**
   * Starts a process running `body` on this node, neither linked nor monitored. `Node.spawn/2`
   * @example const pid = node.spawn(async (ctx) => console.log(await ctx.receive()))
   */
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
    Pid.attach(process.pid, process)
    this.processes.set(process.pid.id, process)
    if (options.behaviour) process.behaviour = options.behaviour
    if (options.link) {
      linkBoth(process, options.link)
      process.parent = options.link
    }
    if (telemetryOn) spawned(process)
    // It starts from the run queue, after whoever spawned it has carried on.
    enqueue(process)
    return process
  }

  /**
   * Sends `message` to a pid or a name, looked up on this node. A message to a dead pid is
   * dropped; a local name no process holds throws `NoProcError`. `Kernel.send/2`
   * @example node.send('logger', ['info', 'started'])
   */
  send(dest: Dest, message: unknown): void {
    const process = this.resolve(dest)
    if (process !== undefined) {
      this.deliverTo(process, message)
      return
    }
    if (!(dest instanceof Pid) && !isRemoteName(dest)) {
      throw new NoProcError(
        { fn: 'send', args: [dest, message] },
        `send: no process is registered as ${formatName(dest)}`,
      )
    }
  }

  /**
   * Sends an exit signal to `pid`, from `from` (by default this node's `host` pid). `'kill'`
   * cannot be trapped; `'normal'` is ignored by a process that does not trap exits.
   * `Process.exit/2`
   * @example node.exit(pid, 'kill') // the target ends as 'killed'
   */
  exit(pid: Pid, reason: ExitReason, from: Pid = this.host): void {
    const target = this.lookupPid(pid, 'pid')
    assertReason(reason)
    if (target === undefined) return
    if (target.node === this) sendExitSignal(target, from, reason, reason === 'kill')
    else {
      const copy = copyMessage(reason)
      this.route(target.node, () => sendExitSignal(target, from, copy, copy === 'kill'))
    }
  }

  /**
   * True while `pid` runs. `Process.alive?/1`
   * @example node.isAlive(pid) // false once it has exited
   */
  isAlive(pid: Pid): boolean {
    return this.lookupPid(pid, 'pid') !== undefined
  }

  /**
   * The live processes on this node. `Process.list/0`
   * @example node.list() // [#PID<0.1.0>, #PID<0.2.0>]
   */
  list(): Pid[] {
    return [...this.processes.values()].map((p) => p.pid)
  }

  /**
   * A live process's state (status, links, monitors, mailbox length, ...), or undefined once it
   * has exited. `Process.info/1`
   * @example node.processInfo(pid)?.links // [supervisor]
   */
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

  /**
   * Kills every process on this node and cancels its timers, for the end of a test; the node
   * stays usable. (no Elixir counterpart: a BEAM node is stopped, never emptied and reused)
   * @example afterEach(() => node.shutdown())
   */
  shutdown(): void {
    for (const process of [...this.processes.values()]) process.terminate('killed')
    for (const [ref, entry] of timers) if (entry.node === this) this.cancelTimer(ref)
  }

  // --- Names ----------------------------------------------------------------------------------

  /**
   * Registers `pid` under `name` on this node; throws if either is taken. `Process.register/2`
   * @example node.register(pid, 'logger')
   */
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

  /**
   * Removes a registered name; false if it was not registered. `Process.unregister/1`
   * @example node.unregister('logger') // true
   */
  unregister(name: string): boolean {
    assertString(name, 'name')
    const process = this.names.get(name)
    if (process === undefined) return false
    this.names.delete(name)
    process.registeredName = undefined
    return true
  }

  /**
   * The pid registered as `name` on this node, or undefined. `Process.whereis/1`
   * @example const logger = node.whereis('logger')
   */
  whereis(name: string): Pid | undefined {
    assertString(name, 'name')
    return this.names.get(name)?.pid
  }

  /**
   * Every registered name on this node. `Process.registered/0`
   * @example node.registered() // ['logger']
   */
  registered(): string[] {
    return [...this.names.keys()]
  }

  // --- Timers ---------------------------------------------------------------------------------

  /**
   * Sends `message` to `dest` after `ms` milliseconds of this node's clock; a name is looked up
   * when the timer fires. `Process.send_after/3`
   * @example const timer = node.sendAfter(pid, 'tick', 1000)
   */
  sendAfter(dest: Dest, message: unknown, ms: number): Ref {
    assertDest(dest)
    assertNonNegativeInteger(ms, 'ms')
    const ref = new Ref()
    const timer = this.clock.setTimer(ms, () => {
      timers.delete(ref)
      const target = this.resolve(dest)
      target?.deliver(message)
    })
    timers.set(ref, { node: this, timer, at: this.clock.now() + ms })
    return ref
  }

  /**
   * Cancels a `sendAfter` timer (of any node); returns the milliseconds that were left, or
   * false if it already fired or was cancelled. `Process.cancel_timer/1`
   * @example node.cancelTimer(timer) // 400, if 600 of its 1000 ms have passed
   */
  cancelTimer(ref: Ref): number | false {
    assertTimerRef(ref)
    const entry = timers.get(ref)
    if (entry === undefined) return false
    timers.delete(ref)
    entry.node.clock.cancelTimer(entry.timer)
    return Math.max(0, entry.at - entry.node.clock.now())
  }

  /**
   * Milliseconds left on a `sendAfter` timer of this node, or false if it is no longer
   * pending. `Process.read_timer/1`
   * @example node.readTimer(timer) // 400, if 600 of its 1000 ms have passed
   */
  readTimer(ref: Ref): number | false {
    assertTimerRef(ref)
    const entry = timers.get(ref)
    return entry === undefined ? false : Math.max(0, entry.at - entry.node.clock.now())
  }

  // --- Internals ------------------------------------------------------------------------------

  /** @internal The process behind a pid or name, if it is alive. */
  resolve(dest: Dest): Process | undefined {
    if (dest instanceof Pid) return liveProcess(dest)
    if (typeof dest === 'string' && dest !== '') return this.names.get(dest)
    if (isRemoteName(dest)) {
      const node = dest.node === this.name ? this : this.network?.nodeNamed(dest.node)
      return node?.names.get(dest.name)
    }
    if (isGlobalName(dest)) return this.global.whereis(this, dest.global)
    if (isViaName(dest)) {
      const pid = dest.via.whereisName(dest.key)
      return pid === undefined ? undefined : liveProcess(pid)
    }
    assertDest(dest)
    return undefined
  }

  /** @internal The live process behind `pid`; throws a TypeError if `pid` is not a pid. */
  lookupPid(pid: Pid, argument: string): Process | undefined {
    if (!(pid instanceof Pid)) {
      throw new TypeError(`Expected \`${argument}\` to be a pid, ${describeGot(pid)}`)
    }
    return liveProcess(pid)
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
    if (!this.canReach(process.node)) {
      deliverDown(watcher, ref, byName ?? process.pid, 'noconnection')
      return ref
    }
    const monitor: Monitor = { ref, watcher, home: this, target: process, byName }
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
    if (!this.canReach(target.node)) {
      deliverDown(onDown, ref, pid, 'noconnection')
      return ref
    }
    const monitor: Monitor = { ref, watcher: onDown, home: this, target, byName: undefined }
    if (target.monitors === null) target.monitors = new Map()
    target.monitors.set(ref, monitor)
    if (target.node !== this) this.network!.watchRemote(this, monitor)
    return ref
  }

  /** @internal Stops a {@link watch}. */
  unwatch(target: Process | undefined, ref: Ref): void {
    target?.monitors?.delete(ref)
    if (target !== undefined && target.node !== this) this.network?.unwatchRemote(this, ref)
  }

  // --- Distribution (see cluster.ts) ----------------------------------------------------------

  /**
   * Connects to the node called `name` in this node's cluster (and so to its peers); false if
   * it cannot (a partition, another cookie). `Node.connect/1`
   * @example a.connect('b@127.0.0.1') // true
   */
  connect(name: string): boolean {
    const network = this.requireNetwork('connect')
    return network.connect(this, this.peer(network, name))
  }

  /**
   * Drops the connection to `name` at once, on both sides; false if there was none.
   * `Node.disconnect/1`
   * @example a.disconnect('b@127.0.0.1') // links across it fire `noconnection`
   */
  disconnect(name: string): boolean {
    const network = this.requireNetwork('disconnect')
    return network.disconnect(this, this.peer(network, name))
  }

  /**
   * The names of the nodes this node is connected to. `Node.list/0`
   * @example a.nodes() // ['b@127.0.0.1']
   */
  nodes(): string[] {
    return this.network?.connectedTo(this).map((node) => node.name) ?? []
  }

  /**
   * `'pong'` if this node can connect to `name`, `'pang'` otherwise. `Node.ping/1`; unlike
   * Elixir, a node outside a cluster throws rather than answering `'pang'`.
   * @example if (a.ping('b@127.0.0.1') === 'pang') console.log('b is unreachable')
   */
  ping(name: string): 'pong' | 'pang' {
    const network = this.requireNetwork('ping')
    const other = network.nodeNamed(name)
    return other !== undefined && (other === this || network.connect(this, other)) ? 'pong' : 'pang'
  }

  /** This node's global name table (`:global`); a node outside a cluster has one of its own. */
  get global(): Global {
    if (this.network !== undefined) return this.network.global
    if (this.standaloneGlobal === undefined)
      this.standaloneGlobal = new Global(() => [], Math.random)
    return this.standaloneGlobal
  }

  private requireNetwork(what: string): NodeNetwork {
    if (this.network === undefined) {
      throw new TypeError(
        `${this} is not part of a cluster, so it cannot ${what}; create nodes with createCluster().addNode(name)`,
      )
    }
    return this.network
  }

  private peer(network: NodeNetwork, name: string): Node {
    const other = network.nodeNamed(name)
    if (typeof name !== 'string' || other === undefined) {
      throw new TypeError(`Unknown node ${describeGot(name)} in the cluster of ${this}`)
    }
    if (other === this) throw new TypeError(`Cannot connect ${this} to itself`)
    return other
  }

  /** @internal Runs `deliver` on `target`'s side: at once on this node, over the network to another. */
  route(target: Node, deliver: () => void): void {
    if (target === this) deliver()
    else this.network!.transmit(this, target, deliver)
  }

  /** @internal Delivers `message` to `target`, copied and over the network if it lives elsewhere. */
  deliverTo(target: Process, message: unknown): void {
    if (target.node === this) target.deliver(message)
    else {
      const copy = copyMessage(message)
      this.network!.transmit(this, target.node, () => target.deliver(copy))
    }
  }

  /** @internal True when `other` is this node or one it is connected to (connecting first if it can). */
  canReach(other: Node): boolean {
    return other === this || (this.network?.ensureConnected(this, other) ?? false)
  }

  /** @internal Called by a process as it exits. */
  forget(process: Process): void {
    this.processes.delete(process.pid.id)
    Pid.attach(process.pid, undefined)
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

/** @internal The live process behind `pid` (on any node), if any. */
export function liveProcess(pid: Pid): Process | undefined {
  return Pid.live(pid) as Process | undefined
}

/** @internal The node that owns `pid`. */
export function nodeOf(pid: Pid): Node | undefined {
  return nodes[pid.node]
}

// --- The default node, and which process is starting children right now ----------------------

let defaultNode: Node | undefined

/**
 * Creates a standalone node; for nodes that can talk to each other, use `createCluster`.
 * (no Elixir counterpart: a BEAM node is a whole VM, started from the shell as `iex --sname a`)
 * @example const node = createNode({ clock: 'virtual' })
 */
export function createNode(options: NodeOptions = {}): Node {
  return new Node(options)
}

/**
 * The node that module-level functions (`spawn`, `GenServer.start`, ...) act on, created on
 * first use. Like `Kernel.node/0` in a shell, but it returns the node itself, not its name.
 * @example getDefaultNode().list() // every live process
 */
export function getDefaultNode(): Node {
  if (defaultNode === undefined) defaultNode = new Node()
  return defaultNode
}

/**
 * Makes `node` the default node; returns the previous one. Tests use one node each.
 * (no Elixir counterpart: code on the BEAM always runs on the one node it started on)
 * @example beforeEach(() => { setDefaultNode(createNode({ clock: 'virtual' })) })
 */
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
