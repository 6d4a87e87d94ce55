/**
 * Chapter 7's samples: the article's round-robin `LoadBalancer`, first as the
 * article wrote it, then with monitors, so that a worker that dies is no
 * longer handed out. `load-balancer.test.ts` runs both.
 */
import { type DownMessage, GenServer, type Pid } from 'letitcrash'

// #region worker
/** A worker squares numbers, and says who did the work. */
export const Worker = {
  init: (name: string) => ['ok', name],
  handleCall: ([, n], _from, name) => [
    'reply',
    { by: name, result: n * n },
    name,
  ],
} satisfies GenServer.Behaviour<
  string,
  string,
  readonly ['square', number],
  never,
  { by: string; result: number }
>
// #endregion worker

// #region naive
/** As the article wrote it: a fixed line of workers, the first one to the back. */
export const NaiveBalancer = {
  init: (workers: readonly Pid[]) => ['ok', workers],
  handleCall: (_request, _from, [worker, ...rest]) => [
    'reply',
    worker,
    [...rest, worker],
  ],
} satisfies GenServer.Behaviour<readonly Pid[], readonly Pid[], 'get_worker'>
// #endregion naive

// #region balancer
export const BALANCER = 'balancer'
type Line = readonly Pid[]

// Client

export function startLink(workers: Line) {
  return GenServer.startLink(LoadBalancer, workers, { name: BALANCER })
}

/** The next worker in turn, or `undefined` when none is left. */
export function getWorker(): Promise<Pid | undefined> {
  return GenServer.call(BALANCER, 'get_worker')
}

// Server (callbacks)

export const LoadBalancer = {
  init(workers: Line) {
    // One DOWN per worker when it ends, however it ends.
    for (const worker of workers) this.monitor(worker)
    return ['ok', workers]
  },
  handleCall(_request, _from, line) {
    const [next, ...rest] = line
    if (next === undefined) return ['reply', undefined, line]
    return ['reply', next, [...rest, next]]
  },
  handleInfo(down, line) {
    return ['noreply', line.filter((worker) => worker !== down.pid)]
  },
} satisfies GenServer.Behaviour<
  Line,
  Line,
  'get_worker',
  never,
  Pid | undefined,
  DownMessage
>
// #endregion balancer

// #region square
/** Squares `n` on the next worker. The balancer only says which one. */
export async function square(n: number) {
  const worker = await getWorker()
  if (worker === undefined) throw new Error('no worker is running')
  return GenServer.call<{ by: string; result: number }>(worker, ['square', n])
}
// #endregion square
