/**
 * Failover: a scheduler that must run exactly once in the cluster (two would run every job
 * twice), kept alive by a guard on every node.
 *
 * - `watchNode` shows how a node learns that another one is gone: not at once, but when the
 *   connection has been silent for the cluster's tick time.
 * - `startOrFind` starts the scheduler under its global name, or finds the one that runs.
 * - `startGuard` runs a process that monitors the scheduler wherever it runs, and starts or
 *   finds it again when it goes down, whether it crashed or its whole node died.
 */
import {
  type DownMessage,
  GenServer,
  type Node,
  type NodeMessage,
  type Pid,
  type Ref,
} from 'letitcrash'

/** The scheduler's name: one process for the whole cluster. */
export const SCHEDULER = { global: 'scheduler' } as const

/** What a node watcher records: which node went down, and when (ms of the cluster's clock). */
export interface NodeDown {
  readonly node: string
  readonly at: number
}

// #region watch-node
/**
 * Starts a process on `node` that watches `peer` and records in `seen` when `peer` goes down.
 * That is one tick time after the last sign of life: a silent node might only be slow.
 */
export function watchNode(node: Node, peer: string, seen: NodeDown[]): Pid {
  return node.spawn(async (ctx) => {
    ctx.monitorNode(peer)
    await ctx.receive((message) => isNodeDown(message, peer))
    seen.push({ node: peer, at: ctx.node.clock.now() })
  })
}

function isNodeDown(message: unknown, peer: string): message is NodeMessage {
  const down = message as NodeMessage | null
  return down?.type === 'nodedown' && down.node === peer
}
// #endregion watch-node

// #region scheduler
// Server (callbacks): it answers `'where'` with the name of the node it runs on.
export const Scheduler = {
  init: (node: string) => ['ok', node],
  handleCall: (_request: 'where', _from, node) => ['reply', node, node],
} satisfies GenServer.Behaviour<string, string, 'where', never, string>

/** Starts the scheduler on `node`, or finds the one running somewhere: its pid either way. */
export async function startOrFind(node: Node): Promise<Pid> {
  const result = await GenServer.start(Scheduler, node.name, { name: SCHEDULER, node })
  if (result[0] === 'ok') return result[1]
  // The global name lets only one start win; losing it means the winner is the one to use.
  const reason = result[0] === 'error' ? result[1] : 'ignore'
  if (Array.isArray(reason) && reason[0] === 'already_started') return reason[1] as Pid
  throw new Error(`the scheduler did not start on ${node}: ${String(reason)}`)
}
// #endregion scheduler

// #region guard
/**
 * Starts a guard on `node`: it makes sure the scheduler runs, monitors it, and when it goes
 * down, starts or finds it again. Guards on several nodes agree through the global name.
 */
export function startGuard(node: Node): Pid {
  return node.spawn(async (ctx) => {
    for (;;) {
      const scheduler = await startOrFind(ctx.node)
      // A monitor on a process of another node fires `DOWN` with reason `noconnection` when
      // that node is lost (after the tick time), and with the crash reason when it crashes.
      const ref = ctx.monitor(scheduler)
      await ctx.receive((message) => isDown(message, ref))
    }
  })
}

function isDown(message: unknown, ref: Ref): message is DownMessage {
  const down = message as DownMessage | null
  return down?.type === 'DOWN' && down.ref === ref
}
// #endregion guard
