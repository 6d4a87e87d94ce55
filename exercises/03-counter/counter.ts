/**
 * Counter: the course's first GenServer. A thin client API on top (what other code calls),
 * the server's callbacks below (what runs inside the counter's process). The count lives
 * only in the server's state: the client functions just send it requests.
 *
 * Replace each `throw new Error('TODO: ...')` with your code. The README has the tasks and hints.
 */
import type { GenServer, Ref, Timeout } from 'letitcrash'

/** What callers ask with `GenServer.call`: Elixir's `:get_count`. */
export type Call = 'get_count'
/** What callers send with `GenServer.cast`: Elixir's `:increment`. */
export type Cast = 'increment'

export interface StartOptions {
  /** Register the counter under this name, so clients need no pid. */
  readonly name?: string
}

// --- Client -----------------------------------------------------------------------------------

/**
 * Starts a counter at `initial`, linked to the caller (a supervisor, later).
 * @example const [, pid] = await startLink(0, { name: 'visits' })
 */
export function startLink(initial: number, options: StartOptions = {}): Promise<GenServer.OnStart> {
  // TODO (task 1): start the `Counter` behaviour with GenServer.startLink.
  // TODO (task 2): pass `options` on, so that a `name` registers the counter.
  throw new Error(`TODO: startLink(${initial}, ${JSON.stringify(options)})`)
}

/** Adds one. A cast: it returns at once and never fails, even if the counter is gone. */
export function increment(server: GenServer.Server): void {
  // TODO (task 1): cast 'increment' to the server.
  throw new Error(`TODO: increment(${String(server)})`)
}

/**
 * The current count. A call: it waits for the reply, and rejects with `CallTimeoutError` after
 * `timeout` ms (Elixir's default: 5000) or with `NoProcError` if the counter is not running.
 */
export function getCount(server: GenServer.Server, timeout: Timeout = 5000): Promise<number> {
  // TODO (task 1): call the server with 'get_count' and return its reply.
  // TODO (task 4): give up after `timeout` ms.
  throw new Error(`TODO: getCount(${String(server)}, ${timeout})`)
}

/**
 * Adds one in `ms` milliseconds: a plain `'tick'` message, sent by the node's clock. Returns
 * the timer, for `Process.cancelTimer`.
 */
export function incrementAfter(server: GenServer.Server, ms: number): Ref {
  // TODO (task 3): send the server 'tick' after `ms` ms of the node's clock.
  throw new Error(`TODO: incrementAfter(${String(server)}, ${ms})`)
}

// --- Server (callbacks) -----------------------------------------------------------------------

export const Counter = {
  init(count) {
    // TODO (task 1): the state is the count.
    throw new Error(`TODO: Counter.init(${count})`)
  },

  handleCast(request, count) {
    // TODO (task 1): 'increment' adds one to the count; there is no reply.
    throw new Error(`TODO: Counter.handleCast(${request}, ${count})`)
  },

  handleCall(request, _from, count) {
    // TODO (task 1): 'get_count' replies with the count and keeps it.
    throw new Error(`TODO: Counter.handleCall(${request}, ${count})`)
  },

  handleInfo(message, count) {
    // TODO (task 3): 'tick' adds one; ignore any other message.
    throw new Error(`TODO: Counter.handleInfo(${String(message)}, ${count})`)
  },
} satisfies GenServer.Behaviour<number, number, Call, Cast, number>
