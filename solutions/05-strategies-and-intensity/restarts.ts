/**
 * Restart types and restart intensity: when a child is restarted at all, and when its
 * supervisor stops trying and passes the failure up the tree.
 */
import { type GenServer, Supervisor } from 'letitcrash'
import { connectionSpec, roomSpec, startJob, type Work } from './workers.ts'

// --- 2. A transient job -------------------------------------------------------------------------

/**
 * A job that runs `work` once: restarted if it crashes (the work is not done), left alone once
 * it finished normally (it is).
 */
export function jobSpec(id: string, work: Work): Supervisor.ChildSpec {
  return { id, start: () => startJob(work), restart: 'transient' }
}

// --- 3. Restart intensity -----------------------------------------------------------------------

/**
 * Supervises the connection. A dropped connection is fixed by a restart; but three drops
 * within ten seconds mean the service is down, and restarting faster will not help: give up
 * (exit with `shutdown`) and let the supervisor above decide.
 */
export const ConnectionSupervisor = {
  startLink(): Promise<GenServer.OnStart> {
    return Supervisor.startLink(ConnectionSupervisor, undefined, { name: 'connection_sup' })
  },

  init(): Supervisor.InitResult {
    return Supervisor.init([connectionSpec], {
      strategy: 'one_for_one',
      maxRestarts: 2,
      maxSeconds: 10,
    })
  },
}

// --- 4. Up the tree -----------------------------------------------------------------------------

/**
 * The top of the tree: the connection's supervisor and the lobby, side by side. When the
 * connection's supervisor gives up, this one restarts it, with a fresh connection; the lobby
 * does not notice. If that keeps happening (its own intensity: the default 3 in 5 s), this one
 * gives up too, and the failure climbs further.
 */
export const AppSupervisor = {
  startLink(): Promise<GenServer.OnStart> {
    return Supervisor.startLink(AppSupervisor, undefined, { name: 'app' })
  },

  init(): Supervisor.InitResult {
    const children = [
      // A supervisor as a child says so: it gets all the time it needs to stop its own children.
      { id: 'connection_sup', start: () => ConnectionSupervisor.startLink(), type: 'supervisor' },
      roomSpec('lobby'),
    ] satisfies Supervisor.ChildSpec[]
    return Supervisor.init(children, { strategy: 'one_for_one' })
  },
}
