/**
 * The application's supervisor, written as a module like Elixir's `use Supervisor`: `startLink`
 * starts it under a name, `init` says which children to start and how to restart them.
 *
 * Replace each `throw new Error('TODO: ...')` with your code. The README has the tasks and hints.
 */
import type { GenServer, Supervisor } from 'letitcrash'

/** The counters to run: name → initial count. */
export type Counters = Readonly<Record<string, number>>

export const AppSupervisor = {
  /** Starts the supervisor, registered as `'MyApp.Supervisor'`, and its counters. */
  startLink(counters: Counters): Promise<GenServer.OnStart> {
    // TODO (task 2): start this module (AppSupervisor) with Supervisor.startLink(module, arg,
    // options), registered as 'MyApp.Supervisor'.
    throw new Error(`TODO: AppSupervisor.startLink(${JSON.stringify(counters)})`)
  },

  /** Runs inside the supervisor's process: one counter per entry, each restarted on its own. */
  init(counters: Counters): Supervisor.InitResult {
    // TODO (task 2): build one child spec per counter (childSpec from ./counter.ts) and return
    // Supervisor.init(children, { strategy }) with the strategy that restarts only the crashed one.
    throw new Error(`TODO: AppSupervisor.init(${JSON.stringify(counters)})`)
  },
}
