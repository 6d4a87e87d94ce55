/**
 * The guestbook application: visitors sign, and their names are kept across restarts.
 *
 *   guestbook                  the Application: a name, its env, and the tree below
 *   └── guestbook.sup          the root supervisor
 *       ├── guestbook.repo     owns the stored entries
 *       └── guestbook.endpoint takes signatures and writes them to the Repo in batches
 *
 * Read README.md for the tasks. The Repo and the Endpoint are written for you, except for
 * the gaps marked `TODO`.
 */
import { type Application, GenServer } from 'letitcrash'

export const APP = 'guestbook'
export const ROOT = 'guestbook.sup'
export const REPO = 'guestbook.repo'
export const ENDPOINT = 'guestbook.endpoint'

/** Where the entries live between runs: a stand-in for a file or a database table. */
export interface Disk {
  entries: string[]
}

/** Elixir's `use Application` module, with its default config. */
export const Guestbook = {
  name: APP,
  // TODO (task 2): the default configuration: a batchSize of 10.
  env: {},
  start: (env) => {
    // TODO (task 1): start the root supervisor, named ROOT, with two children in this order:
    // the Repo (named REPO, its argument is env.disk) and the Endpoint (named ENDPOINT, its
    // argument is [], no names waiting yet).
    throw new Error(`TODO: start the root supervisor (env: ${JSON.stringify(env)})`)
  },
} satisfies Application.Behaviour

// Client

/** Signs the guestbook; the name is stored with the next batch. */
export function sign(name: string): void {
  GenServer.cast(ENDPOINT, ['sign', name] satisfies EndpointCast)
}

/** Every stored entry, oldest first. */
export function entries(): Promise<readonly string[]> {
  return GenServer.call(REPO, 'all' satisfies RepoCall)
}

// Server (callbacks): the Repo

type RepoCall = 'all' | readonly ['insert', readonly string[]]

interface RepoState {
  readonly disk: Disk
  readonly entries: readonly string[]
}

export const Repo = {
  init(disk: Disk) {
    // TODO (task 3): trap exits, so that `terminate` also runs when the supervisor stops us.
    return ['ok', { disk, entries: [...disk.entries] }]
  },
  handleCall(request: RepoCall, _from, state) {
    if (request === 'all') return ['reply', state.entries, state]
    return ['reply', 'ok', { ...state, entries: [...state.entries, ...request[1]] }]
  },
  terminate(_reason, state) {
    // TODO (task 3): write the entries to the disk (state.disk.entries).
    throw new Error(`TODO: save ${state.entries.length} entries to the disk`)
  },
} satisfies GenServer.Behaviour<RepoState, Disk, RepoCall, never, unknown>

// Server (callbacks): the Endpoint

type EndpointCast = readonly ['sign', string]

/** Its state: the names signed since the last write. */
export const Endpoint = {
  init(pending: readonly string[]) {
    // TODO (task 3): trap exits too.
    return ['ok', pending]
  },
  async handleCast([, name]: EndpointCast, pending) {
    const waiting = [...pending, name]
    if (waiting.length < batchSize()) return ['noreply', waiting]
    await insert(waiting)
    return ['noreply', []]
  },
  terminate(_reason, pending) {
    // TODO (task 3): insert the names still waiting into the Repo.
    throw new Error(`TODO: insert the ${pending.length} waiting names into the Repo`)
  },
} satisfies GenServer.Behaviour<readonly string[], readonly string[], never, EndpointCast>

/** How many signatures make a batch: the application's `batchSize` setting. */
function batchSize(): number {
  // TODO (task 2): read it from the application's env.
  throw new Error(`TODO: read batchSize from the env of '${APP}'`)
}

function insert(names: readonly string[]): Promise<unknown> {
  return GenServer.call(REPO, ['insert', names] satisfies RepoCall)
}
