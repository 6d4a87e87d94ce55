/**
 * Room and RoomSupervisor on their own, on a virtual clock: the collaborators they reach by
 * name (Repo, MessageWriter, RoomRegistry, PubSub) run under those names; the database is one
 * in-memory PGlite for the file.
 */
import { exit, GenServer, Registry, spawn } from 'letitcrash'
import { beforeEach, describe, expect, it } from 'vitest'
import { useVirtualNode } from '../../runtime/test/helpers.ts'
import * as MessageWriter from '../server/message-writer.ts'
import { Names } from '../server/names.ts'
import * as PubSub from '../server/pubsub.ts'
import type { NewMessage, Repo } from '../server/repo.ts'
import * as RepoServer from '../server/repo-server.ts'
import * as Room from '../server/room.ts'
import * as RoomSupervisor from '../server/room-supervisor.ts'
import { unique, useMemoryRepo } from './helpers.ts'

const db = useMemoryRepo()
const t = useVirtualNode()

/** The writer's database: can be held shut (`gate`) or made to fail (`failing`). */
const control = { gate: undefined as Promise<void> | undefined, failing: false }
const writerRepo: Pick<Repo, 'insertMessages'> = {
  async insertMessages(batch) {
    if (control.gate !== undefined) await control.gate
    if (control.failing) throw new Error('disk full')
    return db.repo.insertMessages(batch)
  },
}

beforeEach(async () => {
  Object.assign(control, { gate: undefined, failing: false })
  await RepoServer.startLink({ name: Names.repo, repo: db.repo })
  await MessageWriter.startLink({ repo: writerRepo, name: Names.writer })
  await Registry.startLink({ keys: 'unique', name: Names.roomRegistry })
  await PubSub.startLink({ name: Names.pubsub })
  await RoomSupervisor.startLink()
})

/** Everything broadcast on `room:<name>`, as it arrives. */
function listen(name: string): unknown[] {
  const heard: unknown[] = []
  spawn(async (ctx) => {
    PubSub.subscribe(ctx, Names.pubsub, `room:${name}`)
    for (;;) heard.push(await ctx.receive())
  })
  return heard
}

const bodies = (messages: { body: string }[]) => messages.map((m) => m.body)

describe('RoomSupervisor', () => {
  it('starts a room once: a second create_room finds it already started', async () => {
    const name = unique('once')
    const [tag, pid] = await RoomSupervisor.createRoom(name)
    expect(tag).toBe('ok')
    expect(await RoomSupervisor.createRoom(name)).toEqual(['error', ['already_started', pid]])
    expect(await RoomSupervisor.ensureRoom(name)).toBe(pid)
    expect(await RoomSupervisor.rooms()).toEqual([pid])
  })

  it('restarts a killed room, which reloads its history from the store', async () => {
    const name = unique('reload')
    const before = await RoomSupervisor.ensureRoom(name)
    for (const body of ['a', 'b', 'c']) await Room.post(name, { user: 'ann', body })
    exit(before, 'kill')
    await t.clock.settle()
    const after = Room.whereis(name)
    expect(after).toBeDefined()
    expect(after).not.toBe(before)
    expect(bodies(await Room.history(name))).toEqual(['a', 'b', 'c'])
  })

  it('does not restart a room that stops normally (transient)', async () => {
    const name = unique('calm')
    await RoomSupervisor.ensureRoom(name)
    await GenServer.stop(Room.via(name), 'normal')
    await t.clock.settle()
    expect(Room.whereis(name)).toBeUndefined()
    expect(await RoomSupervisor.rooms()).toEqual([])
  })

  it('survives more room crashes than OTP’s default 3 in 5 s: the budget is for all rooms', async () => {
    const rooms = [unique('flaky'), unique('flaky'), unique('flaky')]
    for (let round = 0; round < 2; round++) {
      for (const name of rooms) {
        exit(await RoomSupervisor.ensureRoom(name), 'kill')
        await t.clock.settle()
      }
    }
    expect(GenServer.whereis(Names.roomSupervisor)).toBeDefined()
    expect(await RoomSupervisor.rooms()).toHaveLength(3)
  })
})

describe('Room.post', () => {
  it('acknowledges only once stored, then broadcasts; the room serves others meanwhile', async () => {
    const name = unique('ack')
    await RoomSupervisor.ensureRoom(name)
    const heard = listen(name)
    let open!: () => void
    control.gate = new Promise((resolve) => (open = resolve))
    let answered = false
    const posted = Room.post(name, { user: 'ann', body: 'hello' })
    void posted.then(() => (answered = true))
    await t.clock.settle()
    // The database has not answered: no acknowledgement, no broadcast, not in the cache...
    expect(answered).toBe(false)
    expect(heard).toEqual([])
    // ... and the room is not blocked: it answers a history call at once.
    expect(await Room.history(name)).toEqual([])
    expect(answered).toBe(false)
    open()
    const [tag, stored] = await posted
    expect(tag).toBe('ok')
    expect(await db.repo.recentMessages(name)).toEqual([stored])
    await t.clock.settle()
    const { id, user, body, inserted_at } = stored as Room.ChatMessage
    expect(heard).toEqual([
      {
        type: 'broadcast',
        topic: `room:${name}`,
        event: 'new_msg',
        payload: { id, user, body, inserted_at },
      },
    ])
    expect(await Room.history(name)).toEqual([{ id, user, body, inserted_at }])
  })

  it('answers a failed store with an error, and broadcasts and caches nothing', async () => {
    const name = unique('fail')
    await RoomSupervisor.ensureRoom(name)
    const heard = listen(name)
    control.failing = true
    expect(await Room.post(name, { user: 'ann', body: 'lost' })).toEqual([
      'error',
      { reason: 'store_failed', detail: 'disk full' },
    ])
    await t.clock.settle()
    expect(heard).toEqual([])
    expect(await Room.history(name)).toEqual([])
  })

  it('rejects with noproc for a room that is not running, and checks its arguments', async () => {
    await expect(Room.post(unique('none'), { user: 'ann', body: 'x' })).rejects.toThrow(
      'no process',
    )
    expect(() => Room.post('x', { user: 'ann', body: 5 as unknown as string })).toThrow(TypeError)
    expect(() => Room.history('x', 0)).toThrow(
      'Expected `beforeId` to be a positive integer, got `0`',
    )
  })
})

describe('Room.history', () => {
  it('keeps the last 50 in memory, and pages back through the store', async () => {
    const name = unique('pages')
    const seed: NewMessage[] = Array.from({ length: 70 }, (_, i) => ({
      room: name,
      user: 's',
      body: `m${i}`,
    }))
    await db.repo.insertMessages(seed)
    await RoomSupervisor.ensureRoom(name)
    const latest = await Room.history(name)
    expect(bodies(latest)).toEqual(seed.slice(20).map((m) => m.body))
    const older = await Room.history(name, latest[0]!.id)
    expect(bodies(older)).toEqual(seed.slice(0, 20).map((m) => m.body))
    // Past 50 posts the oldest cached one drops out.
    for (let i = 0; i < 3; i++) await Room.post(name, { user: 'ann', body: `new ${i}` })
    expect(bodies(await Room.history(name)).slice(0, 2)).toEqual(['m23', 'm24'])
  })
})
