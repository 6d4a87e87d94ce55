/**
 * Chapter 13's samples: a small shop to look at with the observer, and two telemetry handlers,
 * one that notes slow calls and one that logs restarts. `monitoring.test.ts` runs them on a
 * virtual clock, so a slow packer is slow by exactly the milliseconds it says.
 */
import { GenServer, Supervisor, Telemetry } from 'letitcrash'

// #region shop
type Packing = { readonly ms: number; readonly packed: number }

/** Packs one order at a time; each takes `ms` of the node's clock. */
export const Packer = {
  init: (ms: number) => ['ok', { ms, packed: 0 }],
  async handleCall(_order, _from, state) {
    // Stands for slow work (a disk, a remote service): no other order is taken meanwhile.
    await new Promise<void>((done) => this.node.clock.setTimer(state.ms, done))
    return ['reply', 'packed', { ...state, packed: state.packed + 1 }]
  },
} satisfies GenServer.Behaviour<Packing, number, string, never, 'packed'>

/** Counts visits, and crashes when told to. */
export const Visits = {
  init: () => ['ok', 0],
  handleCast: (request, count) => {
    if (request === 'crash') throw new Error('visits crashed')
    return ['noreply', count + 1]
  },
} satisfies GenServer.Behaviour<number, undefined, never, 'visit' | 'crash'>

/** The shop: a supervisor named 'shop' with the two, each registered under its id. */
export function startShop(packMs = 20) {
  return Supervisor.startLink(
    [
      {
        id: 'visits',
        start: () => GenServer.startLink(Visits, undefined, { name: 'visits' }),
      },
      {
        id: 'packer',
        start: () => GenServer.startLink(Packer, packMs, { name: 'packer' }),
      },
    ],
    { strategy: 'one_for_one', name: 'shop' },
  )
}
// #endregion shop

// #region slow-calls
export interface SlowCall {
  readonly server: unknown
  readonly ms: number
}

/** Notes every `GenServer.call` that took longer than `limitMs`, in the list it returns. */
export function watchSlowCalls(id: string, limitMs: number): SlowCall[] {
  const slow: SlowCall[] = []
  const [result] = Telemetry.attach(
    id,
    Telemetry.events.callStop,
    (_event, m, metadata) => {
      // Runs inside the caller, right after its reply came: note it and return.
      if (m.duration > limitMs)
        slow.push({ server: metadata.server, ms: m.duration })
    },
  )
  if (result === 'error')
    throw new Error(`a telemetry handler '${id}' is attached already`)
  return slow
}
// #endregion slow-calls

// #region restarts
/** Writes a line for every restart, and for a supervisor that gives up. */
export function logRestarts(id: string, log: (line: string) => void): void {
  const events = [Telemetry.events.restart, Telemetry.events.maxIntensity]
  Telemetry.attach(
    id,
    events,
    (event, _measurements, { supervisor, childId, reason }) => {
      const what =
        event === Telemetry.events.restart ? 'restarts' : 'gives up after'
      log(
        `${String(supervisor)} ${what} ${String(childId)} (${String(reason)})`,
      )
    },
  )
}
// #endregion restarts
