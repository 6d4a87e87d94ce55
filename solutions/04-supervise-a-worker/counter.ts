/**
 * The counter of exercise 03, made ready for a supervisor: it starts under a name, it has a
 * child spec, and it lets bad input crash it instead of defending itself.
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
  // `restart` is left to its default, 'permanent': a counter should always be running.
  return { id: name, start: () => startLink(initial, { name }) }
}

// --- Server (callbacks) -----------------------------------------------------------------------

export const Counter = {
  init: (count) => ['ok', count],

  handleCast(request, count) {
    if (request === 'increment') return ['noreply', count + 1]
    const [, amount] = request
    // Let it crash: no try/catch, no "fixing" the input. A count that became NaN would be
    // wrong forever; a crash gets us a fresh, known-good counter from the supervisor.
    if (!Number.isInteger(amount))
      throw new TypeError(`increment_by expects an integer amount, got ${amount}`)
    return ['noreply', count + amount]
  },

  handleCall: (_getCount, _from, count) => ['reply', count, count],
} satisfies GenServer.Behaviour<number, number, Call, Cast, number>
