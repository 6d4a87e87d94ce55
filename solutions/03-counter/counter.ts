/**
 * Counter: the course's first GenServer. A thin client API on top (what other code calls),
 * the server's callbacks below (what runs inside the counter's process). The count lives
 * only in the server's state: the client functions just send it requests.
 */
import { GenServer, Process, type Ref, type Timeout } from 'letitcrash'

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
  return GenServer.startLink(Counter, initial, options)
}

/** Adds one. A cast: it returns at once and never fails, even if the counter is gone. */
export function increment(server: GenServer.Server): void {
  GenServer.cast(server, 'increment')
}

/**
 * The current count. A call: it waits for the reply, and rejects with `CallTimeoutError` after
 * `timeout` ms (Elixir's default: 5000) or with `NoProcError` if the counter is not running.
 */
export function getCount(server: GenServer.Server, timeout: Timeout = 5000): Promise<number> {
  return GenServer.call<number>(server, 'get_count', timeout)
}

/**
 * Adds one in `ms` milliseconds: a plain `'tick'` message, sent by the node's clock. Returns
 * the timer, for `Process.cancelTimer`.
 */
export function incrementAfter(server: GenServer.Server, ms: number): Ref {
  return Process.sendAfter(server, 'tick', ms)
}

// --- Server (callbacks) -----------------------------------------------------------------------

export const Counter = {
  init: (count) => ['ok', count],

  handleCast: (_increment, count) => ['noreply', count + 1],

  handleCall: (_getCount, _from, count) => ['reply', count, count],

  // Every plain message lands here, not only ours: ignore the ones we do not know.
  handleInfo: (message, count) => ['noreply', message === 'tick' ? count + 1 : count],
} satisfies GenServer.Behaviour<number, number, Call, Cast, number>
