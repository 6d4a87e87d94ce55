/**
 * Chapter 3's sample: the article's counter as a GenServer, with the client
 * functions above the server callbacks, as Elixir modules are laid out.
 * `counter.test.ts` runs it.
 */
import { GenServer, type Pid, Process } from 'letitcrash'

// #region counter
type Call = 'value'
type Cast = readonly ['increment', by: number]
type Info = 'tick'

// Client: what the rest of the program calls. Each function sends a message.

/** Starts a counter at `initial`; under a supervisor, linked to it. */
export function startLink(
  initial: number,
  options: GenServer.StartOptions = {},
) {
  return GenServer.startLink(Counter, initial, options)
}

/** Adds `by` without waiting: a cast. */
export function increment(counter: GenServer.Server, by = 1): void {
  GenServer.cast(counter, ['increment', by])
}

/** The current count: a call, which waits for the reply (5 s at most). */
export function value(counter: GenServer.Server): Promise<number> {
  return GenServer.call(counter, 'value')
}

// Server (callbacks): run inside the counter process, one message at a time.

export const Counter = {
  init: (initial: number) => ['ok', initial],
  handleCall: (_request, _from, count) => ['reply', count, count],
  handleCast: ([, by], count) => ['noreply', count + by],
  // Any other message: here, a tick sent with Process.sendAfter.
  handleInfo: (_tick, count) => ['noreply', count + 1],
} satisfies GenServer.Behaviour<number, number, Call, Cast, number, Info>
// #endregion counter

// #region tick
/** Makes `counter` count up by one every `ms` milliseconds, `times` times. */
export function tickEvery(counter: Pid, ms: number, times: number): void {
  for (let i = 1; i <= times; i++) {
    Process.sendAfter(counter, 'tick' satisfies Info, i * ms)
  }
}
// #endregion tick
