/** Small children for the supervisor tests: a GenServer worker that logs its starts and stops. */
import { type ExitReason, GenServer, type Pid, type ProcessContext, Supervisor } from '../index.ts'

export interface WorkerArg {
  readonly id: string
  /** Every start appends `id`; with `trap`, every stop appends `stop:id:reason`. */
  readonly log: string[]
  /** Trap exits, so `terminate` runs (and logs) on a supervisor's shutdown too. */
  readonly trap?: boolean
}

type Cast = readonly ['stop', ExitReason]

/** A GenServer that logs; `GenServer.cast(pid, ['stop', reason])` makes it exit with `reason`. */
export const Worker = {
  init(this: ProcessContext, arg: WorkerArg) {
    if (arg.trap) this.trapExit(true)
    arg.log.push(arg.id)
    return ['ok', arg] as const
  },
  handleCall: (_request: 'ping', _from: GenServer.From, state: WorkerArg) =>
    ['reply', 'pong', state] as const,
  handleCast: (request: Cast, state: WorkerArg) => ['stop', request[1], state] as const,
  terminate(reason: ExitReason, state: WorkerArg) {
    if (state.trap) state.log.push(`stop:${state.id}:${describe(reason)}`)
  },
} satisfies GenServer.Behaviour<WorkerArg, WorkerArg, 'ping', Cast, string>

/** A child spec for a {@link Worker} with id `id`. */
export function worker(
  id: string,
  log: string[],
  options: Partial<Supervisor.ChildSpec> & { trap?: boolean } = {},
): Supervisor.ChildSpec {
  const { trap, ...rest } = options
  return { id, start: () => GenServer.startLink(Worker, { id, log, trap }), ...rest }
}

/** Makes a worker exit with `reason` (a crash when it is an Error). */
export function stopWith(pid: Pid | 'restarting' | undefined, reason: ExitReason): void {
  if (pid === undefined || pid === 'restarting') throw new Error('child is not running')
  GenServer.cast(pid, ['stop', reason])
}

/** `{ id: pid }` from `whichChildren`. */
export async function pidsOf(
  supervisor: Pid,
): Promise<Record<string, Supervisor.ChildInfo['pid']>> {
  const children = await Supervisor.whichChildren(supervisor)
  return Object.fromEntries(children.map((c) => [String(c.id), c.pid]))
}

function describe(reason: ExitReason): string {
  return typeof reason === 'string'
    ? reason
    : reason instanceof Error
      ? 'error'
      : JSON.stringify(reason)
}
