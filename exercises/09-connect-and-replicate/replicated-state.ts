/**
 * State shared by a cluster: one primary under a global name, and a replica on every node.
 * Read README.md for the tasks.
 */
import type { GenServer, Node, ProcessContext } from 'letitcrash'

/** Elixir's `{:global, ReplicatedState}`: one name for the whole cluster. */
export const REPLICATED_STATE = { global: 'replicated_state' } as const

/** Each node's replica is registered under this local name, on its own node. */
export const REPLICA = 'replica'

/** Any data that can be copied between nodes: no functions. */
export type State = unknown

/**
 * Task 1: connects `node` to the cluster through the first of `seeds` that lets it in; true if
 * one did. The seeds may include `node` itself.
 * @example joinCluster(a, ['a@127.0.0.1', 'b@127.0.0.1']) // true
 */
export function joinCluster(node: Node, seeds: readonly string[]): boolean {
  // TODO: try node.connect(seed) for each seed, skipping the node itself, until one succeeds.
  throw new Error(`TODO: connect ${node} through one of ${seeds.join(', ')} (task 1)`)
}

// Client

/** Task 2: starts the cluster's one ReplicatedState on `node`. */
export function startReplicatedState(node: Node, initial: State): Promise<GenServer.OnStart> {
  // TODO: GenServer.start with the global name REPLICATED_STATE, on `node`.
  throw new Error(`TODO: start the ReplicatedState on ${node} with ${String(initial)} (task 2)`)
}

/** Task 2: the current state, asked from the node `ctx` runs on. */
export function getState<T = State>(ctx: ProcessContext): Promise<T> {
  // TODO: call the ReplicatedState by its global name, from ctx.
  throw new Error(`TODO: get the state for ${ctx.self} (task 2)`)
}

/** Task 2: replaces the state; returns at once (a cast). */
export function updateState(ctx: ProcessContext, state: State): void {
  // TODO: cast ['update', state] to the ReplicatedState by its global name, from ctx.
  throw new Error(`TODO: update the state to ${String(state)} for ${ctx.self} (task 2)`)
}

// Server (callbacks)

type PrimaryCall = 'get'
type PrimaryCast = readonly ['update', State]

export const ReplicatedState = {
  init(state: State) {
    // TODO (task 3): send the first state to the replicas too.
    return ['ok', state]
  },
  handleCall: (_request: PrimaryCall, _from, state) => ['reply', state, state],
  handleCast([, state]: PrimaryCast) {
    // TODO (task 3): send every new state to the replicas.
    return ['noreply', state]
  },
} satisfies GenServer.Behaviour<State, State, PrimaryCall, PrimaryCast, State>

// Client

/** Task 3: starts the replica of `node`, registered there as `REPLICA`. */
export function startReplica(node: Node): Promise<GenServer.OnStart> {
  // TODO: GenServer.start the Replica with the local name REPLICA, on `node`.
  throw new Error(`TODO: start the replica on ${node} (task 3)`)
}

/** Task 3: the last state the replica on ctx's own node has seen; no other node is asked. */
export function readLocal<T = State>(ctx: ProcessContext): Promise<T> {
  // TODO: call the replica by its local name, from ctx.
  throw new Error(`TODO: read the replica on ${ctx.node} (task 3)`)
}

// Server (callbacks)

type ReplicaCall = 'get'
type ReplicaCast = readonly ['replicate', State]

export const Replica = {
  init: () => ['ok', undefined],
  handleCall: (_request: ReplicaCall, _from, state) => ['reply', state, state],
  handleCast: ([, state]: ReplicaCast) => ['noreply', state],
} satisfies GenServer.Behaviour<State, undefined, ReplicaCall, ReplicaCast, State>
