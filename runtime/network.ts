/**
 * The simulated network between the nodes of a cluster: who is connected to whom, how long a
 * message takes, and what happens when a connection is lost.
 *
 * - Every pair of nodes has one connection. What travels over it (messages, exit signals,
 *   `DOWN`s, replies) arrives in the order it was sent, after the cluster's latency.
 * - Sending to a node you are not connected to connects first (Erlang's auto-connect), which
 *   works only if the nodes can reach each other and share a cookie. Connections are
 *   transitive: connect to one node and you meet its peers.
 * - When the network breaks (a partition, a crashed node), whatever was in flight is lost.
 *   After `tickTime` each side notices: its links across the connection fire `noconnection`,
 *   its monitors deliver `DOWN` with `noconnection`, node monitors get `nodedown`.
 * @internal
 */
import type { Clock } from './clock.ts'
import type { ExitReason } from './exit-reason.ts'
import type { Global } from './global.ts'
import type { Node } from './node.ts'
import type { Ref } from './pid.ts'
import type { Monitor, Process } from './process.ts'
import { deliverDown, sendExitSignal } from './signals.ts'
import {
  type EventName,
  events,
  execute,
  type Metadata,
  active as telemetryOn,
} from './telemetry.ts'

/** What a node needs from the cluster it belongs to; `cluster.ts` provides it. */
export interface NodeNetwork {
  /** Carries `deliver` from `from` to `to`: later, in order, or not at all if the link breaks. */
  transmit(from: Node, to: Node, deliver: () => void): void
  /** True when `from` is connected to `to`, connecting them first if it can. */
  ensureConnected(from: Node, to: Node): boolean
  /** Sends the `DOWN` of `monitor` (whose target lived on `from`) to the watcher's node. */
  sendDown(from: Node, monitor: Monitor, reason: ExitReason): void
  /** Remembers a runtime-internal watch across nodes, so a lost connection can end it. */
  watchRemote(home: Node, monitor: Monitor): void
  unwatchRemote(home: Node, ref: Ref): void
  nodeNamed(name: string): Node | undefined
  connect(a: Node, b: Node): boolean
  disconnect(a: Node, b: Node): boolean
  connectedTo(node: Node): Node[]
  monitorNode(process: Process, name: string): void
  monitorNodes(process: Process, flag: boolean): void
  readonly global: Global
}

/** `{:nodeup, node}` and `{:nodedown, node}`, for processes that monitor nodes. */
export interface NodeMessage {
  readonly type: 'nodeup' | 'nodedown'
  readonly node: string
}

interface Connection {
  state: 'up' | 'breaking' | 'down'
  /** Bumped at every new connection: what was sent over an older one is never delivered. */
  epoch: number
  /** When the last thing sent from a node arrives: nothing sent later may arrive earlier. */
  readonly lastArrival: Map<Node, number>
  /** Set by `heal` while breaking: connect again once the loss has been noticed. */
  reconnect: boolean
  /** Broken by the network (a partition, a crash), not by `disconnect`: `heal` connects it again. */
  cut: boolean
}

/** A process watching one node (`monitorNode`) or all of them (`monitorNodes`). */
interface NodeWatch {
  readonly process: Process
  readonly node: string | '*'
}

export abstract class Network implements NodeNetwork {
  abstract readonly clock: Clock
  abstract readonly tickTime: number
  abstract readonly global: Global
  protected readonly groups = new Map<Node, number>()
  private readonly connections = new Map<string, Connection>()
  private readonly remoteWatches = new Map<Node, Map<Ref, Monitor>>()
  private nodeWatches: NodeWatch[] = []

  abstract nodeNamed(name: string): Node | undefined
  protected abstract cookieOf(node: Node): string
  protected abstract latency(): number
  protected abstract record(event: string): void
  protected abstract onConnect(a: Node, b: Node): void
  protected abstract onDisconnect(local: Node, remote: Node): void

  // --- Carrying things between nodes ------------------------------------------------------------

  transmit(from: Node, to: Node, deliver: () => void): void {
    const connection = this.connection(from, to)
    if (!this.ensureConnected(from, to) || connection.state !== 'up') {
      this.record(`drop ${from} -> ${to}`)
      return
    }
    const now = this.clock.now()
    const at = Math.max(now + this.latency(), connection.lastArrival.get(from) ?? 0)
    connection.lastArrival.set(from, at)
    const epoch = connection.epoch
    this.clock.setTimer(at - now, () => {
      if (connection.state === 'up' && connection.epoch === epoch && !to.halted) deliver()
      else this.record(`lost ${from} -> ${to}`)
    })
  }

  reachable(from: Node, to: Node): boolean {
    return !from.halted && !to.halted && (this.groups.get(from) ?? 0) === (this.groups.get(to) ?? 0)
  }

  sendDown(from: Node, monitor: Monitor, reason: ExitReason): void {
    const who = monitor.byName ?? monitor.target.pid
    this.transmit(from, monitor.home, () => {
      const { watcher, ref } = monitor
      if (typeof watcher === 'function') {
        if (this.remoteWatches.get(monitor.home)?.delete(ref))
          deliverDown(watcher, ref, who, reason)
      } else if (watcher.watching?.has(ref)) {
        deliverDown(watcher, ref, who, reason)
      }
    })
  }

  watchRemote(home: Node, monitor: Monitor): void {
    let watches = this.remoteWatches.get(home)
    if (watches === undefined) this.remoteWatches.set(home, (watches = new Map()))
    watches.set(monitor.ref, monitor)
  }

  unwatchRemote(home: Node, ref: Ref): void {
    this.remoteWatches.get(home)?.delete(ref)
  }

  // --- Connections -----------------------------------------------------------------------------

  /** Connects two nodes, and each to the other's peers. False if they cannot reach each other or their cookies differ. */
  connect(a: Node, b: Node): boolean {
    if (a === b) throw new TypeError(`Cannot connect ${a} to itself`)
    if (!this.reachable(a, b)) return false
    if (this.cookieOf(a) !== this.cookieOf(b)) {
      this.record(`refused ${a} -> ${b} (cookie)`)
      return false
    }
    const connection = this.connection(a, b)
    if (connection.state === 'up') return true
    if (connection.state === 'breaking') return false
    connection.state = 'up'
    connection.cut = false
    connection.epoch++
    connection.lastArrival.clear()
    this.record(`connect ${a} <-> ${b}`)
    this.notifyNodeWatchers(a, b, 'nodeup')
    this.notifyNodeWatchers(b, a, 'nodeup')
    if (telemetryOn) {
      this.emit(events.nodeUp, { node: a.name, peer: b.name })
      this.emit(events.nodeUp, { node: b.name, peer: a.name })
    }
    this.onConnect(a, b)
    for (const peer of this.connectedTo(b)) if (peer !== a) this.connect(a, peer)
    for (const peer of this.connectedTo(a)) if (peer !== b) this.connect(peer, b)
    return true
  }

  /**
   * Drops the connection at once, on both sides (Erlang's `Node.disconnect/1`). Unlike Erlang
   * 25+, common peers are not disconnected too, so two nodes can stay linked through a third
   * one and a global name may then be held on each side until they reconnect.
   */
  disconnect(a: Node, b: Node): boolean {
    const connection = this.connection(a, b)
    if (connection.state !== 'up') return false
    connection.state = 'down'
    this.record(`disconnect ${a} <-> ${b}`)
    this.lost(a, b)
    this.lost(b, a)
    return true
  }

  /** The nodes `node` is connected to (Erlang's `Node.list/0`). */
  connectedTo(node: Node): Node[] {
    const peers: Node[] = []
    for (const [key, connection] of this.connections) {
      if (connection.state !== 'up') continue
      const [x, y] = key.split(' ')
      if (x === node.name) peers.push(this.nodeNamed(y)!)
      else if (y === node.name) peers.push(this.nodeNamed(x)!)
    }
    return peers
  }

  /** The network between two connected nodes breaks: each side notices after `tickTime`. */
  protected break(a: Node, b: Node): void {
    const connection = this.connection(a, b)
    if (connection.state !== 'up') return
    connection.state = 'breaking'
    connection.cut = true
    this.record(`break ${a} <-> ${b}`)
    this.clock.setTimer(this.tickTime, () => this.noticed(connection, a, b))
  }

  /** Both sides notice a breaking connection is gone (once: a restart may have come first). */
  private noticed(connection: Connection, a: Node, b: Node): void {
    if (connection.state !== 'breaking') return
    connection.state = 'down'
    if (!a.halted) this.lost(a, b)
    if (!b.halted) this.lost(b, a)
    if (connection.reconnect) {
      connection.reconnect = false
      this.connect(a, b)
    }
  }

  /** Connects again every pair the network had broken, once each side has noticed. */
  protected reconnectBroken(pairs: readonly [Node, Node][]): void {
    for (const [a, b] of pairs) {
      const connection = this.connection(a, b)
      if (!connection.cut) continue
      if (connection.state === 'breaking') connection.reconnect = true
      else this.connect(a, b)
    }
  }

  /** Pairs of live nodes whose connection is `state`. */
  protected pairs(state: Connection['state']): [Node, Node][] {
    const result: [Node, Node][] = []
    for (const [key, connection] of this.connections) {
      if (connection.state !== state) continue
      const [x, y] = key.split(' ').map((name) => this.nodeNamed(name)!)
      if (x !== undefined && y !== undefined) result.push([x, y])
    }
    return result
  }

  /** `local` notices it lost `remote`: links and monitors across fire `noconnection`. */
  private lost(local: Node, remote: Node): void {
    this.record(`nodedown ${remote} at ${local}`)
    for (const process of [...local.processes.values()]) {
      for (const linked of [...(process.links ?? [])]) {
        if (linked.node !== remote) continue
        process.links!.delete(linked)
        sendExitSignal(process, linked.pid, 'noconnection', false)
      }
      for (const monitor of [...(process.watching?.values() ?? [])]) {
        if (monitor.target.node !== remote) continue
        monitor.target.monitors?.delete(monitor.ref)
        deliverDown(process, monitor.ref, monitor.byName ?? monitor.target.pid, 'noconnection')
      }
    }
    const watches = this.remoteWatches.get(local)
    for (const monitor of [...(watches?.values() ?? [])]) {
      if (monitor.target.node !== remote) continue
      watches!.delete(monitor.ref)
      monitor.target.monitors?.delete(monitor.ref)
      deliverDown(monitor.watcher, monitor.ref, monitor.target.pid, 'noconnection')
    }
    this.notifyNodeWatchers(local, remote, 'nodedown')
    if (telemetryOn) this.emit(events.nodeDown, { node: local.name, peer: remote.name })
    this.onDisconnect(local, remote)
  }

  // --- Node monitors ---------------------------------------------------------------------------

  /**
   * `process` gets `{ type: 'nodedown', node }` when its node loses `name` (Erlang's
   * `monitor_node/2`); at once if they cannot connect.
   */
  monitorNode(process: Process, name: string): void {
    const other = this.nodeNamed(name)
    if (
      other !== undefined &&
      (other === process.node || this.ensureConnected(process.node, other))
    ) {
      this.nodeWatches.push({ process, node: name })
    } else {
      process.deliver({ type: 'nodedown', node: name } satisfies NodeMessage)
    }
  }

  /** Subscribes (or unsubscribes) `process` to `nodeup`/`nodedown` for every node (`:net_kernel.monitor_nodes/1`). */
  monitorNodes(process: Process, flag: boolean): void {
    this.nodeWatches = this.nodeWatches.filter((w) => !(w.process === process && w.node === '*'))
    if (flag) this.nodeWatches.push({ process, node: '*' })
  }

  private notifyNodeWatchers(local: Node, remote: Node, type: NodeMessage['type']): void {
    this.nodeWatches = this.nodeWatches.filter((w) => w.process.alive)
    for (const watch of [...this.nodeWatches]) {
      if (watch.process.node !== local) continue
      if (watch.node === '*')
        watch.process.deliver({ type, node: remote.name } satisfies NodeMessage)
      else if (watch.node === remote.name && type === 'nodedown') {
        // A node monitor fires once, like Erlang's monitor_node.
        this.nodeWatches.splice(this.nodeWatches.indexOf(watch), 1)
        watch.process.deliver({ type, node: remote.name } satisfies NodeMessage)
      }
    }
  }

  // --- Helpers ---------------------------------------------------------------------------------

  /** Emits a cluster telemetry event, stamped with the cluster's clock. */
  protected emit(event: EventName, metadata: Metadata): void {
    execute(event, { monotonicTime: this.clock.now() }, metadata)
  }

  /** True when the nodes are connected, connecting them first if they can (Erlang's auto-connect). */
  ensureConnected(from: Node, to: Node): boolean {
    if (from === to) return true
    const connection = this.connection(from, to)
    // A breaking connection still looks up until the loss is noticed, as with a real socket.
    return connection.state !== 'down' || this.connect(from, to)
  }

  private connection(a: Node, b: Node): Connection {
    const key = a.name < b.name ? `${a.name} ${b.name}` : `${b.name} ${a.name}`
    let connection = this.connections.get(key)
    if (connection === undefined) {
      connection = { state: 'down', epoch: 0, lastArrival: new Map(), reconnect: false, cut: false }
      this.connections.set(key, connection)
    }
    return connection
  }

  /** Forgets every connection of a node that is gone for good (a crashed node being restarted). */
  protected forgetConnections(name: string): void {
    for (const [key, connection] of [...this.connections]) {
      const pair = key.split(' ')
      if (!pair.includes(name)) continue
      // Peers notice the old incarnation is gone now, before they meet the new one (nodedown
      // before nodeup), as Erlang ends the old connection when a node comes back under its name.
      const [a, b] = pair.map((n) => this.nodeNamed(n)!)
      this.noticed(connection, a, b)
      this.connections.delete(key)
    }
  }
}
