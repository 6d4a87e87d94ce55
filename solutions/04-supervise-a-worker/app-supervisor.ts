/**
 * The application's supervisor, written as a module like Elixir's `use Supervisor`: `startLink`
 * starts it under a name, `init` says which children to start and how to restart them.
 */
import { type GenServer, Supervisor } from 'letitcrash'
import { childSpec } from './counter.ts'

/** The counters to run: name → initial count. */
export type Counters = Readonly<Record<string, number>>

export const AppSupervisor = {
  /** Starts the supervisor, registered as `'MyApp.Supervisor'`, and its counters. */
  startLink(counters: Counters): Promise<GenServer.OnStart> {
    return Supervisor.startLink(AppSupervisor, counters, { name: 'MyApp.Supervisor' })
  },

  /** Runs inside the supervisor's process: one counter per entry, each restarted on its own. */
  init(counters: Counters): Supervisor.InitResult {
    const children = Object.entries(counters).map(([name, initial]) => childSpec(name, initial))
    // one_for_one: the counters do not depend on each other, so a crash restarts only its own.
    return Supervisor.init(children, { strategy: 'one_for_one' })
  },
}
