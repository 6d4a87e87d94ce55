/**
 * The database, given: real PostgreSQL, running inside this process as WebAssembly (PGlite),
 * with its data in memory. Nothing to install, and the SQL is the SQL a PostgreSQL server runs
 * (the chat app switches to one with `DATABASE_URL`, see `chat/server/db.ts`).
 *
 * `openDb()` starts it and creates the one table the room needs:
 *
 * | column        | type        |                                                  |
 * |---------------|-------------|--------------------------------------------------|
 * | `id`          | integer     | given by the database, one more for every row    |
 * | `room`        | text        |                                                  |
 * | `username`    | text        | (`user` is a reserved word in SQL)               |
 * | `body`        | text        |                                                  |
 * | `inserted_at` | timestamptz | set by the database                              |
 *
 * The rest of the exercise sees only `Db`: one function that runs one statement with `$1, $2,
 * ...` parameters and returns its rows. The tests wrap it to watch what you send.
 *
 * @example
 * const db = await openDb()
 * await db.query('select count(*)::int as n from messages') // [{ n: 0 }]
 * await db.close()
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'

/** One row, as the database returns it: column name → value. */
export type Row = Record<string, unknown>

/** What the room and the Repo need from a database. */
export interface Db {
  /** Runs one SQL statement; `$1` is `params[0]`, and so on. Resolves with its rows. */
  query<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<R[]>
}

/** A database that was opened, and must be closed. */
export interface OpenDb extends Db {
  close(): Promise<void>
}

const SCHEMA = `
  create table messages (
    id integer generated always as identity primary key,
    room text not null,
    username text not null,
    body text not null,
    inserted_at timestamptz not null default now()
  );
  create index messages_room_id on messages (room, id);
`

/**
 * An empty database's files, saved after the first start: PostgreSQL's set-up (`initdb`) takes
 * about two seconds, loading its result a fraction of one. Like `createdb` copying a template.
 */
const TEMPLATE = join(tmpdir(), 'letitcrash-pglite-template.tar.gz')

/**
 * Starts a fresh PostgreSQL in memory and creates the `messages` table. The tests open one for
 * the whole file.
 */
export async function openDb(): Promise<OpenDb> {
  const template = existsSync(TEMPLATE) ? new Blob([readFileSync(TEMPLATE)]) : undefined
  const pg = await PGlite.create(template ? { loadDataDir: template } : {})
  if (template === undefined) await saveTemplate(pg)
  await pg.exec(SCHEMA)
  return {
    async query<R extends Row>(sql: string, params: readonly unknown[] = []) {
      return (await pg.query<R>(sql, [...params])).rows
    },
    close: () => pg.close(),
  }
}

async function saveTemplate(pg: PGlite): Promise<void> {
  const files = Buffer.from(await (await pg.dumpDataDir('gzip')).arrayBuffer())
  // Written aside, then renamed: a test file running alongside never reads half a template.
  const partial = `${TEMPLATE}.${process.pid}`
  writeFileSync(partial, files)
  renameSync(partial, TEMPLATE)
}
