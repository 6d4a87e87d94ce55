/**
 * Two PostgreSQL drivers behind one tiny interface, so the rest of the chat app writes SQL once.
 *
 * - PGlite (`@electric-sql/pglite`): PostgreSQL compiled to WebAssembly, running inside this
 *   Node process. Its data lives in a directory on disk (or in memory for tests). No server to
 *   install: the default for local use.
 * - `pg`: a connection pool to a real PostgreSQL server (`DATABASE_URL`), for production and for
 *   several chat servers sharing one database.
 *
 * Both take `$1, $2, ...` parameters and run the same SQL. What differs is smoothed over in
 * `repo.ts` (pg returns `bigint` columns as strings, PGlite as numbers).
 *
 * What it teaches: keep the database behind one small seam. The GenServers above it never
 * know which driver runs; tests use the in-memory one.
 * @internal Used by repo.ts and migrate.ts only.
 */
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'

/** One row as the driver returns it. */
export type Row = Record<string, unknown>

/** The smallest thing both drivers can do. */
export interface Db {
  /** Runs one statement with `$n` parameters and returns its rows. */
  query<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<R[]>
  /** Runs a script of several statements (no parameters). */
  exec(sql: string): Promise<void>
  /** Runs `fn` in a transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: Omit<Db, 'transaction' | 'close'>) => Promise<T>): Promise<T>
  /** Closes the connection(s). */
  close(): Promise<void>
}

/**
 * Opens PGlite on `dataDir` (a directory, created if missing) or in memory (`'memory'`).
 * The first open of an empty directory runs `initdb`, which takes a few seconds.
 */
export async function openPglite(dataDir: string | 'memory'): Promise<Db> {
  const db = await PGlite.create(dataDir === 'memory' ? 'memory://' : dataDir)
  const run = {
    async query<R extends Row>(sql: string, params: readonly unknown[] = []) {
      return (await db.query<R>(sql, params as unknown[])).rows
    },
    async exec(sql: string) {
      await db.exec(sql)
    },
  }
  return {
    ...run,
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({
          query: async <R extends Row>(sql: string, params: readonly unknown[] = []) =>
            (await tx.query<R>(sql, params as unknown[])).rows,
          exec: async (sql) => void (await tx.exec(sql)),
        }),
      ),
    close: () => db.close(),
  }
}

/** Opens a `pg` connection pool on `databaseUrl` (`postgres://user:pass@host:port/db`). */
export async function openPostgres(databaseUrl: string): Promise<Db> {
  const pool = new pg.Pool({ connectionString: databaseUrl })
  // An idle connection that breaks emits 'error' on the pool; unhandled, it would end the
  // whole program. The next query simply gets a fresh connection.
  pool.on('error', (error) => console.error('[chat] idle PostgreSQL connection failed:', error))
  // Fail now, with the server's message, rather than at the first request.
  await pool.query('select 1')
  return {
    async query<R extends Row>(sql: string, params: readonly unknown[] = []) {
      return (await pool.query(sql, params as unknown[])).rows as R[]
    },
    async exec(sql: string) {
      await pool.query(sql)
    },
    async transaction(fn) {
      // A transaction needs one connection for all of its statements.
      const client = await pool.connect()
      try {
        await client.query('begin')
        const result = await fn({
          query: async <R extends Row>(sql: string, params: readonly unknown[] = []) =>
            (await client.query(sql, params as unknown[])).rows as R[],
          exec: async (sql) => void (await client.query(sql)),
        })
        await client.query('commit')
        return result
      } catch (error) {
        await client.query('rollback').catch(() => {})
        throw error
      } finally {
        client.release()
      }
    },
    close: () => pool.end(),
  }
}
