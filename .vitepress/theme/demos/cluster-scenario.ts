/**
 * The cluster demo of chapter 8, without the pictures: three nodes of a simulated cluster
 * (`createCluster`, virtual clock), a singleton GenServer under the global name `singleton`,
 * and on every node the chapter's failover watcher: start the singleton or find the one that
 * runs, monitor it, and go round again when it goes down.
 *
 * The reader cuts a node off, crashes it, heals the network and lets time pass; the view says
 * where each node believes `singleton` runs (its copy of the global name table) and where
 * singletons actually run (an observer snapshot). The log is the cluster's own trace.
 */
import {
  type Cluster,
  createCluster,
  type DownMessage,
  GenServer,
  type Node,
  Observer,
  type Pid,
  type Ref,
  type VirtualClock,
} from '../../../runtime/index.ts'
import { muteCrashReports } from './quiet-reports.ts'

export const NODE_NAMES = ['a@127.0.0.1', 'b@127.0.0.1', 'c@127.0.0.1'] as const
/** How long a node takes to notice a lost peer (Erlang's `net_ticktime`), shortened for the demo. */
export const TICK_MS = 1000
const SINGLETON = { global: 'singleton' } as const

/** `'a@127.0.0.1'` is shown as `a`. */
export const short = (name: string) => name.split('@')[0]

export interface NodeView {
  readonly name: string
  readonly short: string
  /** False once crashed, until restarted. */
  readonly up: boolean
  /** Where this node's copy of the global table says `singleton` runs (a short name), if anywhere. */
  readonly sees: string | null
  /** Pids of the singletons running on this node (two nodes may run one each in a split brain). */
  readonly runs: readonly string[]
  /** The nodes this one is connected to right now (short names). */
  readonly peers: readonly string[]
  /** Cut off from the others by the reader. */
  readonly isolated: boolean
}

export interface TraceLine {
  readonly seq: number
  readonly time: number
  readonly text: string
}

export interface ClusterView {
  readonly time: number
  readonly nodes: readonly NodeView[]
  readonly log: readonly TraceLine[]
}

/** The singleton: it answers `where` with the node it runs on. */
const Singleton = {
  init: (node: string) => ['ok', node],
  handleCall: (_request: 'where', _from, node) => ['reply', node, node],
} satisfies GenServer.Behaviour<string, string, 'where', never, string>

/** Starts the singleton on `node`, or finds the one running: its pid either way. */
async function startOrFind(node: Node): Promise<Pid> {
  const result = await GenServer.start(Singleton, node.name, { name: SINGLETON, node })
  if (result[0] === 'ok') return result[1]
  if (result[0] === 'error' && Array.isArray(result[1]) && result[1][0] === 'already_started')
    return result[1][1] as Pid
  throw new Error(`could not start the singleton: ${String(result)}`)
}

/** The chapter's watcher: keeps a singleton running somewhere, starting it here if need be. */
function startWatcher(node: Node): void {
  node.spawn(async (ctx) => {
    for (;;) {
      const ref = ctx.monitor(await startOrFind(ctx.node))
      await ctx.receive((message) => isDown(message, ref))
    }
  })
}

function isDown(message: unknown, ref: Ref): message is DownMessage {
  return (message as DownMessage)?.type === 'DOWN' && (message as DownMessage).ref === ref
}

export class ClusterDemo {
  readonly cluster: Cluster
  private readonly clock: VirtualClock
  private isolated: string | undefined
  private log: TraceLine[] = []
  private traced = 0
  private readonly unmute: (() => void)[] = []

  private constructor() {
    // No latency: a message arrives at once, so only the tick time needs the reader's clock.
    this.cluster = createCluster({ tickTime: TICK_MS, latency: 0, seed: 7 })
    this.clock = this.cluster.clock as VirtualClock
  }

  /** Three connected nodes, each with a watcher; the first node's watcher starts the singleton. */
  static async start(): Promise<ClusterDemo> {
    const demo = new ClusterDemo()
    const [a, b, c] = NODE_NAMES.map((name) => demo.addNode(name))
    a.connect(b.name)
    a.connect(c.name)
    for (const node of [a, b, c]) {
      startWatcher(node)
      await demo.clock.advance(0)
    }
    demo.collectTrace()
    return demo
  }

  /** Cuts `name` off from the other two (a partition); heals any earlier one first. */
  async cutOff(name: string): Promise<void> {
    this.isolated = name
    const others = NODE_NAMES.filter((n) => n !== name)
    await this.step(() => this.cluster.partition([name], others))
  }

  async heal(): Promise<void> {
    this.isolated = undefined
    await this.step(() => this.cluster.heal())
  }

  async crash(name: string): Promise<void> {
    await this.step(() => this.cluster.crash(name))
  }

  /** Starts a crashed node again, with a watcher of its own. */
  async restart(name: string): Promise<void> {
    await this.step(() => {
      const node = this.cluster.restart(name)
      this.unmute.push(muteCrashReports(node))
      startWatcher(node)
    })
  }

  /** Lets virtual time pass: after {@link TICK_MS}, nodes notice the peers they lost. */
  async wait(ms: number): Promise<void> {
    await this.step(() => this.clock.advance(ms))
  }

  view(): ClusterView {
    const snapshot = Observer.snapshot(this.cluster)
    const nodes = NODE_NAMES.map((name): NodeView => {
      const node = this.cluster.node(name)
      const up = !node.halted
      return {
        name,
        short: short(name),
        up,
        sees: up ? shortOrNull(this.cluster.global.whereis(node, 'singleton')?.node.name) : null,
        runs: snapshot.processes
          .filter((p) => p.node === name && p.behaviour === 'GenServer')
          .map((p) => p.pid),
        peers: up ? node.nodes().map(short) : [],
        isolated: this.isolated === name,
      }
    })
    return { time: this.clock.now(), nodes, log: this.log }
  }

  dispose(): void {
    for (const node of this.cluster.nodes()) node.shutdown()
    for (const undo of this.unmute) undo()
  }

  private addNode(name: string): Node {
    const node = this.cluster.addNode(name)
    this.unmute.push(muteCrashReports(node))
    return node
  }

  /** Runs `action`, then delivers everything due now (time does not move). */
  private async step(action: () => unknown): Promise<void> {
    await action()
    await this.clock.advance(0)
    this.collectTrace()
  }

  /** Copies the cluster's new trace lines into the log, with short node names. */
  private collectTrace(): void {
    const lines = this.cluster.trace.slice(this.traced)
    this.traced = this.cluster.trace.length
    this.log = [
      ...this.log,
      ...lines.map((line, i) => {
        const space = line.indexOf(' ')
        return {
          seq: this.traced - lines.length + i,
          time: Number(line.slice(0, space)),
          text: line.slice(space + 1).replaceAll('@127.0.0.1', ''),
        }
      }),
    ]
  }
}

function shortOrNull(name: string | undefined): string | null {
  return name === undefined ? null : short(name)
}
