import {
  createNode,
  ExitError,
  exit,
  GenServer,
  isPid,
  type Node,
  type Pid,
  Supervisor,
  setDefaultNode,
  type VirtualClock,
} from 'letitcrash'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type Db, type OpenDb, openDb, type Row } from './db.ts'
import { insertMessages, loadMessages, type StoredMessage } from './repo.ts'
import { messages, post, roomName, startLink } from './room.ts'

// One database for the whole file: PostgreSQL takes seconds to start, a test milliseconds.
// Every test uses room names of its own (`unique`), so the tests do not see each other's rows.
let database: OpenDb
beforeAll(async () => {
  database = await openDb()
}, 60_000)
afterAll(() => database?.close())

// Every test gets a fresh node on a virtual clock, and the database behind a watcher (`db`)
// that counts statements and can hold them back. Database queries take real time (they are
// real promises), so tests wait for them with `db.quiet()`, never with a sleep.
let node: Node
let clock: VirtualClock
let db: WatchedDb

beforeEach(() => {
  node = createNode({ clock: 'virtual' })
  clock = node.clock as VirtualClock
  setDefaultNode(node)
  db = watch(database)
})
afterEach(async () => {
  db.release('insert')
  db.release('select')
  await db.quiet()
  node.shutdown()
})

describe('task 1: the Repo', () => {
  it('stores a batch with one INSERT and returns each message with its id, in order', async () => {
    const room = unique('repo')
    const batch = [
      { room, user: 'ann', body: 'one' },
      { room, user: 'bob', body: 'two' },
      { room, user: 'ann', body: 'three' },
    ]
    const stored = await insertMessages(db, batch)
    expect(
      db.statements,
      'insertMessages should run exactly one statement, an INSERT, for the whole batch',
    ).toEqual(['insert'])
    const rows = await rowsOf(room)
    expect(
      rows.map((row) => [row.username, row.body]),
      'the batch should be in the messages table, in the order given',
    ).toEqual([
      ['ann', 'one'],
      ['bob', 'two'],
      ['ann', 'three'],
    ])
    expect(
      stored,
      'insertMessages returns the messages, in the order given, each with the id the database gave its row (insert ... returning id)',
    ).toEqual(rows.map((row, i) => ({ ...batch[i], id: row.id })))
  })

  it('runs no statement for an empty batch', async () => {
    expect(await insertMessages(db, [])).toEqual([])
    expect(db.statements, 'an empty batch has nothing to store: return [] at once').toEqual([])
  })

  it('keeps a body that looks like SQL as it is: values travel as parameters', async () => {
    const room = unique('quote')
    const body = `it's "fine"'); drop table messages; --`
    await insertMessages(db, [{ room, user: "o'brien", body }])
    expect(
      (await rowsOf(room)).map((row) => [row.username, row.body]),
      'pass the values as parameters ($1, $2, ...), never inside the SQL text',
    ).toEqual([["o'brien", body]])
  })

  it("loads one room's messages, oldest first, with `user` for the column `username`", async () => {
    const room = unique('load')
    const other = unique('other')
    await seed(room, ['ann', 'first'], ['bob', 'second'])
    await seed(other, ['cid', 'elsewhere'])
    await seed(room, ['ann', 'third'])
    const rows = await rowsOf(room)
    expect(
      await loadMessages(db, room),
      "loadMessages returns the room's rows only, ordered by id, as { id, room, user, body }",
    ).toEqual(rows.map(({ id, username, body }) => ({ id, room, user: username, body })))
  })
})

describe('task 2: acknowledge once stored', () => {
  it('replies to post with the stored message, whose row is in the table', async () => {
    const room = await startRoom(unique('ack'))
    const stored = await answered(post(room, 'ann', 'hello'), "post(room, 'ann', 'hello')")
    const rows = await rowsOf(room)
    expect(
      rows.map((row) => [row.username, row.body]),
      'the message should be in the messages table: store it with insertMessages',
    ).toEqual([['ann', 'hello']])
    expect(
      stored,
      'post replies with the stored message: { id, room, user, body }, with the id from the database',
    ).toEqual({ id: rows[0].id, room, user: 'ann', body: 'hello' })
  })

  it('answers only once the INSERT has finished', async () => {
    const room = await startRoom(unique('wait'))
    db.hold('insert')
    const reply = observe(post(room, 'ann', 'hello'))
    await clock.settle()
    expect(
      reply.settled,
      'the room answered before the message was stored: a crash right then would lose a message the client saw acknowledged. Reply once insertMessages has resolved',
    ).toBe(false)
    db.release('insert')
    await answered(reply.promise, "post(room, 'ann', 'hello')")
    expect((await rowsOf(room)).map((row) => row.body)).toEqual(['hello'])
  })

  it('lists the stored messages, oldest first', async () => {
    const room = await startRoom(unique('list'))
    const acked: StoredMessage[] = []
    for (const body of ['one', 'two', 'three'])
      acked.push(await answered(post(room, 'ann', body), `post(room, 'ann', '${body}')`))
    expect(
      await answered(messages(room), 'messages(room)'),
      "['messages'] replies with every stored message, as post returned them, oldest first",
    ).toEqual(acked)
  })

  it('acknowledges nothing when the INSERT fails: the call fails, and nothing is stored', async () => {
    const room = await startRoom(unique('fail'))
    db.failInserts = true
    const reply = observe(post(room, 'ann', 'lost'))
    await db.quiet()
    expect(reply.settled, 'the post was never answered, not even by a failure').toBe(true)
    expect(
      reply.error,
      "a post whose INSERT failed must not look acknowledged: do not catch the error, let it crash the room, and the caller's call fails",
    ).toBeInstanceOf(ExitError)
    expect(await rowsOf(room)).toEqual([])
  })
})

describe('task 3: reload after a restart', () => {
  it('a restarted room has every acknowledged message, in order', async () => {
    const room = unique('crash')
    const first = await startSupervisedRoom(room)
    const acked: StoredMessage[] = []
    for (const body of ['one', 'two', 'three'])
      acked.push(await answered(post(room, 'ann', body), `post(room, 'ann', '${body}')`))
    const second = await crash(room, first)
    expect(
      await answered(messages(room), `messages(room) after the restart (room ${second})`),
      "the restarted room forgot its messages: init returns ['ok', state, ['continue', 'load']], and handleContinue loads them with loadMessages",
    ).toEqual(acked)
  })

  it('loads its history before the first request, without holding up its start', async () => {
    const room = unique('load')
    await seed(room, ['ann', 'earlier'], ['bob', 'before that?'])
    await seed(unique('other'), ['cid', 'not in this room'])
    db.hold('select')
    const started = observe(startLink(db, room))
    await clock.settle()
    expect(
      started.settled,
      "startLink is still waiting for the database: init must return at once (the supervisor waits for it); return ['continue', 'load'] and load in handleContinue",
    ).toBe(true)
    ok(started.value as GenServer.OnStart, `startLink(db, '${room}')`)
    const listed = observe(messages(room))
    await clock.settle()
    expect(
      listed.settled,
      'the room answered before its history was loaded: load in handleContinue, which runs before any request',
    ).toBe(false)
    db.release('select')
    expect(
      (await answered(listed.promise, 'messages(room)')).map((m) => [m.user, m.body]),
      "the room should list the messages stored in the database for this room, and only those (from loadMessages, not from memory kept outside the room's state)",
    ).toEqual([
      ['ann', 'earlier'],
      ['bob', 'before that?'],
    ])
  })

  it('stores every message once: new ones go after the reloaded ones', async () => {
    const room = unique('once')
    const first = await startSupervisedRoom(room)
    for (const body of ['a', 'b'])
      await answered(post(room, 'ann', body), `post(room, 'ann', '${body}')`)
    await crash(room, first)
    await answered(post(room, 'bob', 'c'), "post(room, 'bob', 'c') after the restart")
    expect(
      (await answered(messages(room), 'messages(room)')).map((m) => m.body),
      'after a restart, the room lists the reloaded messages, then the new one',
    ).toEqual(['a', 'b', 'c'])
    expect(
      (await rowsOf(room)).map((row) => row.body),
      'each message is stored once: a restart stores nothing again',
    ).toEqual(['a', 'b', 'c'])
  })
})

describe('task 4: batch the writes', () => {
  it('answers other requests while an INSERT is in flight', async () => {
    const room = await startRoom(unique('busy'))
    db.hold('insert')
    const slow = observe(post(room, 'ann', 'slow'))
    const listed = observe(messages(room))
    await clock.settle()
    expect(
      listed.settled,
      "the room waits for its INSERT inside handleCall, and answers nobody meanwhile: start the write (startWrite), return ['noreply', state], and reply when the outcome arrives in handleInfo",
    ).toBe(true)
    expect(listed.value, 'a message that is not stored yet is not in the room yet').toEqual([])
    expect(slow.settled, 'the post must wait for its INSERT').toBe(false)
    db.release('insert')
    expect(await answered(slow.promise, "post(room, 'ann', 'slow')")).toMatchObject({
      body: 'slow',
    })
  })

  it('stores the posts that arrive during an INSERT with one more INSERT', async () => {
    const room = await startRoom(unique('batch'))
    db.hold('insert')
    const bodies = Array.from({ length: 10 }, (_, i) => `m${i + 1}`)
    const replies = bodies.map((body) => observe(post(room, 'ann', body)))
    await clock.settle()
    expect(
      db.statements.filter((kind) => kind === 'insert'),
      'while its INSERT runs, the room should start no other: it queues the posts that arrive meanwhile in `pending`',
    ).toEqual(['insert'])
    db.release('insert')
    await db.quiet()
    expect(
      db.inserts,
      'rows per INSERT: one for the first post, then ONE INSERT for the 9 that arrived while it ran (handleInfo writes everything pending)',
    ).toEqual([1, 9])
    expect(
      replies.map((reply) => reply.value?.body),
      'every post of a batch gets its own stored message: reply to each `from` in the batch',
    ).toEqual(bodies)
    expect((await rowsOf(room)).map((row) => row.body)).toEqual(bodies)
  })

  it('loses and duplicates nothing: 30 posts at once are each stored and acknowledged once, in order', async () => {
    const room = await startRoom(unique('load'))
    const sent = Array.from({ length: 30 }, (_, i) => ({
      user: ['ann', 'bob', 'cid'][i % 3],
      body: `#${i}`,
    }))
    const replies = sent.map(({ user, body }) => observe(post(room, user, body)))
    await db.quiet()
    expect(
      replies.filter((reply) => !reply.settled).length,
      'some posts were never answered: after each INSERT, reply to every post in it, and write whatever is pending',
    ).toBe(0)
    const acked = replies.map((reply) => reply.value as StoredMessage)
    expect(
      acked.map(({ user, body }) => ({ user, body })),
      'each post is acknowledged with its own message',
    ).toEqual(sent)
    const ids = acked.map((message) => message.id)
    expect(ids, 'ids grow in the order the posts arrived').toEqual([...ids].sort((a, b) => a - b))
    expect(
      (await rowsOf(room)).map((row) => row.id),
      'the table holds exactly the acknowledged messages, each once',
    ).toEqual(ids)
    expect(await answered(messages(room), 'messages(room)')).toEqual(acked)
  })

  it('acknowledges nothing of a failed batch, and the restarted room holds only what is stored', async () => {
    const room = unique('doomed')
    const first = await startSupervisedRoom(room)
    const kept = await answered(post(room, 'ann', 'kept'), "post(room, 'ann', 'kept')")
    db.hold('insert')
    const doomed = observe(post(room, 'ann', 'doomed'))
    await clock.settle()
    const queued = observe(post(room, 'bob', 'queued behind it'))
    await clock.settle()
    db.failInserts = true
    db.release('insert')
    await db.quiet()
    expect(
      doomed.error,
      "the post whose INSERT failed got no failure: on ['write_failed', error], stop the room with that error (['stop', error, state])",
    ).toBeInstanceOf(ExitError)
    expect(
      queued.error,
      'a post queued behind the failed batch was not stored either: it fails with the room',
    ).toBeInstanceOf(ExitError)
    db.failInserts = false
    await clock.runUntilIdle()
    await db.quiet()
    const second = GenServer.whereis(roomName(room))
    expect(
      isPid(second) && second !== first,
      'the supervisor should have restarted the room that stopped',
    ).toBe(true)
    expect(await answered(messages(room), 'messages(room) after the restart')).toEqual([kept])
    expect((await rowsOf(room)).map((row) => row.body)).toEqual(['kept'])
  })
})

// --- Helpers ------------------------------------------------------------------------------------

type Kind = 'insert' | 'select' | 'other'

/** The shared database as the room sees it, watched by the test. */
interface WatchedDb extends Db {
  /** The kind of every statement asked for, in order (held ones too). */
  readonly statements: Kind[]
  /** How many rows each INSERT that finished stored, in order. */
  readonly inserts: number[]
  /** When true, every INSERT fails (`disk full`) and stores nothing. */
  failInserts: boolean
  /** Holds back every statement of this kind until `release`. */
  hold(kind: Kind): void
  release(kind: Kind): void
  /** Resolves once no statement is running and every process has handled what it got. */
  quiet(): Promise<void>
}

function watch(inner: Db): WatchedDb {
  const gates = new Map<Kind, { promise: Promise<void>; open: () => void }>()
  // Statements running in the database (past any gate), so `quiet` can wait for them.
  const running = new Set<Promise<unknown>>()
  const watched: WatchedDb = {
    statements: [],
    inserts: [],
    failInserts: false,
    async query<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<R[]> {
      const kind: Kind = /^\s*insert\b/i.test(sql)
        ? 'insert'
        : /^\s*select\b/i.test(sql)
          ? 'select'
          : 'other'
      watched.statements.push(kind)
      await gates.get(kind)?.promise
      if (kind === 'insert' && watched.failInserts) throw new Error('disk full')
      const result = inner.query<R>(sql, params)
      running.add(result)
      try {
        const rows = await result
        if (kind === 'insert') watched.inserts.push(rows.length)
        return rows
      } finally {
        running.delete(result)
      }
    },
    hold(kind) {
      let open!: () => void
      const promise = new Promise<void>((resolve) => (open = resolve))
      gates.set(kind, { promise, open })
    },
    release(kind) {
      gates.get(kind)?.open()
      gates.delete(kind)
    },
    async quiet() {
      // A finished statement may make a process start the next one: wait until none is left.
      do {
        await Promise.allSettled([...running])
        await clock.settle()
      } while (running.size > 0)
    },
  }
  return watched
}

interface Observed<T> {
  readonly promise: Promise<T>
  settled: boolean
  value: T | undefined
  error: unknown
}

/** Follows a promise without awaiting it: has it settled yet, and how? */
function observe<T>(promise: Promise<T>): Observed<T> {
  const observed: Observed<T> = { promise, settled: false, value: undefined, error: undefined }
  promise.then(
    (value) => Object.assign(observed, { settled: true, value }),
    (error: unknown) => Object.assign(observed, { settled: true, error }),
  )
  return observed
}

/** Lets the database and the processes finish, then returns the reply; fails if there is none. */
async function answered<T>(reply: Promise<T>, request: string): Promise<T> {
  const observed = observe(reply)
  await db.quiet()
  if (!observed.settled)
    expect.fail(
      `${request} was never answered: does the room reply once the message is stored (['reply', ...] from handleCall, or GenServer.reply(from, ...) later)?`,
    )
  if (observed.error !== undefined) throw observed.error
  return observed.value as T
}

/** Starts room `name` on the watched database and lets it load; returns the name. */
async function startRoom(name: string): Promise<string> {
  ok(await startLink(db, name), `startLink(db, '${name}')`)
  await db.quiet()
  return name
}

/** Starts room `name` under a supervisor of its own; returns the room's pid. */
async function startSupervisedRoom(name: string): Promise<Pid> {
  const children = [{ id: 'room', start: () => startLink(db, name) }]
  ok(
    await Supervisor.startLink(children, { strategy: 'one_for_one' }),
    `a supervisor for room '${name}'`,
  )
  await db.quiet()
  return GenServer.whereis(roomName(name)) as Pid
}

/** Kills the room and lets its supervisor restart it; returns the new room's pid. */
async function crash(name: string, room: Pid): Promise<Pid> {
  exit(room, 'kill')
  await clock.runUntilIdle()
  await db.quiet()
  const restarted = GenServer.whereis(roomName(name))
  if (!isPid(restarted) || restarted === room)
    expect.fail(`the supervisor did not restart room '${name}': does init return ['ok', ...]?`)
  return restarted
}

interface MessageRow {
  [column: string]: unknown
  id: number
  username: string
  body: string
}

/** What the table holds for `room`, oldest first: the truth, read without your code. */
function rowsOf(room: string): Promise<MessageRow[]> {
  return database.query<MessageRow>(
    'select id, username, body from messages where room = $1 order by id',
    [room],
  )
}

/** Stores messages for `room` directly, one statement each, without your code. */
async function seed(room: string, ...messages: [user: string, body: string][]): Promise<void> {
  for (const [user, body] of messages)
    await database.query('insert into messages (room, username, body) values ($1, $2, $3)', [
      room,
      user,
      body,
    ])
}

let counter = 0
/** A room name no other test uses. */
function unique(prefix: string): string {
  counter += 1
  return `${prefix}-${counter}`
}

/** The pid of an `['ok', pid]` start result; fails the test with the result otherwise. */
function ok(result: GenServer.OnStart, what: string): Pid {
  if (result[0] !== 'ok') {
    const reason = result[0] === 'error' ? result[1] : result[0]
    expect.fail(`${what} should give ['ok', pid], got ${String(reason)}`)
  }
  return result[1]
}
