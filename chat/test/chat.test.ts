/**
 * The chat over the WebSocket, as the browser will use it: the whole application, the
 * official `phoenix` client, real users with real tokens.
 */
import { Process } from 'letitcrash'
import { describe, expect, it } from 'vitest'
import { Names } from '../server/names.ts'
import type { NewMessage } from '../server/repo.ts'
import * as RepoServer from '../server/repo-server.ts'
import * as Room from '../server/room.ts'
import { signUserToken } from '../server/tokens.ts'
import { answer, heardAll, type Member, openRaw, useChatApp, waitFor } from './app-helpers.ts'
import { unique } from './helpers.ts'

const app = useChatApp()

/** Stores `n` messages `m0`, `m1`, ... in `room` straight through the Repo. */
async function seed(room: string, n: number): Promise<void> {
  const repo = await RepoServer.get(Names.repo)
  const batch: NewMessage[] = Array.from({ length: n }, (_, i) => ({
    room,
    user: 'seed',
    body: `m${i}`,
  }))
  await repo.insertMessages(batch)
}

const bodies = (messages: { body: string }[]) => messages.map((m) => m.body)
const range = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `m${from + i}`)

async function stored(room: string) {
  return (await RepoServer.get(Names.repo)).recentMessages(room, 500)
}

describe('RoomChannel: joining', () => {
  it('joins with the last 50 messages of the room, oldest first', async () => {
    const room = unique('hist')
    await seed(room, 60)
    const ann = await app.member(room)
    expect(bodies(ann.joined.messages)).toEqual(range(10, 60))
    expect(Object.keys(ann.joined.messages[0]).sort()).toEqual([
      'body',
      'id',
      'inserted_at',
      'user',
    ])
  })

  it('refuses a room name that is not allowed, with the reason', async () => {
    const { token } = await app.user()
    const socket = app.connect(token)
    for (const name of ['Lobby', 'with space', 'a'.repeat(33), '']) {
      expect(await answer(socket.channel(`room:${name}`).join())).toEqual([
        'error',
        { reason: 'invalid room name: use 1 to 32 of a-z, 0-9, _ and -' },
      ])
    }
    expect(await answer(socket.channel('lobby').join())).toEqual([
      'error',
      { reason: 'unmatched topic' },
    ])
  })

  it('refuses a missing, forged or foreign token at the socket with 403', async () => {
    const wsUrl = `${app.current.socketUrl}/websocket?vsn=2.0.0`
    await expect(openRaw(wsUrl)).rejects.toThrow('HTTP 403')
    await expect(openRaw(`${wsUrl}&token=forged`)).rejects.toThrow('HTTP 403')
    const foreign = signUserToken('another server’s secret, 32+ chars long', 'ann')
    await expect(openRaw(`${wsUrl}&token=${foreign}`)).rejects.toThrow('HTTP 403')
    const { token } = await app.user()
    const raw = await openRaw(`${wsUrl}&token=${encodeURIComponent(token)}`)
    raw.ws.close()
  })

  it('accepts the token as the authToken subprotocol too', async () => {
    const { token, username } = await app.user()
    const socket = app.connect('', { params: {}, authToken: token })
    const room = unique('sub')
    expect((await answer(socket.channel(`room:${room}`).join()))[0]).toBe('ok')
    const ann = await app.member(room, 'ann')
    await waitFor(
      () => ann.presence.list((key) => key).includes(username),
      'the user to be present',
    )
  })
})

describe('RoomChannel: messages', () => {
  it('stores a message, broadcasts it to the room, and acknowledges it with its id', async () => {
    const room = unique('say')
    const [ann, bob] = [await app.member(room, 'ann'), await app.member(room, 'bob')]
    const elsewhere = await app.member(unique('other'))
    const [status, reply] = await ann.say('hello')
    expect(status).toBe('ok')
    const [message] = await stored(room)
    expect(reply).toEqual({ id: message!.id })
    const expected = {
      id: message!.id,
      user: ann.username,
      body: 'hello',
      inserted_at: message!.inserted_at,
    }
    await heardAll(bob, 1)
    await heardAll(ann, 1)
    expect(bob.heard).toEqual([expected])
    expect(ann.heard).toEqual([expected])
    expect(elsewhere.heard).toEqual([])
  })

  it('lets two clients talk: every acknowledged message is stored once and seen by both, in order', async () => {
    const room = unique('talk')
    const [ann, bob] = [await app.member(room, 'ann'), await app.member(room, 'bob')]
    const sent = Array.from({ length: 8 }, (_, i) => [
      ann.say(`ann ${i}`),
      bob.say(`bob ${i}`),
    ]).flat()
    const replies = await Promise.all(sent)
    expect(replies.every(([status]) => status === 'ok')).toBe(true)
    await Promise.all([heardAll(ann, 16), heardAll(bob, 16)])
    const ids = replies.map(([, reply]) => reply.id as number).sort((a, b) => a - b)
    const rows = await stored(room)
    expect(rows.map((m) => m.id)).toEqual(ids) // each once, nothing else
    expect(ann.heard.map((m) => m.id)).toEqual(ids) // in the order stored
    expect(bob.heard).toEqual(ann.heard)
    // One sender's messages keep their order.
    expect(bodies(rows).filter((b) => b.startsWith('ann'))).toEqual(
      range(0, 8).map((m) => `ann ${m.slice(1)}`),
    )
  })

  it('pages back through the history with before_id', async () => {
    const room = unique('page')
    await seed(room, 120)
    const ann = await app.member(room)
    const page = async (payload: object) => {
      const [status, reply] = await answer(ann.channel.push('history', payload))
      expect(status).toBe('ok')
      return reply.messages as { id: number; body: string }[]
    }
    const first = ann.joined.messages
    const second = await page({ before_id: first[0].id })
    const third = await page({ before_id: second[0]!.id })
    expect(bodies(second)).toEqual(range(20, 70))
    expect(bodies(third)).toEqual(range(0, 20))
    expect(await page({ before_id: third[0]!.id })).toEqual([])
    expect(bodies(await page({}))).toEqual(range(70, 120))
  })

  it('rate limits a burst: past 10 messages, rate_limited with retry_after_ms', async () => {
    const room = unique('burst')
    const [ann, bob] = [await app.member(room, 'ann'), await app.member(room, 'bob')]
    const replies = await Promise.all(Array.from({ length: 15 }, (_, i) => ann.say(`burst ${i}`)))
    // The first 10 empty the bucket; a few more may pass as it refills (5 a second).
    expect(replies.slice(0, 10).every(([status]) => status === 'ok')).toBe(true)
    const limited = replies.filter(([status]) => status === 'error')
    expect(limited.length).toBeGreaterThan(0)
    for (const [, reply] of limited) {
      expect(reply).toEqual({ reason: 'rate_limited', retry_after_ms: expect.any(Number) })
      expect(reply.retry_after_ms).toBeGreaterThan(0)
      expect(reply.retry_after_ms).toBeLessThanOrEqual(200)
    }
    expect((await bob.say('my own bucket'))[0]).toBe('ok') // other users are not limited
  })

  it('refuses a message it cannot rate-limit, without crashing the channel', async () => {
    const room = unique('limiter')
    const ann = await app.member(room, 'ann')
    // Past capacity the limiter answers too late ('overloaded'); here it is not found at all
    // ('unavailable'). Either way the channel answers for that one message and stays joined.
    const limiter = Process.whereis(Names.rateLimiter)!
    Process.unregister(Names.rateLimiter)
    try {
      expect(await ann.say('while the limiter is away')).toEqual([
        'error',
        { reason: 'unavailable', detail: 'the message was not stored: send it again' },
      ])
    } finally {
      Process.register(limiter, Names.rateLimiter)
    }
    expect((await ann.say('back again'))[0]).toBe('ok')
    expect(bodies(await stored(room))).toEqual(['back again'])
  })

  it('answers bad input with clear errors, and everyone carries on', async () => {
    const room = unique('bad')
    const [ann, bob] = [await app.member(room, 'ann'), await app.member(room, 'bob')]
    const push = (event: string, payload: unknown) =>
      answer(ann.channel.push(event, payload as object))
    expect(await ann.say('')).toEqual(['error', { reason: 'body must not be empty' }])
    expect(await ann.say(' \n ')).toEqual(['error', { reason: 'body must not be empty' }])
    expect(await ann.say(42)).toEqual(['error', { reason: 'body must be a string' }])
    expect(await push('new_msg', {})).toEqual(['error', { reason: 'body must be a string' }])
    expect(await ann.say('x'.repeat(2001))).toEqual([
      'error',
      { reason: 'body must be at most 2,000 characters, got 2,001' },
    ])
    expect((await ann.say('😀'.repeat(2000)))[0]).toBe('ok') // characters, not UTF-16 units
    expect(await push('new_msg', 'just text')).toEqual([
      'error',
      { reason: 'payload must be an object' },
    ])
    expect(await push('new_msg', [1, 2])).toEqual([
      'error',
      { reason: 'payload must be an object' },
    ])
    expect(await push('shout', { body: 'hi' })).toEqual([
      'error',
      { reason: 'unknown event', event: 'shout' },
    ])
    expect(await push('history', { before_id: 'x' })).toEqual([
      'error',
      { reason: 'before_id must be a positive integer' },
    ])
    expect(await push('history', { before_id: -1 })).toEqual([
      'error',
      { reason: 'before_id must be a positive integer' },
    ])
    expect((await bob.say('still here'))[0]).toBe('ok')
    expect((await ann.say('me too'))[0]).toBe('ok')
    await heardAll(bob, 3)
    expect(bodies(bob.heard).slice(1)).toEqual(['still here', 'me too'])
    expect(bodies(await stored(room))).toHaveLength(3) // nothing invalid was stored
    expect([ann.errors, bob.errors, ann.opens, bob.opens]).toEqual([0, 0, 1, 1])
  })
})

describe('bad frames', () => {
  it('a flood of malformed and oversized frames costs the others nothing', async () => {
    const room = unique('flood')
    const [ann, bob] = [await app.member(room, 'ann'), await app.member(room, 'bob')]
    const { token } = await app.user('flood')
    const wsUrl = `${app.current.socketUrl}/websocket?vsn=2.0.0&token=${encodeURIComponent(token)}`
    const flooders = await Promise.all(Array.from({ length: 4 }, () => openRaw(wsUrl)))
    try {
      const replies: Array<Promise<[string, unknown?]>> = []
      for (let i = 0; i < 10; i++) {
        flooders.forEach((raw, k) => {
          const frame =
            k % 2 === 0
              ? `garbage ${i}`
              : `["1","1","room:${room}","new_msg",{"body":"${'x'.repeat(70_000)}"}]`
          if (raw.ws.readyState === raw.ws.OPEN) raw.ws.send(frame)
        })
        replies.push(ann.say(`ann ${i}`))
      }
      expect((await Promise.all(replies)).map(([status]) => status)).toEqual(Array(10).fill('ok'))
      await heardAll(bob, 10)
      expect(bodies(bob.heard)).toEqual(Array.from({ length: 10 }, (_, i) => `ann ${i}`))
      const closes = await Promise.all(flooders.map((raw) => waitFor(() => raw.closed, 'a close')))
      expect(closes.map((c) => c.code)).toEqual([1007, 1009, 1007, 1009])
      expect(bodies(await stored(room))).toHaveLength(10) // nothing of the flood was stored
    } finally {
      for (const raw of flooders) raw.ws.terminate()
    }
  })
})

describe('RoomChannel: presence', () => {
  const names = (member: Member) => member.presence.list((key) => key).sort()

  it('shows who is in the room, and who left', async () => {
    const room = unique('here')
    const ann = await app.member(room, 'ann')
    await waitFor(() => names(ann).length === 1, 'ann to see herself')
    const bob = await app.member(room, 'bob')
    const both = [ann.username, bob.username].sort()
    await waitFor(() => names(ann).length === 2 && names(bob).length === 2, 'both to see both')
    expect(names(ann)).toEqual(both)
    expect(names(bob)).toEqual(both)
    const left: unknown[] = []
    ann.presence.onLeave((key) => {
      left.push(key)
    })
    await answer(bob.channel.leave())
    await waitFor(() => names(ann).length === 1, 'ann to see bob leave')
    expect(names(ann)).toEqual([ann.username])
    expect(left).toEqual([bob.username])
  })
})

describe('a room crash', () => {
  it('loses no acknowledged message: the room restarts, reloads from the store, clients stay', async () => {
    const room = unique('crash')
    const [ann, bob] = [await app.member(room, 'ann'), await app.member(room, 'bob')]
    expect((await ann.say('before'))[0]).toBe('ok')
    const before = Room.whereis(room)!
    const crashed = await app.request('POST', `/ops/rooms/${room}/crash`)
    expect(crashed).toMatchObject({ status: 200, body: { room, killed: String(before) } })
    const after = await waitFor(() => Room.whereis(room), 'the room to be restarted')
    expect(after).not.toBe(before)
    expect((await bob.say('after'))[0]).toBe('ok')
    await Promise.all([heardAll(ann, 2), heardAll(bob, 2)])
    expect(bodies(ann.heard)).toEqual(['before', 'after'])
    expect(bodies(bob.heard)).toEqual(['before', 'after'])
    const carol = await app.member(room, 'carol')
    expect(bodies(carol.joined.messages)).toEqual(['before', 'after'])
    // Nobody noticed: no channel error, no reconnection.
    expect([ann.errors, bob.errors, ann.opens, bob.opens]).toEqual([0, 0, 1, 1])
  })

  it('answers 404 for a room that is not running', async () => {
    const missing = await app.request('POST', `/ops/rooms/${unique('none')}/crash`)
    expect(missing.status).toBe(404)
    expect(missing.body.error).toMatch(/is not running/)
  })
})
