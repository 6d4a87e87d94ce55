/**
 * Failover: a scheduler that must run exactly once in the cluster, kept alive by a guard on
 * every node. Read README.md for the tasks.
 */
import type { GenServer, Node, Pid } from 'letitcrash'

/** The scheduler's name: one process for the whole cluster. */
export const SCHEDULER = { global: 'scheduler' } as const

/** What a node watcher records: which node went down, and when (ms of the cluster's clock). */
export interface NodeDown {
  readonly node: string
  readonly at: number
}

/**
 * Task 1: starts a process on `node` that watches `peer` and records in `seen` when `peer`
 * goes down: `{ node: peer, at: <the clock's time then> }`.
 * @example watchNode(a, 'b@127.0.0.1', seen)
 */
export function watchNode(node: Node, peer: string, seen: NodeDown[]): Pid {
  return node.spawn(async (ctx) => {
    // TODO: monitor the node `peer`, wait for its nodedown message, and record it in `seen`
    // with the time of ctx.node.clock.
    throw new Error(`TODO: ${ctx.self} should watch ${peer} (${seen.length} seen so far; task 1)`)
  })
}

// Server (callbacks): it answers `'where'` with the name of the node it runs on.
export const Scheduler = {
  init: (node: string) => ['ok', node],
  handleCall: (_request: 'where', _from, node) => ['reply', node, node],
} satisfies GenServer.Behaviour<string, string, 'where', never, string>

/**
 * Task 2: starts the scheduler on `node` under the global name SCHEDULER, or, if one already
 * runs somewhere in the cluster, returns that one: its pid either way.
 * @example const scheduler = await startOrFind(a)
 */
export async function startOrFind(node: Node): Promise<Pid> {
  // TODO: GenServer.start(Scheduler, node.name, { name: SCHEDULER, node }); an
  // ['error', ['already_started', pid]] result gives you the running one.
  throw new Error(`TODO: start or find the scheduler from ${node} (task 2)`)
}

/**
 * Task 3: starts a guard on `node`: it makes sure the scheduler runs, monitors it, and when it
 * goes down, starts or finds it again.
 * @example startGuard(a); startGuard(b); startGuard(c)
 */
export function startGuard(node: Node): Pid {
  return node.spawn(async (ctx) => {
    // TODO: forever: startOrFind(ctx.node), monitor the scheduler, wait for its DOWN.
    throw new Error(`TODO: guard the scheduler from ${ctx.node} (task 3)`)
  })
}
