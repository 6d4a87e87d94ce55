/**
 * The whole chat application on a real PostgreSQL server, at `DATABASE_URL_TEST`; skipped
 * when it is not set (`.ci/run` starts a server and sets it). By hand, for example:
 *   DATABASE_URL_TEST=postgres://postgres@127.0.0.1:5432/chat_test npx vitest run chat/test/app.pg.test.ts
 */
import { describe, expect, it } from 'vitest'
import { Names } from '../server/names.ts'
import * as RepoServer from '../server/repo-server.ts'
import * as Room from '../server/room.ts'
import { heardAll, useChatApp, waitFor } from './app-helpers.ts'
import { unique } from './helpers.ts'

const url = process.env.DATABASE_URL_TEST

describe.skipIf(url === undefined || url === '')(
  'the chat on PostgreSQL (DATABASE_URL_TEST)',
  () => {
    const app = useChatApp({ databaseUrl: url })

    it('stores users and messages in PostgreSQL', async () => {
      expect((await RepoServer.get(Names.repo)).kind).toBe('postgres')
      const room = unique('pg')
      const [ann, bob] = [await app.member(room, 'ann'), await app.member(room, 'bob')]
      const login = await app.request('POST', '/api/sessions', {
        username: ann.username,
        password: 'long enough',
      })
      expect(login.status).toBe(200)
      const replies = await Promise.all([ann.say('one'), bob.say('two'), ann.say('three')])
      expect(replies.map(([status]) => status)).toEqual(['ok', 'ok', 'ok'])
      await Promise.all([heardAll(ann, 3), heardAll(bob, 3)])
      const rows = await (await RepoServer.get(Names.repo)).recentMessages(room)
      expect(rows.map((m) => m.id)).toEqual(ann.heard.map((m) => m.id))
      expect(bob.heard).toEqual(ann.heard)
    })

    it('restarts a killed room, which reloads its history from PostgreSQL', async () => {
      const room = unique('pgcrash')
      const ann = await app.member(room, 'ann')
      expect((await ann.say('before'))[0]).toBe('ok')
      const before = Room.whereis(room)!
      expect((await app.request('POST', `/ops/rooms/${room}/crash`)).status).toBe(200)
      await waitFor(() => Room.whereis(room) !== before && Room.whereis(room), 'the restart')
      expect((await ann.say('after'))[0]).toBe('ok')
      const carol = await app.member(room, 'carol')
      expect(carol.joined.messages.map((m: { body: string }) => m.body)).toEqual([
        'before',
        'after',
      ])
      expect([ann.errors, ann.opens]).toEqual([0, 1])
    })
  },
)
