/**
 * The counter of exercise 03, made ready for a supervisor: it starts under a name, it has a
 * child spec, and it lets bad input crash it instead of defending itself.
 *
 * Replace each `throw new Error('TODO: ...')` with your code. The README has the tasks and hints.
 */
import { GenServer, type Supervisor, type Timeout } from 'letitcrash'

/** What callers ask with `GenServer.call`: Elixir's `:get_count`. */
export type Call = 'get_count'
/** What callers send with `GenServer.cast`: `:increment` and `{:increment_by, amount}`. */
export type Cast = 'increment' | readonly [tag: 'increment_by', amount: number]

// --- Client -----------------------------------------------------------------------------------

/** Starts a counter at `initial`, linked to the caller (its supervisor). */
export function startLink(
  initial: number,
  options: { readonly name?: string } = {},
): Promise<GenServer.OnStart> {
  return GenServer.startLink(Counter, initial, options)
}

/** Adds one. */
export function increment(server: GenServer.Server): void {
  GenServer.cast(server, 'increment')
}

/** Adds `amount`, which must be an integer: anything else crashes the counter. */
export function incrementBy(server: GenServer.Server, amount: number): void {
  GenServer.cast(server, ['increment_by', amount])
}

/** The current count. */
export function getCount(server: GenServer.Server, timeout: Timeout = 5000): Promise<number> {
  return GenServer.call<number>(server, 'get_count', timeout)
}

/**
 * How a supervisor starts the counter `name`: Elixir's `child_spec/1`. The name is the child's
 * id, and the counter registers it, so clients find the counter again after a restart.
 * @example Supervisor.init([childSpec('visits', 0)], { strategy: 'one_for_one' })
 */
export function childSpec(name: string, initial: number): Supervisor.ChildSpec {
  // TODO (task 1): return { id, start }: the id is the name, and `start` starts a counter at
  // `initial` registered under `name`, with startLink.
  throw new Error(`TODO: childSpec(${name}, ${initial})`)
}

// --- Server (callbacks) -----------------------------------------------------------------------

export const Counter = {
  init: (count) => ['ok', count],

  handleCast(request, count) {
    if (request === 'increment') return ['noreply', count + 1]
    // TODO (task 3): ['increment_by', amount] adds `amount` when it is an integer. Any other
    // amount must crash the counter: throw a TypeError that names the amount.
    throw new Error(`TODO: Counter.handleCast(${JSON.stringify(request)}, ${count})`)
  },

  handleCall: (_getCount, _from, count) => ['reply', count, count],
} satisfies GenServer.Behaviour<number, number, Call, Cast, number>
