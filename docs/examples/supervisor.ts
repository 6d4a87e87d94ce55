/**
 * Chapter 4's samples: a supervisor of three workers, as a module and as a
 * list, and a tree of two levels. `supervisor.test.ts` crashes them and
 * checks who comes back.
 */
import { GenServer, Supervisor } from 'letitcrash'

// #region worker
type State = { readonly name: string; readonly jobs: number }
type Call = 'jobs'
type Cast = 'work' | 'crash'

/** A worker that counts the jobs it did, and crashes when told to. */
export const Worker = {
  init: (name: string) => ['ok', { name, jobs: 0 }],
  handleCall: (_request, _from, state) => ['reply', state.jobs, state],
  handleCast: (request, state) => {
    if (request === 'crash') throw new Error(`${state.name} crashed`)
    return ['noreply', { ...state, jobs: state.jobs + 1 }]
  },
} satisfies GenServer.Behaviour<State, string, Call, Cast, number>

/** A child spec: a worker registered as `name`, also its id. */
export function worker(name: string): Supervisor.ChildSpec {
  return {
    id: name,
    start: () => GenServer.startLink(Worker, name, { name }),
  }
}
// #endregion worker

// #region module
/** A supervisor module, like `use Supervisor`: `init` lists the children. */
export const Workers = {
  init: (strategy: Supervisor.Strategy) =>
    Supervisor.init([worker('worker1'), worker('worker2'), worker('worker3')], {
      strategy,
    }),
} satisfies Supervisor.Module<Supervisor.Strategy>

export function startWorkers(strategy: Supervisor.Strategy = 'one_for_one') {
  return Supervisor.startLink(Workers, strategy, { name: 'workers' })
}
// #endregion module

// #region list
/** The same supervisor without a module: children and options in one call. */
export function startWorkersInline() {
  return Supervisor.startLink(
    [worker('worker1'), worker('worker2'), worker('worker3')],
    { strategy: 'one_for_one', name: 'workers' },
  )
}
// #endregion list

// #region tree
/**
 * Two levels: `root` supervises a cache worker and the `workers` supervisor.
 * When `workers` gives up, it exits, and `root` starts it again, with three
 * fresh workers.
 */
export function startTree() {
  return Supervisor.startLink(
    [
      worker('cache'),
      { id: 'workers', start: () => startWorkers(), type: 'supervisor' },
    ],
    { strategy: 'one_for_one', name: 'root' },
  )
}
// #endregion tree
