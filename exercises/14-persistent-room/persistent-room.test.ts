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
import { t } from '../messages.ts'
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
      t(
        'insertMessages should run exactly one statement, an INSERT, for the whole batch',
        'insertMessages는 묶음 전체에 대해 문장을 정확히 하나, INSERT 하나만 실행해야 합니다',
      ),
    ).toEqual(['insert'])
    const rows = await rowsOf(room)
    expect(
      rows.map((row) => [row.username, row.body]),
      t(
        'the batch should be in the messages table, in the order given',
        '묶음이 주어진 순서대로 messages 테이블에 들어 있어야 합니다',
      ),
    ).toEqual([
      ['ann', 'one'],
      ['bob', 'two'],
      ['ann', 'three'],
    ])
    expect(
      stored,
      t(
        'insertMessages returns the messages, in the order given, each with the id the database gave its row (insert ... returning id)',
        'insertMessages는 메시지들을 주어진 순서대로, 각각 데이터베이스가 그 행에 매긴 id와 함께 반환합니다(insert ... returning id)',
      ),
    ).toEqual(rows.map((row, i) => ({ ...batch[i], id: row.id })))
  })

  it('runs no statement for an empty batch', async () => {
    expect(await insertMessages(db, [])).toEqual([])
    expect(
      db.statements,
      t(
        'an empty batch has nothing to store: return [] at once',
        '빈 묶음은 저장할 것이 없습니다: 곧바로 []를 반환하세요',
      ),
    ).toEqual([])
  })

  it('keeps a body that looks like SQL as it is: values travel as parameters', async () => {
    const room = unique('quote')
    const body = `it's "fine"'); drop table messages; --`
    await insertMessages(db, [{ room, user: "o'brien", body }])
    expect(
      (await rowsOf(room)).map((row) => [row.username, row.body]),
      t(
        'pass the values as parameters ($1, $2, ...), never inside the SQL text',
        '값은 SQL 텍스트 안에 넣지 말고 매개변수($1, $2, ...)로 넘기세요',
      ),
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
      t(
        "loadMessages returns the room's rows only, ordered by id, as { id, room, user, body }",
        'loadMessages는 그 방의 행만 id 순서로 { id, room, user, body } 형태로 반환합니다',
      ),
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
      t(
        'the message should be in the messages table: store it with insertMessages',
        '메시지가 messages 테이블에 있어야 합니다: insertMessages로 저장하세요',
      ),
    ).toEqual([['ann', 'hello']])
    expect(
      stored,
      t(
        'post replies with the stored message: { id, room, user, body }, with the id from the database',
        'post는 저장된 메시지로 답합니다: 데이터베이스가 준 id를 담은 { id, room, user, body }',
      ),
    ).toEqual({ id: rows[0].id, room, user: 'ann', body: 'hello' })
  })

  it('answers only once the INSERT has finished', async () => {
    const room = await startRoom(unique('wait'))
    db.hold('insert')
    const reply = observe(post(room, 'ann', 'hello'))
    await clock.settle()
    expect(
      reply.settled,
      t(
        'the room answered before the message was stored: a crash right then would lose a message the client saw acknowledged. Reply once insertMessages has resolved',
        '메시지가 저장되기 전에 방이 답했습니다: 바로 그때 크래시하면 클라이언트가 확인 응답을 받은 메시지를 잃게 됩니다. insertMessages가 resolve된 뒤에 답하세요',
      ),
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
      t(
        "['messages'] replies with every stored message, as post returned them, oldest first",
        "['messages']는 저장된 모든 메시지를 post가 반환한 모습 그대로, 오래된 것부터 답합니다",
      ),
    ).toEqual(acked)
  })

  it('acknowledges nothing when the INSERT fails: the call fails, and nothing is stored', async () => {
    const room = await startRoom(unique('fail'))
    db.failInserts = true
    const reply = observe(post(room, 'ann', 'lost'))
    await db.quiet()
    expect(
      reply.settled,
      t(
        'the post was never answered, not even by a failure',
        'post에 끝내 답이 오지 않았습니다. 실패로도 답하지 않았습니다',
      ),
    ).toBe(true)
    expect(
      reply.error,
      t(
        "a post whose INSERT failed must not look acknowledged: do not catch the error, let it crash the room, and the caller's call fails",
        'INSERT가 실패한 post가 확인 응답을 받은 것처럼 보이면 안 됩니다: 에러를 잡지 말고 방이 크래시하게 두세요. 그러면 호출한 쪽의 call이 실패합니다',
      ),
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
      await answered(
        messages(room),
        t(
          `messages(room) after the restart (room ${second})`,
          `재시작 뒤의 messages(room) (방 ${second})`,
        ),
      ),
      t(
        "the restarted room forgot its messages: init returns ['ok', state, ['continue', 'load']], and handleContinue loads them with loadMessages",
        "재시작된 방이 메시지를 잊었습니다: init은 ['ok', state, ['continue', 'load']]를 반환하고, handleContinue가 loadMessages로 메시지를 불러옵니다",
      ),
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
      t(
        "startLink is still waiting for the database: init must return at once (the supervisor waits for it); return ['continue', 'load'] and load in handleContinue",
        "startLink가 아직 데이터베이스를 기다립니다: init은 곧바로 반환해야 합니다(슈퍼바이저가 init을 기다립니다). ['continue', 'load']를 반환하고 handleContinue에서 불러오세요",
      ),
    ).toBe(true)
    ok(started.value as GenServer.OnStart, `startLink(db, '${room}')`)
    const listed = observe(messages(room))
    await clock.settle()
    expect(
      listed.settled,
      t(
        'the room answered before its history was loaded: load in handleContinue, which runs before any request',
        '기록을 불러오기 전에 방이 답했습니다: 어떤 요청보다도 먼저 실행되는 handleContinue에서 불러오세요',
      ),
    ).toBe(false)
    db.release('select')
    expect(
      (await answered(listed.promise, 'messages(room)')).map((m) => [m.user, m.body]),
      t(
        "the room should list the messages stored in the database for this room, and only those (from loadMessages, not from memory kept outside the room's state)",
        '방은 데이터베이스에 저장된 이 방의 메시지만 나열해야 합니다(방의 상태 밖에 둔 메모리가 아니라 loadMessages에서 가져와야 합니다)',
      ),
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
    await answered(
      post(room, 'bob', 'c'),
      t("post(room, 'bob', 'c') after the restart", "재시작 뒤의 post(room, 'bob', 'c')"),
    )
    expect(
      (await answered(messages(room), 'messages(room)')).map((m) => m.body),
      t(
        'after a restart, the room lists the reloaded messages, then the new one',
        '재시작 뒤에 방은 다시 불러온 메시지들을 나열하고, 그다음 새 메시지를 나열합니다',
      ),
    ).toEqual(['a', 'b', 'c'])
    expect(
      (await rowsOf(room)).map((row) => row.body),
      t(
        'each message is stored once: a restart stores nothing again',
        '메시지는 한 번씩만 저장됩니다: 재시작한다고 다시 저장하지 않습니다',
      ),
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
      t(
        "the room waits for its INSERT inside handleCall, and answers nobody meanwhile: start the write (startWrite), return ['noreply', state], and reply when the outcome arrives in handleInfo",
        "방이 handleCall 안에서 INSERT를 기다리느라 그동안 아무에게도 답하지 않습니다: 쓰기를 시작하고(startWrite) ['noreply', state]를 반환한 뒤, 결과가 handleInfo로 도착하면 답하세요",
      ),
    ).toBe(true)
    expect(
      listed.value,
      t(
        'a message that is not stored yet is not in the room yet',
        '아직 저장되지 않은 메시지는 아직 방에 없습니다',
      ),
    ).toEqual([])
    expect(
      slow.settled,
      t('the post must wait for its INSERT', 'post는 자기 INSERT를 기다려야 합니다'),
    ).toBe(false)
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
      t(
        'while its INSERT runs, the room should start no other: it queues the posts that arrive meanwhile in `pending`',
        'INSERT가 실행되는 동안 방은 다른 INSERT를 시작하면 안 됩니다: 그사이에 도착한 post는 `pending`에 쌓아 둡니다',
      ),
    ).toEqual(['insert'])
    db.release('insert')
    await db.quiet()
    expect(
      db.inserts,
      t(
        'rows per INSERT: one for the first post, then ONE INSERT for the 9 that arrived while it ran (handleInfo writes everything pending)',
        'INSERT당 행 수: 첫 post에 하나, 그다음 그것이 실행되는 동안 도착한 9개에 INSERT 한 번입니다(handleInfo가 pending을 모두 씁니다)',
      ),
    ).toEqual([1, 9])
    expect(
      replies.map((reply) => reply.value?.body),
      t(
        'every post of a batch gets its own stored message: reply to each `from` in the batch',
        '묶음의 post는 저마다 자기가 저장된 메시지를 받습니다: 묶음의 각 `from`에 답하세요',
      ),
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
      t(
        'some posts were never answered: after each INSERT, reply to every post in it, and write whatever is pending',
        '끝내 답을 받지 못한 post가 있습니다: INSERT가 끝날 때마다 거기 담긴 모든 post에 답하고, pending에 있는 것을 쓰세요',
      ),
    ).toBe(0)
    const acked = replies.map((reply) => reply.value as StoredMessage)
    expect(
      acked.map(({ user, body }) => ({ user, body })),
      t(
        'each post is acknowledged with its own message',
        '각 post는 자기 메시지로 확인 응답을 받습니다',
      ),
    ).toEqual(sent)
    const ids = acked.map((message) => message.id)
    expect(
      ids,
      t('ids grow in the order the posts arrived', 'id는 post가 도착한 순서대로 커집니다'),
    ).toEqual([...ids].sort((a, b) => a - b))
    expect(
      (await rowsOf(room)).map((row) => row.id),
      t(
        'the table holds exactly the acknowledged messages, each once',
        '테이블에는 확인 응답한 메시지가 정확히 한 번씩만 있습니다',
      ),
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
      t(
        "the post whose INSERT failed got no failure: on ['write_failed', error], stop the room with that error (['stop', error, state])",
        "INSERT가 실패한 post가 실패를 받지 못했습니다: ['write_failed', error]를 받으면 그 에러로 방을 멈추세요(['stop', error, state])",
      ),
    ).toBeInstanceOf(ExitError)
    expect(
      queued.error,
      t(
        'a post queued behind the failed batch was not stored either: it fails with the room',
        '실패한 묶음 뒤에 쌓여 있던 post도 저장되지 않았습니다: 방과 함께 실패합니다',
      ),
    ).toBeInstanceOf(ExitError)
    db.failInserts = false
    await clock.runUntilIdle()
    await db.quiet()
    const second = GenServer.whereis(roomName(room))
    expect(
      isPid(second) && second !== first,
      t(
        'the supervisor should have restarted the room that stopped',
        '슈퍼바이저가 멈춘 방을 재시작했어야 합니다',
      ),
    ).toBe(true)
    expect(
      await answered(
        messages(room),
        t('messages(room) after the restart', '재시작 뒤의 messages(room)'),
      ),
    ).toEqual([kept])
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
      t(
        `${request} was never answered: does the room reply once the message is stored (['reply', ...] from handleCall, or GenServer.reply(from, ...) later)?`,
        `${request}에 끝내 답이 오지 않았습니다: 메시지가 저장된 뒤에 방이 답하나요(handleCall에서 ['reply', ...], 또는 나중에 GenServer.reply(from, ...))?`,
      ),
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
    t(`a supervisor for room '${name}'`, `방 '${name}'의 슈퍼바이저`),
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
    expect.fail(
      t(
        `the supervisor did not restart room '${name}': does init return ['ok', ...]?`,
        `슈퍼바이저가 방을 재시작하지 않았습니다('${name}'): init이 ['ok', ...]를 반환하나요?`,
      ),
    )
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
    expect.fail(
      t(
        `${what} should give ['ok', pid], got ${String(reason)}`,
        `${what}: ['ok', pid]를 기대했는데 받은 값은 ${String(reason)}입니다`,
      ),
    )
  }
  return result[1]
}
