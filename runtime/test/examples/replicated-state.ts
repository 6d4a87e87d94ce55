/**
 * The article's `ReplicatedState`: one GenServer under a global name, so every connected node
 * reaches the same state by name, without knowing where it runs.
 *
 * ```elixir
 * defmodule ReplicatedState do
 *   use GenServer
 *   def start_link(state), do: GenServer.start_link(__MODULE__, state, name: {:global, __MODULE__})
 *   def get_state, do: GenServer.call({:global, __MODULE__}, :get_state)
 *   def update_state(new_state), do: GenServer.cast({:global, __MODULE__}, {:update_state, new_state})
 *   ...
 * end
 * ```
 *
 * In TypeScript the client functions take the caller's context (`ctx`): a request travels from
 * the caller's node, as `GenServer.call` in Elixir runs on the caller's node. The state crosses
 * nodes as a copy, so it holds data (and pids), never functions.
 */
import { GenServer, type Node, type ProcessContext } from 'letitcrash'

// #region server
/** Elixir's `{:global, ReplicatedState}`: one name for the whole cluster. */
export const NAME = { global: 'replicated_state' } as const

/** Any data that can cross nodes. */
export type State = unknown
type Call = 'get_state'
type Cast = readonly ['update_state', State]

// Server (callbacks)
export const ReplicatedState = {
  init: (state: State) => ['ok', state],
  handleCall: (_request: Call, _from, state) => ['reply', state, state],
  handleCast: ([, newState]: Cast, _state) => ['noreply', newState],
} satisfies GenServer.Behaviour<State, State, Call, Cast, State>
// #endregion server

// #region client
// Client

/** Starts the one ReplicatedState of the cluster on `node` (linked when a supervisor starts it). */
export function startLink(state: State, node: Node): Promise<GenServer.OnStart> {
  return GenServer.startLink(ReplicatedState, state, { name: NAME, node })
}

/** The current state, from whichever node `ctx` runs on. */
export function getState<T = State>(ctx: ProcessContext): Promise<T> {
  return GenServer.call<T>(NAME, 'get_state', { caller: ctx })
}

/** Replaces the state; returns at once (a cast). */
export function updateState(ctx: ProcessContext, newState: State): void {
  GenServer.cast(NAME, ['update_state', newState] satisfies Cast, { caller: ctx })
}
// #endregion client
