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
 *
 * Replace each `throw new Error('TODO: ...')` with your code. The README has the tasks and hints.
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

/**
 * Stores `batch` with one INSERT and returns the stored messages, in the same order, with
 * their ids. All or nothing: if it rejects, none of them was stored.
 * `Repo.insert_all/3` with `returning: true`
 */
export async function insertMessages(
  db: Db,
  batch: readonly NewMessage[],
): Promise<StoredMessage[]> {
  // TODO (task 1): one `insert into messages (room, username, body) ... returning id` for the
  // whole batch (none for an empty one); return each message with its id, in batch order.
  throw new Error(`TODO: insertMessages(db, ${batch.length} messages) with ${typeof db}`)
}

/**
 * The messages of `room`, oldest first.
 * `Repo.all(from m in Message, where: m.room == ^room, order_by: m.id)`
 */
export async function loadMessages(db: Db, room: string): Promise<StoredMessage[]> {
  // TODO (task 1): select the room's rows in id order; the column `username` is the field `user`.
  throw new Error(`TODO: loadMessages(db, ${JSON.stringify(room)}) with ${typeof db}`)
}
