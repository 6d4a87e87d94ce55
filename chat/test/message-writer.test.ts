import { GenServer, send } from 'letitcrash'
import { describe, expect, it } from 'vitest'
import { ok, useVirtualNode } from '../../runtime/test/helpers.ts'
import * as MessageWriter from '../server/message-writer.ts'
import type { NewMessage, Repo, StoredMessage } from '../server/repo.ts'
import { unique, useMemoryRepo } from './helpers.ts'

const db = useMemoryRepo()
useVirtualNode()

/** The shared repo, counting the INSERTs and the size of each. */
function countingRepo(): { repo: Pick<Repo, 'insertMessages'>; batches: number[] } {
  const batches: number[] = []
  return {
    batches,
    repo: {
      insertMessages(batch) {
        batches.push(batch.length)
        return db.repo.insertMessages(batch)
      },
    },
  }
}

const messages = (room: string, n: number): NewMessage[] =>
  Array.from({ length: n }, (_, i) => ({ room, user: 'ann', body: `m${i}` }))

describe('MessageWriter.store', () => {
  it('replies with the stored row only once it is in the database', async () => {
    const writer = ok(await MessageWriter.startLink({ repo: db.repo }))
    const room = unique('ack')
    const [tag, stored] = await MessageWriter.store(writer, { room, user: 'ann', body: 'hello' })
    expect(tag).toBe('ok')
    expect(stored).toMatchObject({ room, user: 'ann', body: 'hello' })
    expect(await db.repo.recentMessages(room)).toEqual([stored])
  })

  it('stores concurrent messages in call order: ids ascend as the calls were made', async () => {
    const writer = ok(await MessageWriter.startLink({ repo: db.repo }))
    const room = unique('order')
    const results = await Promise.all(messages(room, 50).map((m) => MessageWriter.store(writer, m)))
    const stored = results.map((r) => r[1] as StoredMessage)
    expect(stored.map((m) => m.body)).toEqual(messages(room, 50).map((m) => m.body))
    const ids = stored.map((m) => m.id)
    expect(ids).toEqual([...ids].sort((a, b) => a - b))
    expect((await db.repo.recentMessages(room)).map((m) => m.id)).toEqual(ids)
  })

  it('groups the calls that arrive during a write into the next INSERT', async () => {
    const { repo, batches } = countingRepo()
    const writer = ok(await MessageWriter.startLink({ repo }))
    const room = unique('batch')
    const results = await Promise.all(
      messages(room, 200).map((m) => MessageWriter.store(writer, m)),
    )
    expect(results.every(([tag]) => tag === 'ok')).toBe(true)
    // The first call finds the database idle and is written alone; the other 199 arrived
    // meanwhile and go together.
    expect(batches).toEqual([1, 199])
    expect(await MessageWriter.stats(writer)).toEqual({
      batches: 2,
      stored: 200,
      failures: 0,
      largestBatch: 199,
    })
    expect(await db.repo.recentMessages(room, 500)).toHaveLength(200)
  })

  it('never puts more than maxBatch messages in one INSERT', async () => {
    const { repo, batches } = countingRepo()
    const writer = ok(await MessageWriter.startLink({ repo, maxBatch: 50 }))
    const room = unique('max')
    await Promise.all(messages(room, 151).map((m) => MessageWriter.store(writer, m)))
    expect(batches).toEqual([1, 50, 50, 50])
  })

  it('answers every caller of a failed INSERT with an error and still stores later messages', async () => {
    const room = unique('fail')
    let release!: () => void
    const failing = new Promise<never>((_, reject) => {
      release = () => reject(new Error('disk full'))
    })
    failing.catch(() => {})
    let calls = 0
    const repo: Pick<Repo, 'insertMessages'> = {
      // The second INSERT (of the batch that gathered during the first) fails when told to.
      insertMessages: (batch) => (++calls === 2 ? failing : db.repo.insertMessages(batch)),
    }
    const writer = ok(await MessageWriter.startLink({ repo }))
    const first = MessageWriter.store(writer, { room, user: 'ann', body: 'first' })
    const doomed = ['a', 'b', 'c'].map((body) =>
      MessageWriter.store(writer, { room, user: 'ann', body }),
    )
    expect((await first)[0]).toBe('ok')
    // While the doomed INSERT hangs, more messages arrive; then it fails.
    const later = ['x', 'y'].map((body) => MessageWriter.store(writer, { room, user: 'bob', body }))
    await GenServer.call(writer, { type: 'stats' }) // the writer has queued x and y
    release()
    for (const result of await Promise.all(doomed)) {
      expect(result).toEqual(['error', { reason: 'store_failed', detail: 'disk full' }])
    }
    expect((await Promise.all(later)).map(([tag]) => tag)).toEqual(['ok', 'ok'])
    expect((await db.repo.recentMessages(room)).map((m) => m.body)).toEqual(['first', 'x', 'y'])
    expect(await MessageWriter.stats(writer)).toMatchObject({ batches: 3, stored: 3, failures: 1 })
  })

  it('ignores stray messages while a write is in flight', async () => {
    const { repo, batches } = countingRepo()
    const writer = ok(await MessageWriter.startLink({ repo }))
    const room = unique('stray')
    const pending = MessageWriter.store(writer, { room, user: 'ann', body: 'safe' })
    send(writer, { type: 'nonsense' })
    send(writer, 'hello')
    const [tag, stored] = await pending
    expect(tag).toBe('ok')
    expect(await db.repo.recentMessages(room)).toEqual([stored])
    expect(batches).toEqual([1])
  })

  it('reports a repo that throws at once like a failed INSERT', async () => {
    const repo: Pick<Repo, 'insertMessages'> = {
      insertMessages: () => {
        throw new Error('not connected')
      },
    }
    const writer = ok(await MessageWriter.startLink({ repo }))
    expect(await MessageWriter.store(writer, { room: 'r', user: 'u', body: 'b' })).toEqual([
      'error',
      { reason: 'store_failed', detail: 'not connected' },
    ])
  })

  it('rejects a message whose fields are not strings, and a bad maxBatch', async () => {
    const writer = ok(await MessageWriter.startLink({ repo: db.repo }))
    expect(() =>
      MessageWriter.store(writer, { room: 'r', user: 'u', body: 42 } as unknown as NewMessage),
    ).toThrow('Expected `message.body` to be a string, got `42`')
    const [tag, reason] = await MessageWriter.startLink({ repo: db.repo, maxBatch: 0 })
    expect(tag).toBe('error')
    expect(String(reason)).toMatch(/`maxBatch` to be a positive integer/)
  })
})
