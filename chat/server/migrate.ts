/**
 * Schema migrations: the `.sql` files of `chat/migrations/`, applied in name order, each once.
 *
 * Each file runs in its own transaction together with the row that records it in
 * `schema_migrations`, so a migration is either fully applied and recorded, or not at all: a
 * failing file leaves no half-made table behind and is tried again at the next start.
 * Several servers may start at once against one PostgreSQL server; an advisory lock taken
 * inside each transaction makes them apply a file one after the other, and the second one
 * then sees it recorded and skips it.
 *
 * What it teaches: the schema is part of the program, versioned with it and applied at
 * start (what `mix ecto.migrate` does for an Elixir app).
 */
import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { Db } from './db.ts'

/** The migrations shipped with the chat app. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url))

/** Any fixed number: the key of the advisory lock that serialises migrations. */
const MIGRATION_LOCK = 7_420_001

/**
 * Applies the `.sql` files of `dir` that are not recorded yet, in name order, and returns the
 * names it applied (none on a second run). Throws, naming the file, if one fails.
 */
export async function migrate(db: Db, dir: string = MIGRATIONS_DIR): Promise<string[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.sql')).sort()
  const applied: string[] = []
  for (const file of files) {
    const sql = await readFile(`${dir.replace(/\/?$/, '/')}${file}`, 'utf8')
    const ran = await db
      .transaction(async (tx) => {
        await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
        await tx.exec(`create table if not exists schema_migrations (
          version text primary key,
          inserted_at timestamptz not null default now()
        )`)
        const done = await tx.query('select 1 from schema_migrations where version = $1', [file])
        if (done.length > 0) return false
        await tx.exec(sql)
        await tx.query('insert into schema_migrations (version) values ($1)', [file])
        return true
      })
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error)
        throw new Error(`Migration ${file} failed (nothing of it was applied): ${message}`, {
          cause: error,
        })
      })
    if (ran) applied.push(file)
  }
  return applied
}
