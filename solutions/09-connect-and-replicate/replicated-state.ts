/**
 * State shared by a cluster: one primary under a global name, and a replica on every node.
 *
 * - `joinCluster` connects a node to the cluster through its seed nodes.
 * - `ReplicatedState` is the primary: one process for the whole cluster, found by its global
 *   name from any node. Reads and writes go to it, so every node sees the same state.
 * - `Replica` keeps a copy of that state on its own node. The primary pushes every new state to
 *   the replicas, so a node can still read the data when the primary is out of reach, or gone.
 */
import { GenServer, type Node, type ProcessContext } from 'letitcrash'

/** Elixir's `{:global, ReplicatedState}`: one name for the whole cluster. */
export const REPLICATED_STATE = { global: 'replicated_state' } as const

/** Each node's replica is registered under this local name, on its own node. */
export const REPLICA = 'replica'

/** Any data that can be copied between nodes: no functions. */
export type State = unknown

// #region join
/**
 * Connects `node` to the cluster through the first of `seeds` that lets it in; true if one did.
 * One is enough: connections are transitive, so `node` meets that seed's peers too.
 */
export function joinCluster(node: Node, seeds: readonly string[]): boolean {
  // A seed list is often the same on every node, so it may name the node itself.
  return seeds.some((seed) => seed !== node.name && node.connect(seed))
}
// #endregion join

// #region primary
// Client

/** Starts the cluster's one ReplicatedState on `node`; `already_started` if one runs anywhere. */
export function startReplicatedState(node: Node, initial: State): Promise<GenServer.OnStart> {
  return GenServer.start(ReplicatedState, initial, { name: REPLICATED_STATE, node })
}

/** The current state, asked from the node `ctx` runs on. */
export function getState<T = State>(ctx: ProcessContext): Promise<T> {
  // `caller` makes the request start from ctx's node, where the global name is looked up.
  return GenServer.call(REPLICATED_STATE, 'get' satisfies PrimaryCall, { caller: ctx })
}

/** Replaces the state; returns at once (a cast). */
export function updateState(ctx: ProcessContext, state: State): void {
  GenServer.cast(REPLICATED_STATE, ['update', state] satisfies PrimaryCast, { caller: ctx })
}

// Server (callbacks)

type PrimaryCall = 'get'
type PrimaryCast = readonly ['update', State]

export const ReplicatedState = {
  init(state: State) {
    replicate(this, state)
    return ['ok', state]
  },
  handleCall: (_request: PrimaryCall, _from, state) => ['reply', state, state],
  handleCast([, state]: PrimaryCast) {
    replicate(this, state)
    return ['noreply', state]
  },
} satisfies GenServer.Behaviour<State, State, PrimaryCall, PrimaryCast, State>

/** Sends `state` to the replica on this node and on every node it is connected to. */
function replicate(ctx: ProcessContext, state: State): void {
  for (const node of [ctx.node.name, ...ctx.node.nodes()]) {
    // A cast to a name nobody holds is dropped: a node without a replica just misses out.
    GenServer.cast({ name: REPLICA, node }, ['replicate', state] satisfies ReplicaCast, {
      caller: ctx,
    })
  }
}
// #endregion primary

// #region replica
// Client

/** Starts the replica of `node`, registered there as `REPLICA`. */
export function startReplica(node: Node): Promise<GenServer.OnStart> {
  return GenServer.start(Replica, undefined, { name: REPLICA, node })
}

/** The last state the replica on ctx's own node has seen; no other node is asked. */
export function readLocal<T = State>(ctx: ProcessContext): Promise<T> {
  return GenServer.call(REPLICA, 'get' satisfies ReplicaCall, { caller: ctx })
}

// Server (callbacks)

type ReplicaCall = 'get'
type ReplicaCast = readonly ['replicate', State]

export const Replica = {
  init: () => ['ok', undefined],
  handleCall: (_request: ReplicaCall, _from, state) => ['reply', state, state],
  handleCast: ([, state]: ReplicaCast) => ['noreply', state],
} satisfies GenServer.Behaviour<State, undefined, ReplicaCall, ReplicaCast, State>
// #endregion replica
