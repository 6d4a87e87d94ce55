/**
 * Failover: a service that runs once in the cluster (a singleton, under a global name), and a
 * watcher on another node that starts it there when it goes away.
 *
 * The watcher uses the classic OTP idiom: *start it, and if it is already running, take the
 * one that runs*. `GenServer.start` with a global name returns `['ok', pid]` when this call
 * started it, or `['error', ['already_started', pid]]` when some node runs it already; either
 * way we get the pid and monitor it. When the singleton's node dies, the monitor fires
 * `DOWN` with `noconnection` once the network notices (after the cluster's `tickTime`), and
 * the watcher goes round again: now nobody holds the name, so its own start wins.
 *
 * Watchers on several nodes are fine: the global name lets only one start win; the others get
 * `already_started` and watch the winner.
 */
import {
  type DownMessage,
  GenServer,
  type Node,
  type Pid,
  type ProcessContext,
  type Ref,
} from 'letitcrash'

// #region singleton
/** Elixir's `{:global, :singleton}`. */
export const SINGLETON = { global: 'singleton' } as const

// Server (callbacks): it answers `where` with the name of the node it runs on.
const Singleton = {
  init: (node: string) => ['ok', node],
  handleCall: (_request: 'where', _from, node) => ['reply', node, node],
} satisfies GenServer.Behaviour<string, string, 'where', never, string>

// Client

/** Starts the singleton on `node`, or finds the one already running: its pid either way. */
export async function startOrFind(node: Node): Promise<Pid> {
  const result = await GenServer.start(Singleton, node.name, { name: SINGLETON, node })
  if (result[0] === 'ok') return result[1]
  if (result[0] === 'error' && Array.isArray(result[1]) && result[1][0] === 'already_started') {
    return result[1][1] as Pid
  }
  throw new Error(`could not start the singleton: ${String(result)}`)
}

/** Asks the singleton where it runs, from the node `ctx` runs on. */
export function where(ctx: ProcessContext, timeout = 5_000): Promise<string> {
  return GenServer.call<string>(SINGLETON, 'where', { caller: ctx, timeout })
}
// #endregion singleton

// #region watcher
/** Starts a process on `node` that keeps the singleton running somewhere in the cluster. */
export function startFailoverWatcher(node: Node): Pid {
  return node.spawn(async (ctx) => {
    for (;;) {
      const singleton = await startOrFind(ctx.node)
      const ref = ctx.monitor(singleton)
      // Its node died (`noconnection`) or it crashed: go round and start it here.
      await ctx.receive((message) => isDown(message, ref))
    }
  })
}

function isDown(message: unknown, ref: Ref): message is DownMessage {
  return (message as DownMessage).type === 'DOWN' && (message as DownMessage).ref === ref
}
// #endregion watcher
