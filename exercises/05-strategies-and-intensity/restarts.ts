/**
 * Restart types and restart intensity: when a child is restarted at all, and when its
 * supervisor stops trying and passes the failure up the tree.
 *
 * Replace each `throw new Error('TODO: ...')` with your code. The README has the tasks and hints.
 */
import type { GenServer, Supervisor } from 'letitcrash'
import type { Work } from './workers.ts'

// --- 2. A transient job -------------------------------------------------------------------------

/**
 * A job that runs `work` once: restarted if it crashes (the work is not done), left alone once
 * it finished normally (it is).
 */
export function jobSpec(id: string, work: Work): Supervisor.ChildSpec {
  // TODO (task 2): a child spec whose `start` calls startJob(work) (from ./workers.ts), with the
  // right `restart` type.
  throw new Error(`TODO: jobSpec(${id}, ${work.name || 'work'})`)
}

// --- 3. Restart intensity -----------------------------------------------------------------------

/**
 * Supervises the connection. A dropped connection is fixed by a restart; but three drops
 * within ten seconds mean the service is down, and restarting faster will not help: give up
 * (exit with `shutdown`) and let the supervisor above decide.
 */
export const ConnectionSupervisor = {
  startLink(): Promise<GenServer.OnStart> {
    // TODO (task 3): start this module as a supervisor registered as 'connection_sup'.
    throw new Error('TODO: ConnectionSupervisor.startLink()')
  },

  init(): Supervisor.InitResult {
    // TODO (task 3): supervise `connectionSpec` (from ./workers.ts), allowing 2 restarts
    // within 10 seconds.
    throw new Error('TODO: ConnectionSupervisor.init()')
  },
}

// --- 4. Up the tree -----------------------------------------------------------------------------

/**
 * The top of the tree: the connection's supervisor and the lobby (`roomSpec('lobby')`), side by
 * side. When the connection's supervisor gives up, this one restarts it.
 */
export const AppSupervisor = {
  startLink(): Promise<GenServer.OnStart> {
    // TODO (task 4): start this module as a supervisor registered as 'app'.
    throw new Error('TODO: AppSupervisor.startLink()')
  },

  init(): Supervisor.InitResult {
    // TODO (task 4): two children: 'connection_sup' (a supervisor: ConnectionSupervisor) and
    // roomSpec('lobby'), each restarted on its own; keep the default intensity.
    throw new Error('TODO: AppSupervisor.init()')
  },
}
