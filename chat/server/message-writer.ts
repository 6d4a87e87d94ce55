/**
 * MessageWriter: a GenServer that stores chat messages in batches (group commit).
 *
 * A room asks `store(writer, message)` and gets the stored row, with its id, only once the
 * row is in the database. That is the chat app's promise: *a message is acknowledged only
 * once stored*, so a crash (of a room, or of the whole server) never loses a message that a
 * client saw acknowledged.
 *
 * Storing each message with its own INSERT caps a server at a few thousand round trips a
 * second. So the writer never waits for the database inside a callback: it starts one INSERT
 * for everything waiting, keeps accepting `store` calls while it runs, and when it finishes
 * it replies to every caller of that batch and starts one INSERT for all that arrived in the
 * meantime. Under light load a batch holds one message (no added delay); under heavy load
 * batches grow by themselves. Databases call this *group commit*.
 *
 * A failed INSERT stores none of its batch (one statement is all or nothing): each of its
 * callers gets `['error', ...]` and may retry; messages that arrived meanwhile go in the next
 * batch as usual.
 *
 * @example
 * const [, writer] = await MessageWriter.startLink({ repo, name: 'message_writer' })
 * const result = await MessageWriter.store('message_writer', { room: 'lobby', user: 'ann', body: 'hi' })
 * if (result[0] === 'ok') broadcast(result[1]) // { id, room, user, body, inserted_at }
 *
 * What it teaches: `handleCall` may return `'noreply'` and answer later with
 * `GenServer.reply(from, ...)`, so a slow resource does not block the server's mailbox.
 */
import { GenServer, type Name, type ProcessContext, type Timeout } from 'letitcrash'
import type { NewMessage, Repo, StoredMessage } from './repo.ts'

/** `{:ok, stored}`, or `{:error, reason}` when the batch's INSERT failed (nothing was stored). */
export type StoreResult =
  | readonly [tag: 'ok', message: StoredMessage]
  | readonly [tag: 'error', reason: StoreError]

/** Why a message was not stored; `detail` is the database's message. */
export interface StoreError {
  readonly reason: 'store_failed'
  readonly detail: string
}

/** Counters for the operations page and the load test. */
export interface WriterStats {
  /** INSERT statements run (successful or not). */
  readonly batches: number
  /** Messages stored. */
  readonly stored: number
  /** INSERT statements that failed. */
  readonly failures: number
  /** The most messages one INSERT carried. */
  readonly largestBatch: number
}

export interface WriterOptions {
  /** Where messages go: a Repo, or anything with its `insertMessages`. */
  readonly repo: Pick<Repo, 'insertMessages'>
  /** Register the writer under this name. */
  readonly name?: Name
  /** The most messages in one INSERT (default 1000). */
  readonly maxBatch?: number
}

type Call = { readonly type: 'store'; readonly message: NewMessage } | { readonly type: 'stats' }

type Info =
  | { readonly type: 'written'; readonly rows: StoredMessage[] }
  | { readonly type: 'write_failed'; readonly error: unknown }

interface Waiting {
  readonly message: NewMessage
  readonly from: GenServer.From<StoreResult>
}

interface State {
  readonly repo: Pick<Repo, 'insertMessages'>
  readonly maxBatch: number
  /** Arrived while a write was in flight, in arrival order. */
  pending: Waiting[]
  /** The batch being written, or null when the database is idle. */
  writing: Waiting[] | null
  stats: WriterStats
}

// --- Client --------------------------------------------------------------------------------

/**
 * Starts a writer linked to the caller (its supervisor).
 * @example children: [{ id: 'writer', start: () => MessageWriter.startLink({ repo }) }]
 */
export function startLink(options: WriterOptions): Promise<GenServer.OnStart> {
  const { name, ...args } = options
  return GenServer.startLink(MessageWriter, args, name === undefined ? {} : { name })
}

/**
 * Stores `message` and resolves once it is in the database, with its id and timestamp.
 * Rejects only if the writer is not running, exits, or does not answer within `timeout` ms
 * (then the message may or may not have been stored: do not acknowledge it).
 */
export function store(
  writer: GenServer.Server,
  message: NewMessage,
  timeout: Timeout = 5000,
): Promise<StoreResult> {
  const { room, user, body } = message
  for (const [key, value] of Object.entries({ room, user, body }))
    if (typeof value !== 'string')
      throw new TypeError(`Expected \`message.${key}\` to be a string, got \`${String(value)}\``)
  return GenServer.call(writer, { type: 'store', message: { room, user, body } }, timeout)
}

/** The writer's counters. */
export function stats(writer: GenServer.Server): Promise<WriterStats> {
  return GenServer.call(writer, { type: 'stats' })
}

// --- Server (callbacks) --------------------------------------------------------------------

/** The behaviour; use `startLink` rather than starting it directly. */
export const MessageWriter = {
  init: ({ repo, maxBatch = 1000 }: Omit<WriterOptions, 'name'>) => {
    if (!Number.isInteger(maxBatch) || maxBatch < 1)
      throw new TypeError(`Expected \`maxBatch\` to be a positive integer, got \`${maxBatch}\``)
    const stats = { batches: 0, stored: 0, failures: 0, largestBatch: 0 }
    return ['ok', { repo, maxBatch, pending: [], writing: null, stats }]
  },

  // #region group-commit
  handleCall(request, from, state) {
    if (request.type === 'stats') return ['reply', state.stats, state]
    state.pending.push({ message: request.message, from: from as GenServer.From<StoreResult> })
    // Nothing in flight: write now. Otherwise it joins the next batch.
    if (state.writing === null) startWrite(this, state)
    return ['noreply', state]
  },

  handleInfo(info, state) {
    // Only our own write outcomes count; a stray message must not settle a batch.
    if (info?.type !== 'written' && info?.type !== 'write_failed') return ['noreply', state]
    const batch = state.writing ?? []
    state.writing = null
    const { stats } = state
    if (info.type === 'written') {
      batch.forEach((waiting, i) => {
        GenServer.reply(waiting.from, ['ok', info.rows[i]])
      })
      state.stats = { ...stats, stored: stats.stored + batch.length }
    } else {
      const detail = info.error instanceof Error ? info.error.message : String(info.error)
      const error: StoreError = { reason: 'store_failed', detail }
      for (const waiting of batch) GenServer.reply(waiting.from, ['error', error])
      state.stats = { ...stats, failures: stats.failures + 1 }
    }
    if (state.pending.length > 0) startWrite(this, state)
    return ['noreply', state]
  },
  // #endregion group-commit
} satisfies GenServer.Behaviour<State, Omit<WriterOptions, 'name'>, Call, never, unknown, Info>

/**
 * Takes up to `maxBatch` waiting messages and starts ONE insert for them, without waiting for
 * it: its outcome comes back to this server as a message, like any other event.
 */
// #region start-write
function startWrite(ctx: ProcessContext, state: State): void {
  const batch = state.pending.splice(0, state.maxBatch)
  state.writing = batch
  const { stats } = state
  state.stats = {
    ...stats,
    batches: stats.batches + 1,
    largestBatch: Math.max(stats.largestBatch, batch.length),
  }
  const { node, self } = ctx
  // `node.send` drops the message if this server has died meanwhile.
  const tell = (info: Info) => node.send(self, info)
  // Called inside `then`, so even a repo that throws at once reports through `write_failed`.
  Promise.resolve()
    .then(() => state.repo.insertMessages(batch.map((w) => w.message)))
    .then(
      (rows) => tell({ type: 'written', rows }),
      (error: unknown) => tell({ type: 'write_failed', error }),
    )
}
// #endregion start-write
