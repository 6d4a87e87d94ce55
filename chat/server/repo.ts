/**
 * The Repo: the chat app's one data-access layer (the article's `ChatApp.Repo`, section 5.4).
 *
 * Every SQL statement of the app lives here, behind a handful of typed functions. It runs on
 * PGlite by default (PostgreSQL in WebAssembly, data in `<dataDir>/pgdata`), in memory for
 * tests, or on a real PostgreSQL server when given a `databaseUrl`; the SQL is the same.
 *
 * @example
 * const repo = await openRepo({ dataDir: 'memory' })
 * await repo.migrate()
 * const [stored] = await repo.insertMessages([{ room: 'lobby', user: 'alice', body: 'hi' }])
 * await repo.recentMessages('lobby') // [{ id: 1, room: 'lobby', user: 'alice', body: 'hi', ... }]
 * await repo.close()
 *
 * What it teaches:
 * - Messages survive a crash only once they are in the database; a room's state is a cache
 *   that a restarted room reloads from here (`recentMessages`).
 * - Batched writes: `insertMessages` stores many messages with ONE statement. A database does
 *   a few thousand round trips a second, but one round trip can carry a thousand rows. The
 *   `MessageWriter` GenServer gathers the batches.
 * - PGlite has no lock of its own against a second server on the same directory, so the
 *   Repo takes one (see `lock-file.ts`).
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { type Db, openPglite, openPostgres, type Row } from './db.ts'
import { acquireLock, type LockFile } from './lock-file.ts'
import { MIGRATIONS_DIR, migrate } from './migrate.ts'

/** A registered user, as stored. */
export interface User {
  readonly id: number
  readonly username: string
  readonly passwordHash: string
  readonly insertedAt: string
}

/** A message to store. */
export interface NewMessage {
  readonly room: string
  readonly user: string
  readonly body: string
}

/** A stored message: what rooms keep, clients receive and history returns. */
export interface StoredMessage {
  readonly id: number
  readonly room: string
  readonly user: string
  readonly body: string
  /** ISO 8601 (`2024-05-01T12:00:00.000Z`), set by the database. */
  readonly inserted_at: string
}

/** Where the data lives. */
export interface RepoOptions {
  /** A PGlite data directory (default `.data/chat`), or `'memory'` for a throwaway database. */
  readonly dataDir?: string | 'memory'
  /** A PostgreSQL URL; when given, `dataDir` is not used for storage. */
  readonly databaseUrl?: string
  /** Where the `.sql` migrations are (default `chat/migrations`). */
  readonly migrationsDir?: string
}

/**
 * The data-access layer. Every method may reject with the driver's error; history methods
 * throw a `TypeError` at once for a bad `limit` or `beforeId` (check client input first).
 */
export interface Repo {
  /** `'pglite'` or `'postgres'` (a real server, reachable at `databaseUrl`). */
  readonly kind: 'pglite' | 'postgres'
  readonly databaseUrl: string | undefined
  /** Applies pending migrations; returns the files applied (none when up to date). */
  migrate(): Promise<string[]>
  /** Adds a user; `['error', 'taken']` if the name (ignoring case) is in use. */
  createUser(username: string, passwordHash: string): Promise<CreateUserResult>
  /** The user with this name, ignoring case, or undefined. */
  findUser(username: string): Promise<User | undefined>
  /**
   * Stores `batch` with one multi-row INSERT and returns the stored rows in the same order.
   * All or nothing: if it rejects, none of them was stored.
   */
  insertMessages(batch: readonly NewMessage[]): Promise<StoredMessage[]>
  /** The newest `limit` (default 50) messages of `room`, oldest first. */
  recentMessages(room: string, limit?: number): Promise<StoredMessage[]>
  /** The `limit` (default 50) messages of `room` just before id `beforeId`, oldest first. */
  messagesBefore(room: string, beforeId: number, limit?: number): Promise<StoredMessage[]>
  /** Closes the database and releases the data directory's lock. Safe to call twice. */
  close(): Promise<void>
}

/** `{:ok, user}` or `{:error, :taken}` */
export type CreateUserResult =
  | readonly [tag: 'ok', user: User]
  | readonly [tag: 'error', reason: 'taken']

/** The most rows one history query returns. */
export const MAX_LIMIT = 500

/**
 * Opens the database: a `pg` pool when `databaseUrl` is given, else PGlite in `dataDir` (locked
 * against a second server) or in memory. Call `migrate()` before using it.
 * @example const repo = await openRepo({ dataDir: '.data/chat' })
 */
export async function openRepo(options: RepoOptions = {}): Promise<Repo> {
  const { dataDir = '.data/chat', databaseUrl, migrationsDir = MIGRATIONS_DIR } = options
  let lock: LockFile | undefined
  let db: Db
  if (databaseUrl !== undefined) {
    db = await openPostgres(databaseUrl)
  } else if (dataDir === 'memory') {
    db = await openPglite('memory')
  } else {
    mkdirSync(dataDir, { recursive: true })
    lock = acquireLock(dataDir)
    try {
      db = await openPglite(join(dataDir, 'pgdata'))
    } catch (error) {
      lock.release()
      throw error
    }
  }
  return makeRepo(db, databaseUrl, migrationsDir, lock)
}

function makeRepo(
  db: Db,
  databaseUrl: string | undefined,
  migrationsDir: string,
  lock: LockFile | undefined,
): Repo {
  let closed: Promise<void> | undefined
  const history = async (sql: string, params: unknown[]) =>
    (await db.query<MessageRow>(sql, params)).map(toMessage).reverse()

  return {
    kind: databaseUrl === undefined ? 'pglite' : 'postgres',
    databaseUrl,
    migrate: () => migrate(db, migrationsDir),

    async createUser(username, passwordHash) {
      try {
        const [row] = await db.query<UserRow>(
          `insert into users (username, password_hash) values ($1, $2)
           returning id, username, password_hash, inserted_at`,
          [username, passwordHash],
        )
        return ['ok', toUser(row)]
      } catch (error) {
        // 23505 unique_violation: the name (or another case of it) is registered already.
        if ((error as { code?: string }).code === '23505') return ['error', 'taken']
        throw error
      }
    },

    async findUser(username) {
      const [row] = await db.query<UserRow>(
        `select id, username, password_hash, inserted_at from users
         where lower(username) = lower($1)`,
        [username],
      )
      return row === undefined ? undefined : toUser(row)
    },

    // #region insert-messages
    async insertMessages(batch) {
      if (batch.length === 0) return []
      // One statement for the whole batch. `unnest` turns three arrays into rows, so the
      // statement has three parameters however many messages it carries (a VALUES list
      // needs three per message, and PostgreSQL allows 65,535 parameters in all).
      const rows = await db.query<{ id: unknown; inserted_at: unknown }>(
        `insert into messages (room, username, body)
         select * from unnest($1::text[], $2::text[], $3::text[])
         returning id, inserted_at`,
        // #endregion insert-messages
        [batch.map((m) => m.room), batch.map((m) => m.user), batch.map((m) => m.body)],
      )
      // RETURNING has no promised order, but ids are drawn in insertion order, which is the
      // order of the arrays: sorted by id, row i belongs to message i.
      const stored = rows
        .map((row) => ({ id: Number(row.id), inserted_at: toIso(row.inserted_at) }))
        .sort((a, b) => a.id - b.id)
      return batch.map((m, i) => ({ room: m.room, user: m.user, body: m.body, ...stored[i] }))
    },

    recentMessages(room, limit = 50) {
      assertLimit(limit)
      return history(
        `select id, room, username, body, inserted_at from messages
         where room = $1 order by id desc limit $2`,
        [room, limit],
      )
    },

    messagesBefore(room, beforeId, limit = 50) {
      assertLimit(limit)
      if (!Number.isSafeInteger(beforeId))
        throw new TypeError(`Expected \`beforeId\` to be an integer, got \`${String(beforeId)}\``)
      return history(
        `select id, room, username, body, inserted_at from messages
         where room = $1 and id < $2 order by id desc limit $3`,
        [room, beforeId, limit],
      )
    },

    close() {
      closed ??= db.close().finally(() => lock?.release())
      return closed
    },
  }
}

// --- Rows to values ------------------------------------------------------------------------

interface UserRow extends Row {
  id: unknown
  username: string
  password_hash: string
  inserted_at: unknown
}

interface MessageRow extends Row {
  id: unknown
  room: string
  username: string
  body: string
  inserted_at: unknown
}

// `pg` returns bigint columns as strings (they may exceed 2^53); PGlite as numbers. Ids here
// stay far below 2^53, so both become numbers.
function toUser(row: UserRow): User {
  return {
    id: Number(row.id),
    username: row.username,
    passwordHash: row.password_hash,
    insertedAt: toIso(row.inserted_at),
  }
}

function toMessage(row: MessageRow): StoredMessage {
  return {
    id: Number(row.id),
    room: row.room,
    user: row.username,
    body: row.body,
    inserted_at: toIso(row.inserted_at),
  }
}

function toIso(value: unknown): string {
  return (value instanceof Date ? value : new Date(String(value))).toISOString()
}

function assertLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    throw new TypeError(
      `Expected \`limit\` to be an integer from 1 to ${MAX_LIMIT}, got \`${String(limit)}\``,
    )
}
