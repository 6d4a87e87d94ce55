/**
 * What every Repo must do, whatever the driver: run by repo.test.ts on PGlite and by
 * repo.pg.test.ts on a real PostgreSQL server.
 */
import { describe, expect, it } from 'vitest'
import type { Repo } from '../server/repo.ts'
import { unique } from './helpers.ts'

export function repoContract(current: { repo: Repo }): void {
  describe('migrate', () => {
    it('applies nothing on a second run: every migration is recorded', async () => {
      expect(await current.repo.migrate()).toEqual([])
      expect(await current.repo.migrate()).toEqual([])
    })
  })

  describe('users', () => {
    it('creates a user and finds it again, ignoring case', async () => {
      const name = unique('Ann')
      const [tag, user] = await current.repo.createUser(name, 'scrypt$hash')
      expect(tag).toBe('ok')
      expect(user).toMatchObject({ username: name, passwordHash: 'scrypt$hash' })
      expect(typeof (user as { id: unknown }).id).toBe('number')
      const found = await current.repo.findUser(name.toUpperCase())
      expect(found).toEqual(user)
    })

    it("answers ['error', 'taken'] for a name in use, in any case", async () => {
      const name = unique('bob')
      await current.repo.createUser(name, 'h1')
      expect(await current.repo.createUser(name, 'h2')).toEqual(['error', 'taken'])
      expect(await current.repo.createUser(name.toUpperCase(), 'h3')).toEqual(['error', 'taken'])
    })

    it('finds nobody for an unknown name', async () => {
      expect(await current.repo.findUser(unique('nobody'))).toBeUndefined()
    })
  })

  describe('insertMessages', () => {
    it('stores a batch with ids in batch order and returns the stored rows', async () => {
      const room = unique('room')
      const batch = ['one', 'two', 'three'].map((body) => ({ room, user: 'ann', body }))
      const stored = await current.repo.insertMessages(batch)
      expect(stored.map((m) => m.body)).toEqual(['one', 'two', 'three'])
      const ids = stored.map((m) => m.id)
      expect(ids).toEqual([...ids].sort((a, b) => a - b))
      expect(new Set(ids).size).toBe(3)
      expect(stored[0]).toMatchObject({ room, user: 'ann' })
      expect(stored[0].inserted_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
      expect(await current.repo.recentMessages(room)).toEqual(stored)
    })

    it('stores a thousand messages of several rooms in one statement', async () => {
      const rooms = [unique('a'), unique('b')]
      const batch = Array.from({ length: 1000 }, (_, i) => ({
        room: rooms[i % 2],
        user: 'ann',
        body: `message ${i}`,
      }))
      const stored = await current.repo.insertMessages(batch)
      expect(stored.map((m) => m.body)).toEqual(batch.map((m) => m.body))
      const inRoomA = await current.repo.recentMessages(rooms[0], 500)
      expect(inRoomA.map((m) => m.id)).toEqual(
        stored.filter((_, i) => i % 2 === 0).map((m) => m.id),
      )
    })

    it('does nothing for an empty batch', async () => {
      expect(await current.repo.insertMessages([])).toEqual([])
    })

    it('keeps text exactly: quotes, unicode, SQL-looking input', async () => {
      const room = unique('text')
      const bodies = ["it's", '"; drop table messages; --', '한국어 😀', 'a\nb', '{1,2}']
      await current.repo.insertMessages(bodies.map((body) => ({ room, user: 'ann', body })))
      expect((await current.repo.recentMessages(room)).map((m) => m.body)).toEqual(bodies)
    })
  })

  describe('history', () => {
    it('recentMessages gives the newest `limit` messages, oldest first', async () => {
      const room = unique('recent')
      const batch = Array.from({ length: 60 }, (_, i) => ({ room, user: 'ann', body: `${i}` }))
      await current.repo.insertMessages(batch)
      const recent = await current.repo.recentMessages(room)
      expect(recent.map((m) => m.body)).toEqual(batch.slice(10).map((m) => m.body))
      const last3 = await current.repo.recentMessages(room, 3)
      expect(last3.map((m) => m.body)).toEqual(['57', '58', '59'])
    })

    it('messagesBefore pages back from an id until the room is exhausted', async () => {
      const room = unique('paging')
      const stored = await current.repo.insertMessages(
        Array.from({ length: 25 }, (_, i) => ({ room, user: 'ann', body: `${i}` })),
      )
      // Another room's messages in between must not show up.
      await current.repo.insertMessages([{ room: unique('other'), user: 'bob', body: 'x' }])
      const pages: string[][] = []
      let before = stored[stored.length - 1].id + 1
      for (;;) {
        const page = await current.repo.messagesBefore(room, before, 10)
        if (page.length === 0) break
        pages.push(page.map((m) => m.body))
        before = page[0].id
      }
      expect(pages.map((p) => p.length)).toEqual([10, 10, 5])
      expect(pages.reverse().flat()).toEqual(stored.map((m) => m.body))
    })

    it('rejects a limit outside 1..500 and a beforeId that is not an integer', () => {
      expect(() => current.repo.recentMessages('r', 0)).toThrow(/`limit`.*1 to 500/)
      expect(() => current.repo.recentMessages('r', 501)).toThrow(/`limit`/)
      expect(() => current.repo.messagesBefore('r', 1.5, 10)).toThrow(/`beforeId`/)
    })
  })
}
