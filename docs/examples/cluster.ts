/**
 * Chapter 8's samples: a simulated cluster of three nodes, and a process that
 * watches a process and a node on the other side of the network.
 * `cluster.test.ts` runs them with the article's `ReplicatedState` and the
 * failover example from `runtime/test/examples/`.
 */
import {
  type ClusterOptions,
  createCluster,
  type Node,
  type Pid,
  Process,
} from 'letitcrash'

// #region nodes
export const A = 'a@127.0.0.1'
export const B = 'b@127.0.0.1'
export const C = 'c@127.0.0.1'

/**
 * Three nodes with the cookie 'secret', not connected yet. The network runs on
 * a virtual clock; a lost node is noticed after one second (`tickTime`).
 */
export function threeNodes(options: ClusterOptions = {}) {
  const cluster = createCluster({ tickTime: 1000, ...options })
  const [a, b, c] = [A, B, C].map((name) =>
    cluster.addNode(name, { cookie: 'secret' }),
  ) as [Node, Node, Node]
  return { cluster, a, b, c }
}
// #endregion nodes

// #region watch
/**
 * Starts a process on `node` that monitors `target`, a process on another
 * node, and also that node itself. It reports every message it gets.
 */
export function watchRemote(
  node: Node,
  target: Pid,
  report: (message: unknown) => void,
): Pid {
  return node.spawn(async (ctx) => {
    ctx.monitor(target)
    ctx.monitorNode(Process.node(target))
    for (;;) report(await ctx.receive())
  })
}
// #endregion watch
