/**
 * A round-robin load balancer: every `next` hands out the worker after the last one, so work
 * spreads evenly over the workers. Read README.md for the tasks.
 *
 * The client functions are written for you; you write the server's callbacks, and one line of
 * the Worker.
 */
import { GenServer, type Pid } from 'letitcrash'

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

// Server (callbacks)

type Call = 'next' | 'workers' | readonly ['join', Pid]

/** The workers, the one whose turn is next first. */
type Rotation = readonly Pid[]

export const Balancer = {
  init(workers: readonly Pid[]) {
    // TODO (task 1): the state is the rotation: the workers, whose turn is next first.
    // TODO (task 2): monitor every worker.
    throw new Error(`TODO: start with ${workers.length} workers (tasks 1 and 2)`)
  },
  handleCall(request: Call, _from, rotation) {
    // TODO (task 1): 'next' replies the first worker (undefined if none) and moves it to the
    // end of the line; 'workers' replies the rotation.
    // TODO (task 3): ['join', worker] adds a new worker at the end, monitored, and replies 'ok'.
    throw new Error(`TODO: answer ${JSON.stringify(request)} (${rotation.length} workers)`)
  },
  handleInfo(message: unknown, rotation) {
    // TODO (task 2): a worker's DOWN message arrives here: drop that worker.
    throw new Error(`TODO: handle ${JSON.stringify(message)} (${rotation.length} workers)`)
  },
} satisfies GenServer.Behaviour<
  Rotation,
  readonly Pid[],
  Call,
  never,
  Pid | undefined | Rotation | 'ok'
>

/** What a worker needs to start: its name, and the balancer it works for. */
export interface WorkerArg {
  readonly id: string
  readonly balancer: GenServer.Server
}

/** A worker that answers every job with its name, and joins its balancer as it starts. */
export const Worker = {
  async init({ id, balancer }: WorkerArg) {
    // TODO (task 3): join the balancer, so that the worker gets turns from the moment it runs.
    throw new Error(`TODO: ${id} should join ${String(balancer)} (task 3)`)
  },
  handleCall: (job: string, _from, id) => ['reply', `${id} did ${job}`, id],
} satisfies GenServer.Behaviour<string, WorkerArg, string, never, string>
