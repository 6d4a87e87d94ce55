/**
 * The Repo as a process: a GenServer that owns the database connection (the article's
 * `ChatApp.Repo`, which Ecto also starts as a supervised process).
 *
 * `init` opens the database and applies the migrations; `terminate` closes it and releases the
 * data directory's lock. The server traps exits so that `terminate` also runs when its
 * supervisor shuts it down: without that, a stopping application would leave the lock behind
 * and the next start would have to treat it as stale.
 *
 * Other processes never keep the Repo object itself. They use {@link proxy}, whose methods ask
 * the server *by name* for the current Repo at each call. If the Repo process is restarted with
 * a fresh connection, the very next query uses it: no one holds a stale handle.
 *
 * @example
 * children: [{ id: 'Repo', start: () => RepoServer.startLink({ name: 'ChatApp.Repo', dataDir }) }]
 * const repo = RepoServer.proxy('ChatApp.Repo')
 * await repo.recentMessages('lobby')
 *
 * What it teaches: a resource (a connection, a file, a lock) belongs to a process, and the
 * process's lifetime is the resource's lifetime: acquired in `init`, released in `terminate`.
 */
import { GenServer, type Name } from 'letitcrash'
import { openRepo, type Repo, type RepoOptions } from './repo.ts'

export interface RepoServerOptions extends RepoOptions {
  /** Register under this name. */
  readonly name?: Name
  /**
   * An already open and migrated Repo to serve instead of opening one (tests share one). The
   * server does not close it: it did not open it.
   */
  readonly repo?: Repo
}

interface State {
  readonly repo: Repo
  /** Whether this server opened the repo, and so must close it. */
  readonly owned: boolean
}

// --- Client --------------------------------------------------------------------------------

/**
 * Starts the Repo server linked to the caller (its supervisor); resolves once the database is
 * open and migrated, or to `['error', reason]` (say, another server holds the data directory).
 */
export function startLink(options: RepoServerOptions = {}): Promise<GenServer.OnStart> {
  const { name, ...args } = options
  return GenServer.startLink(RepoServer, args, name === undefined ? {} : { name })
}

/** The Repo the server holds right now. */
export function get(server: GenServer.Server): Promise<Repo> {
  return GenServer.call<Repo>(server, 'get')
}

/**
 * A Repo whose every method first asks `server` for the current Repo. Hand it to processes
 * that need the database: they survive a restart of the Repo server.
 * @example MessageWriter.startLink({ repo: RepoServer.proxy('ChatApp.Repo') })
 */
export function proxy(server: GenServer.Server): Omit<Repo, 'close' | 'kind' | 'databaseUrl'> {
  return {
    migrate: async () => (await get(server)).migrate(),
    createUser: async (username, hash) => (await get(server)).createUser(username, hash),
    findUser: async (username) => (await get(server)).findUser(username),
    insertMessages: async (batch) => (await get(server)).insertMessages(batch),
    recentMessages: async (room, limit) => (await get(server)).recentMessages(room, limit),
    messagesBefore: async (room, beforeId, limit) =>
      (await get(server)).messagesBefore(room, beforeId, limit),
  }
}

// --- Server (callbacks) --------------------------------------------------------------------

/** The behaviour; use `startLink` rather than starting it directly. */
export const RepoServer = {
  async init({ repo, ...options }: Omit<RepoServerOptions, 'name'>) {
    // Trap exits: a shutdown from the supervisor then runs `terminate`, which closes the repo.
    this.trapExit(true)
    if (repo !== undefined) return ['ok', { repo, owned: false }] as const
    const opened = await openRepo(options)
    try {
      await opened.migrate()
    } catch (error) {
      await opened.close() // and so release the lock: a restart must be able to take it
      throw error
    }
    return ['ok', { repo: opened, owned: true }] as const
  },

  handleCall(_request, _from, state) {
    return ['reply', state.repo, state]
  },

  async terminate(_reason, state) {
    if (state.owned) await state.repo.close()
  },
} satisfies GenServer.Behaviour<State, Omit<RepoServerOptions, 'name'>, 'get', never, Repo>
