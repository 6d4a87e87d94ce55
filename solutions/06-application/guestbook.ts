/**
 * The guestbook application: visitors sign, and their names are kept across restarts.
 *
 *   guestbook                  the Application: a name, its env, and the tree below
 *   └── guestbook.sup          the root supervisor
 *       ├── guestbook.repo     owns the stored entries; started first, stopped last
 *       └── guestbook.endpoint takes signatures and writes them to the Repo in batches
 *
 * The order is the point: the Endpoint needs the Repo while it runs and while it stops (it
 * writes its last batch into the Repo on its way out), so the Repo starts before it and, as a
 * supervisor stops children in reverse start order, stops after it.
 */
import { Application, GenServer, Supervisor } from 'letitcrash'

export const APP = 'guestbook'
export const ROOT = 'guestbook.sup'
export const REPO = 'guestbook.repo'
export const ENDPOINT = 'guestbook.endpoint'

/** Where the entries live between runs: a stand-in for a file or a database table. */
export interface Disk {
  entries: string[]
}

// #region application
/** Elixir's `use Application` module, with its default config (`config :guestbook, ...`). */
export const Guestbook = {
  name: APP,
  env: { batchSize: 10 },
  start: (env) =>
    Supervisor.startLink(
      [
        // Config the Repo needs once, at start, is handed down as its argument.
        { id: 'repo', start: () => GenServer.startLink(Repo, diskOf(env), { name: REPO }) },
        { id: 'endpoint', start: () => GenServer.startLink(Endpoint, [], { name: ENDPOINT }) },
      ],
      { strategy: 'one_for_one', name: ROOT },
    ),
} satisfies Application.Behaviour

function diskOf(env: Application.Env): Disk {
  return (env.disk as Disk | undefined) ?? { entries: [] }
}
// #endregion application

// #region client
// Client

/** Signs the guestbook; the name is stored with the next batch. */
export function sign(name: string): void {
  GenServer.cast(ENDPOINT, ['sign', name] satisfies EndpointCast)
}

/** Every stored entry, oldest first. */
export function entries(): Promise<readonly string[]> {
  return GenServer.call(REPO, 'all' satisfies RepoCall)
}
// #endregion client

// #region repo
// Server (callbacks): the Repo

type RepoCall = 'all' | readonly ['insert', readonly string[]]

interface RepoState {
  readonly disk: Disk
  readonly entries: readonly string[]
}

export const Repo = {
  init(disk: Disk) {
    // Without this, the supervisor's `shutdown` signal ends the Repo before `terminate` runs.
    this.trapExit(true)
    return ['ok', { disk, entries: [...disk.entries] }]
  },
  handleCall(request: RepoCall, _from, state) {
    if (request === 'all') return ['reply', state.entries, state]
    return ['reply', 'ok', { ...state, entries: [...state.entries, ...request[1]] }]
  },
  terminate(_reason, state) {
    state.disk.entries = [...state.entries]
  },
} satisfies GenServer.Behaviour<RepoState, Disk, RepoCall, never, unknown>
// #endregion repo

// #region endpoint
// Server (callbacks): the Endpoint

type EndpointCast = readonly ['sign', string]

/** Its state: the names signed since the last write. */
export const Endpoint = {
  init(pending: readonly string[]) {
    this.trapExit(true)
    return ['ok', pending]
  },
  async handleCast([, name]: EndpointCast, pending) {
    const waiting = [...pending, name]
    if (waiting.length < batchSize()) return ['noreply', waiting]
    await insert(waiting)
    return ['noreply', []]
  },
  // Runs while the Repo is still up, because the Repo was started first.
  async terminate(_reason, pending) {
    if (pending.length > 0) await insert(pending)
  },
} satisfies GenServer.Behaviour<readonly string[], readonly string[], never, EndpointCast>

/** Read at every signature, so `Application.putEnv` takes effect without a restart. */
function batchSize(): number {
  return Application.getEnv(APP, 'batchSize', 10)
}

function insert(names: readonly string[]): Promise<unknown> {
  return GenServer.call(REPO, ['insert', names] satisfies RepoCall)
}
// #endregion endpoint
