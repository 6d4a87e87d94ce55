/**
 * The Repo: every SQL statement of the room, behind two typed functions (the article's
 * `ChatApp.Repo`, which Ecto gives Elixir). The room never writes SQL; it calls these.
 *
 * - `insertMessages` stores a whole batch with ONE statement. A database answers a few
 *   thousand statements a second, but one statement can carry hundreds of rows: that is what
 *   makes the room's batching (task 4) pay.
 * - `loadMessages` reads a room's history back, oldest first: what a restarted room needs.
 *
 * Values always travel as parameters (`$1`), never pasted into the SQL text, so a message
 * body that looks like SQL stays a message body.
 */
import type { Db } from './db.ts'

/** A message to store. */
export interface NewMessage {
  readonly room: string
  readonly user: string
  readonly body: string
}

/** A stored message: what the room keeps and what `post` replies. */
export interface StoredMessage extends NewMessage {
  /** Given by the database: ids grow in the order messages were stored. */
  readonly id: number
}

type MessageRow = { id: number; room: string; username: string; body: string }

// #region repo
/**
 * Stores `batch` with one INSERT and returns the stored messages, in the same order, with
 * their ids. All or nothing: if it rejects, none of them was stored.
 * `Repo.insert_all/3` with `returning: true`
 */
export async function insertMessages(
  db: Db,
  batch: readonly NewMessage[],
): Promise<StoredMessage[]> {
  if (batch.length === 0) return []
  // `unnest` turns three arrays into rows: three parameters however long the batch is.
  const rows = await db.query<{ id: number }>(
    `insert into messages (room, username, body)
     select * from unnest($1::text[], $2::text[], $3::text[])
     returning id`,
    [batch.map((m) => m.room), batch.map((m) => m.user), batch.map((m) => m.body)],
  )
  // RETURNING promises no order, but ids are drawn in the order of the arrays: sorted, the
  // i-th id belongs to the i-th message.
  const ids = rows.map((row) => row.id).sort((a, b) => a - b)
  return batch.map((message, i) => ({ id: ids[i], ...message }))
}

/**
 * The messages of `room`, oldest first.
 * `Repo.all(from m in Message, where: m.room == ^room, order_by: m.id)`
 */
export async function loadMessages(db: Db, room: string): Promise<StoredMessage[]> {
  const rows = await db.query<MessageRow>(
    'select id, room, username, body from messages where room = $1 order by id',
    [room],
  )
  return rows.map(({ id, room, username, body }) => ({ id, room, user: username, body }))
}
// #endregion repo
