/**
 * A simulated cluster: several nodes in one JavaScript realm, joined by a network you can cut,
 * slow down and heal on purpose. It runs on a virtual clock driven by a seed, so a scenario
 * (a partition, a crashed node, a failover) plays out the same way every time.
 *
 * @example
 * const cluster = createCluster({ seed: 7, tickTime: 1_000 })
 * const a = cluster.addNode('a@127.0.0.1')
 * const b = cluster.addNode('b@127.0.0.1')
 * a.connect('b@127.0.0.1')                    // Node.connect(:"b@127.0.0.1")
 * cluster.partition(['a@127.0.0.1'], ['b@127.0.0.1'])
 * await cluster.clock.advance(1_000)          // both sides notice: nodedown, noconnection
 * cluster.heal()
 *
 * This is a teaching simulation. Real distribution, with real sockets, is the BEAM's job; a
 * chat server that outgrows one machine shares a PostgreSQL server instead (see the docs).
 */
import { type Clock, RealClock, VirtualClock } from './clock.ts'
import { copyMessage } from './copy.ts'
import { CallTimeoutError, ExitError, type FailedCall } from './errors.ts'
import type { ExitReason } from './exit-reason.ts'
import { Global } from './global.ts'
import { Network } from './network.ts'
import { Node } from './node.ts'
import type { Pid } from './pid.ts'
import type { ProcessBody, ProcessContext } from './process-context.ts'
import { isBusy } from './scheduler.ts'
import { events, active as telemetryOn } from './telemetry.ts'
import {
  assertKnownKeys,
  assertNonNegativeInteger,
  assertObject,
  assertTimeout,
  describeGot,
  type Timeout,
} from './validate.ts'

export interface ClusterOptions {
  /** Seeds the network's randomness (latency jitter, which name survives a conflict). Default 1. */
  readonly seed?: number
  /** How long a node takes to notice a lost connection, in ms (Erlang's `net_ticktime`). Default 60,000. */
  readonly tickTime?: number
  /** Message latency in ms: a number, or `[min, max]` drawn from the seed. Default 1. */
  readonly latency?: number | readonly [min: number, max: number]
  /** `'virtual'` (the default) or `'real'`. */
  readonly clock?: 'virtual' | 'real'
}

/** A simulated cluster of nodes on one network; create one with {@link createCluster}. */
export class Cluster extends Network {
  readonly clock: Clock
  readonly tickTime: number
  /** Everything the network did, in order: compare two runs of a scenario to see they match. */
  readonly trace: string[] = []
  /** The cluster's global name registry (Erlang's `:global`). */
  readonly global: Global
  private readonly random: () => number
  private range: readonly [number, number]
  private readonly byName = new Map<string, Node>()
  private readonly cookies = new Map<Node, string>()
  /** Who each crashed node was connected to, so `restart` can connect it again. */
  private readonly peersAtCrash = new Map<string, string[]>()

  constructor(options: ClusterOptions = {}) {
    super()
    assertObject(options, 'options')
    assertKnownKeys(options, ['seed', 'tickTime', 'latency', 'clock'])
    const { seed = 1, tickTime = 60_000, latency = 1, clock = 'virtual' } = options
    assertNonNegativeInteger(seed, 'options.seed')
    assertNonNegativeInteger(tickTime, 'options.tickTime')
    if (clock !== 'virtual' && clock !== 'real') {
      throw new TypeError(
        `Expected \`options.clock\` to be 'virtual' or 'real', ${describeGot(clock)}`,
      )
    }
    this.clock = clock === 'virtual' ? new VirtualClock() : new RealClock()
    if (this.clock instanceof VirtualClock) this.clock.busy = isBusy
    this.tickTime = tickTime
    this.random = mulberry32(seed)
    this.range = toRange(latency)
    this.global = new Global(
      (node) => this.connectedTo(node),
      this.random,
      (event) => this.record(event),
    )
  }

  // --- Nodes -----------------------------------------------------------------------------------

  /**
   * Starts a node named `name@host` with a cookie (default `'cookie'`); it is not connected
   * yet. Like starting `iex --sname a --cookie secret`.
   * (no Elixir counterpart: nodes are started from the shell, not from code)
   * @example const a = cluster.addNode('a@127.0.0.1', { cookie: 'secret' })
   */
  addNode(name: string, options: { cookie?: string } = {}): Node {
    assertObject(options, 'options')
    assertKnownKeys(options, ['cookie'])
    const cookie = options.cookie ?? 'cookie'
    if (typeof cookie !== 'string')
      throw new TypeError(`Expected \`options.cookie\` to be a string, ${describeGot(cookie)}`)
    const existing = this.byName.get(name)
    if (existing !== undefined && !existing.halted) {
      throw new TypeError(`A node named '${name}' is already running in this cluster`)
    }
    const node = new Node({ name, clock: this.clock })
    node.network = this
    this.byName.set(name, node)
    this.cookies.set(node, cookie)
    this.record(`start ${name}`)
    return node
  }

  /**
   * The node called `name`; throws a TypeError for a name this cluster does not know.
   * (no Elixir counterpart: on the BEAM a node is named by an atom, not an object)
   * @example cluster.node('a@127.0.0.1').spawn(body)
   */
  node(name: string): Node {
    const node = this.byName.get(name)
    if (node === undefined) {
      throw new TypeError(
        `Unknown node '${String(name)}'; this cluster has ${[...this.byName.keys()].map((n) => `'${n}'`).join(', ') || 'no nodes'}`,
      )
    }
    return node
  }

  /**
   * Every node that is up. Like `[Node.self() | Node.list()]` seen from a connected node.
   * `Node.list/1` with `:known`, roughly.
   * @example cluster.nodes().map(String) // ['a@127.0.0.1', 'b@127.0.0.1']
   */
  nodes(): Node[] {
    return [...this.byName.values()].filter((node) => !node.halted)
  }

  /** @internal */
  nodeNamed(name: string): Node | undefined {
    return this.byName.get(name)
  }

  // --- Faults ----------------------------------------------------------------------------------

  /**
   * Splits the network into groups of node names: nodes in different groups cannot talk, and
   * after `tickTime` each side notices the other is gone. Nodes left out form one more group.
   * (no Elixir counterpart: a fault injected on purpose, like pulling a cable)
   * @example cluster.partition(['a@127.0.0.1'], ['b@127.0.0.1', 'c@127.0.0.1'])
   */
  partition(...groups: string[][]): void {
    this.groups.clear()
    groups.forEach((group, i) => {
      for (const name of group) this.groups.set(this.node(name), i + 1)
    })
    this.record(`partition ${groups.map((g) => `[${g.join(' ')}]`).join(' ')}`)
    if (telemetryOn) this.emit(events.partition, { groups })
    for (const [a, b] of this.pairs('up')) if (!this.reachable(a, b)) this.break(a, b)
  }

  /**
   * Ends every partition; nodes the partition separated connect again once both have noticed
   * the loss, and their global names are merged (conflicts settled, see {@link Global}).
   * (no Elixir counterpart: the cable goes back in)
   * @example cluster.heal()
   */
  heal(): void {
    this.groups.clear()
    this.record('heal')
    if (telemetryOn) this.emit(events.heal, {})
    // Every pair a partition broke, also one an earlier partition broke and the last one did not.
    this.reconnectBroken(
      [...this.pairs('breaking'), ...this.pairs('down')].filter(([a, b]) => this.reachable(a, b)),
    )
  }

  /**
   * Crashes a node: its processes vanish without a word; the others notice after `tickTime`
   * (`nodedown`, and `noconnection` for links and monitors).
   * (no Elixir counterpart: like `kill -9` on a BEAM)
   * @example cluster.crash('a@127.0.0.1')
   */
  crash(name: string): void {
    const node = this.node(name)
    if (node.halted) return
    this.peersAtCrash.set(
      name,
      this.connectedTo(node).map((peer) => peer.name),
    )
    // The node stops running at once, but to its peers its processes and names are there
    // until they notice the loss: calls, monitors and links to them end in `noconnection`.
    node.halted = true
    this.record(`crash ${name}`)
    if (telemetryOn) this.emit(events.crash, { node: name })
    for (const [a, b] of this.pairs('up')) if (a === node || b === node) this.break(a, b)
    this.clock.setTimer(this.tickTime, () => node.shutdown())
  }

  /**
   * Starts a crashed node again: a new incarnation with fresh pids (old pids stay dead), connected
   * to the peers it had. (no Elixir counterpart: restarting the VM)
   * @example const a2 = cluster.restart('a@127.0.0.1')
   */
  restart(name: string): Node {
    const old = this.node(name)
    if (!old.halted) throw new TypeError(`Node '${name}' is running; crash it before restarting it`)
    this.forgetConnections(name)
    old.shutdown()
    const node = this.addNode(name, { cookie: this.cookies.get(old) })
    for (const peer of this.peersAtCrash.get(name) ?? []) {
      const other = this.byName.get(peer)
      if (other !== undefined && !other.halted) this.connect(node, other)
    }
    return node
  }

  /**
   * Changes message latency: a number of ms, or `[min, max]` drawn from the seed. Order between
   * two processes holds whatever the latency. (no Elixir counterpart: a slow network)
   * @example cluster.setLatency([5, 50])
   */
  setLatency(latency: number | readonly [number, number]): void {
    this.range = toRange(latency)
    this.record(`latency ${this.range.join('-')}`)
  }

  // --- Remote work -----------------------------------------------------------------------------

  /**
   * Starts a process on another node, from `from`. `Node.spawn/2`
   * @example const pid = cluster.spawnOn(a, 'b@127.0.0.1', async (ctx) => { await ctx.receive() })
   */
  spawnOn(from: Node, name: string, body: ProcessBody): Pid {
    const target = this.node(name)
    if (!this.reachable(from, target))
      throw new ExitError('noconnection', { fn: 'Node.spawn', args: [name] })
    if (target !== from) this.connect(from, target)
    return target.spawn(body)
  }

  /**
   * Runs `fn` in a new process on another node and resolves with its (copied) result; rejects
   * with the reason if it crashes, with `'noconnection'` if the node cannot be reached, and
   * with a timeout error after `timeout` ms. Erlang's `:rpc.call/5`.
   * @example const name = await cluster.rpc(a, 'b@127.0.0.1', (ctx) => ctx.node.name)
   */
  rpc<T>(
    from: Node,
    name: string,
    fn: (ctx: ProcessContext) => T | Promise<T>,
    timeout: Timeout = 5_000,
  ): Promise<Awaited<T>> {
    assertTimeout(timeout)
    const failed: FailedCall = { fn: ':rpc.call', args: [name, timeout] }
    const target = this.node(name)
    if (!this.reachable(from, target) || (target !== from && !this.connect(from, target))) {
      return Promise.reject(new ExitError('noconnection', failed))
    }
    return new Promise((resolve, reject) => {
      let settled = false
      const settle = (outcome: () => void) => {
        if (settled) return
        settled = true
        if (timer !== undefined) this.clock.cancelTimer(timer)
        outcome()
      }
      const worker = target.spawnProcess(async (ctx) => {
        const result = copyMessage(await fn(ctx))
        target.route(from, () => settle(() => resolve(result as Awaited<T>)))
      })
      const timer =
        timeout === 'infinity'
          ? undefined
          : this.clock.setTimer(timeout, () => settle(() => reject(new CallTimeoutError(failed))))
      from.watch(worker, worker.pid, (down) => {
        if (down.reason !== 'normal')
          settle(() => reject(new ExitError(down.reason as ExitReason, failed)))
      })
    })
  }

  // --- Hooks for the network -------------------------------------------------------------------

  protected cookieOf(node: Node): string {
    return this.cookies.get(node) ?? 'cookie'
  }

  protected latency(): number {
    const [min, max] = this.range
    return min === max ? min : min + Math.floor(this.random() * (max - min + 1))
  }

  protected record(event: string): void {
    this.trace.push(`${this.clock.now()} ${event}`)
  }

  protected onConnect(a: Node, b: Node): void {
    this.global.sync(a, b)
  }

  protected onDisconnect(local: Node, remote: Node): void {
    this.global.forgetNode(local, remote)
  }
}

/**
 * Creates a simulated cluster, on a virtual clock unless told otherwise.
 * (no Elixir counterpart: on the BEAM the cluster is real machines)
 * @example const cluster = createCluster({ seed: 42, tickTime: 1_000 })
 */
export function createCluster(options: ClusterOptions = {}): Cluster {
  return new Cluster(options)
}

function toRange(latency: unknown): readonly [number, number] {
  if (typeof latency === 'number') {
    assertNonNegativeInteger(latency, 'latency')
    return [latency, latency]
  }
  if (Array.isArray(latency) && latency.length === 2) {
    const [min, max] = latency
    assertNonNegativeInteger(min, 'latency[0]')
    assertNonNegativeInteger(max, 'latency[1]')
    if (min <= max) return [min, max]
  }
  throw new TypeError(
    `Expected \`latency\` to be a non-negative integer or [min, max], ${describeGot(latency)}`,
  )
}

/** A small seeded random number generator (mulberry32): same seed, same sequence. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
