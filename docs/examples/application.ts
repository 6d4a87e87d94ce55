/**
 * Chapter 5's samples: a small metrics application. Its root supervisor starts
 * a store, then a supervisor of samplers. Each sampler measures one thing about
 * its node, at an interval read from the application's env, and records it in
 * the store. `application.test.ts` starts it, changes its configuration while
 * it runs, and stops it.
 */
import {
  Application,
  GenServer,
  type Node,
  Process,
  Supervisor,
} from 'letitcrash'

export const APP = 'metrics'
export const ROOT = 'metrics.sup'
export const STORE = 'metrics.store'
export const SAMPLERS = 'metrics.samplers'

// #region application
/** Elixir's `use Application` module, with its default configuration. */
export const Metrics = {
  name: APP,
  env: { interval: 1000, keep: 10 },
  start: (env) =>
    Supervisor.startLink(
      [
        // The store first: samplers write to it from their first tick on.
        {
          id: 'store',
          start: () =>
            GenServer.startLink(Store, env.keep as number, { name: STORE }),
        },
        { id: 'samplers', start: startSamplers, type: 'supervisor' },
      ],
      { strategy: 'one_for_one', name: ROOT },
    ),
} satisfies Application.Behaviour
// #endregion application

// #region samplers
/** What the samplers measure, each about the node it runs on. */
const measures = {
  processes: (node: Node) => node.list().length,
  names: (node: Node) => node.registered().length,
}
export type Metric = keyof typeof measures

function startSamplers() {
  const metrics = Object.keys(measures) as Metric[]
  return Supervisor.startLink(
    metrics.map((metric) => ({
      id: metric,
      start: () => GenServer.startLink(Sampler, metric),
    })),
    { strategy: 'one_for_one', name: SAMPLERS },
  )
}

/** Read at every tick, so `Application.putEnv` takes effect without a restart. */
export function interval(): number {
  return Application.getEnv(APP, 'interval', 1000)
}

const Sampler = {
  init(metric: Metric) {
    Process.sendAfter(this.self, 'sample', interval())
    return ['ok', metric]
  },
  handleInfo(_sample, metric) {
    record(metric, measures[metric](this.node))
    Process.sendAfter(this.self, 'sample', interval())
    return ['noreply', metric]
  },
} satisfies GenServer.Behaviour<Metric, Metric, never, never, never, 'sample'>
// #endregion samplers

// #region store
// Client

/** The recorded values of `metric`, oldest first. */
export function history(metric: Metric): Promise<readonly number[]> {
  return GenServer.call(STORE, ['history', metric] satisfies StoreCall)
}

function record(metric: Metric, value: number): void {
  GenServer.cast(STORE, ['record', metric, value] satisfies StoreCast)
}

// Server (callbacks)

type StoreCall = readonly ['history', Metric]
type StoreCast = readonly ['record', Metric, number]
interface StoreState {
  /** How many values to keep per metric. */
  readonly keep: number
  readonly values: Readonly<Partial<Record<Metric, readonly number[]>>>
}

const Store = {
  init: (keep: number) => ['ok', { keep, values: {} }],
  handleCall: ([, metric], _from, state) => [
    'reply',
    state.values[metric] ?? [],
    state,
  ],
  handleCast: ([, metric, value], state) => {
    const kept = [...(state.values[metric] ?? []), value].slice(-state.keep)
    return [
      'noreply',
      { ...state, values: { ...state.values, [metric]: kept } },
    ]
  },
} satisfies GenServer.Behaviour<
  StoreState,
  number,
  StoreCall,
  StoreCast,
  readonly number[]
>
// #endregion store
