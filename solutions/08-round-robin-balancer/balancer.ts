/**
 * A round-robin load balancer: every `next` hands out the worker after the last one, so work
 * spreads evenly. It monitors its workers: a worker that dies is dropped at its `DOWN`, so
 * nobody is sent to a dead process, and a worker that starts (or restarts) joins the rotation.
 */
import { type DownMessage, GenServer, type Pid } from 'letitcrash'

// #region client
// Client

/** Starts a balancer over `workers`, in that order. */
export function startLink(
  workers: readonly Pid[],
  options: GenServer.StartOptions = {},
): Promise<GenServer.OnStart> {
  return GenServer.startLink(Balancer, workers, options)
}

/** The worker whose turn it is, or `undefined` when there is none. */
export function next(balancer: GenServer.Server): Promise<Pid | undefined> {
  return GenServer.call(balancer, 'next' satisfies Call)
}

/** The workers in the order of their next turns. */
export function workers(balancer: GenServer.Server): Promise<readonly Pid[]> {
  return GenServer.call(balancer, 'workers' satisfies Call)
}

/** Adds `worker` to the rotation (last in line); a worker already in it stays where it is. */
export function join(balancer: GenServer.Server, worker: Pid): Promise<'ok'> {
  return GenServer.call(balancer, ['join', worker] satisfies Call)
}
// #endregion client

// #region server
// Server (callbacks)

type Call = 'next' | 'workers' | readonly ['join', Pid]

/** The workers, the one whose turn is next first. */
type Rotation = readonly Pid[]

export const Balancer = {
  init(workers: readonly Pid[]) {
    // A monitor, not a link: a worker's death is news to the balancer, not a reason to die.
    for (const worker of workers) this.monitor(worker)
    return ['ok', [...workers]]
  },
  handleCall(request: Call, _from, rotation) {
    if (request === 'workers') return ['reply', rotation, rotation]
    if (request === 'next') {
      if (rotation.length === 0) return ['reply', undefined, rotation]
      const [first, ...rest] = rotation
      return ['reply', first, [...rest, first]]
    }
    const [, worker] = request
    if (rotation.includes(worker)) return ['reply', 'ok', rotation]
    this.monitor(worker)
    return ['reply', 'ok', [...rotation, worker]]
  },
  handleInfo(down: DownMessage, rotation) {
    return ['noreply', rotation.filter((worker) => worker !== down.pid)]
  },
} satisfies GenServer.Behaviour<
  Rotation,
  readonly Pid[],
  Call,
  never,
  Pid | undefined | Rotation | 'ok',
  DownMessage
>
// #endregion server

// #region worker
/** What a worker needs to start: its name, and the balancer it works for. */
export interface WorkerArg {
  readonly id: string
  readonly balancer: GenServer.Server
}

/** A worker that answers every job with its name, and joins its balancer as it starts. */
export const Worker = {
  async init({ id, balancer }: WorkerArg) {
    // Joining in init means a restarted worker is back in the rotation by the time its
    // supervisor has restarted it; its old pid leaves at the old process's DOWN.
    await join(balancer, this.self)
    return ['ok', id]
  },
  handleCall: (job: string, _from, id) => ['reply', `${id} did ${job}`, id],
} satisfies GenServer.Behaviour<string, WorkerArg, string, never, string>
// #endregion worker
