import {
  createNode,
  exit,
  type GenServer,
  type Node,
  type Pid,
  Process,
  Registry,
  setDefaultNode,
  type VirtualClock,
} from 'letitcrash'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type Client, connect, ENDPOINT, type Payload, startEndpoint } from './channel.ts'
import * as Presence from './presence.ts'
import { MAX_BODY, RoomChannel } from './room-channel.ts'

// Every test gets a fresh node on a virtual clock, with the endpoint and Presence running.
let node: Node
let clock: VirtualClock

beforeEach(async () => {
  node = createNode({ clock: 'virtual' })
  clock = node.clock as VirtualClock
  setDefaultNode(node)
  ok(await startEndpoint(), 'the endpoint')
  ok(await Presence.startLink(), 'Presence.startLink()')
})
afterEach(() => node.shutdown())

describe('task 1: join a room', () => {
  it('lets a user join room:<name>, and keeps the user and the room in the assigns', async () => {
    const alice = connect(RoomChannel, { user: 'alice' })
    expect(
      await alice.join('room:lobby'),
      "join('room:lobby', payload, socket) should return ['ok', socket]",
    ).toEqual(['ok', {}])
    expect(
      await alice.assigns('room:lobby'),
      "the socket's assigns keep the user, and get the room's name: return ['ok', Channel.assign(socket, { room })]",
    ).toEqual({ user: 'alice', room: 'lobby' })
  })

  it('gives every client and every room a channel process of its own', async () => {
    const alice = connect(RoomChannel, { user: 'alice' })
    const bob = connect(RoomChannel, { user: 'bob' })
    await joined(alice, 'room:lobby')
    await joined(alice, 'room:random')
    await joined(bob, 'room:lobby')
    const pids = [
      alice.channelPid('room:lobby'),
      alice.channelPid('room:random'),
      bob.channelPid('room:lobby'),
    ]
    expect(new Set(pids).size, 'three joins, three channel processes').toBe(3)
    expect(await alice.assigns('room:random')).toEqual({ user: 'alice', room: 'random' })
  })

  it.each([
    ['lobby', 'no room: prefix'],
    ['rooms:lobby', 'another prefix'],
    ['room:', 'an empty name'],
    ['room:Lobby!', 'capitals and punctuation'],
    [`room:${'x'.repeat(33)}`, 'a name of 33 characters'],
  ])('refuses the topic %s (%s)', async (topic) => {
    const alice = connect(RoomChannel, { user: 'alice' })
    const [status, response] = await alice.join(topic)
    expect(
      status,
      `join should refuse ${JSON.stringify(topic)} with ['error', { reason }]: a topic is room:<name>, the name matching ROOM_NAME`,
    ).toBe('error')
    expect(
      response.reason,
      "join crashed instead of refusing: return ['error', { reason }] (a crash in join also ends in an error for the client, but as a bug)",
    ).not.toBe('join crashed')
    expect(typeof response.reason, "say why, in the reply's `reason`").toBe('string')
    await clock.settle()
    expect(Registry.lookup(ENDPOINT, topic), 'a refused client hears nothing of the topic').toEqual(
      [],
    )
  })

  it('refuses a socket that has no user', async () => {
    const stranger = connect(RoomChannel, {})
    expect(
      await stranger.join('room:lobby'),
      "only a client that logged in has a user in its assigns: refuse the others with ['error', { reason: 'unauthorized' }]",
    ).toEqual(['error', { reason: 'unauthorized' }])
  })
})

describe('task 2: messages', () => {
  it('broadcasts new_msg to everyone in the room, the sender too, and answers ok', async () => {
    const [alice, bob, carol] = await clients('alice', 'bob', 'carol')
    await joined(alice, 'room:lobby')
    await joined(bob, 'room:lobby')
    await joined(carol, 'room:random')
    expect(
      await alice.push('room:lobby', 'new_msg', { body: 'hello' }),
      "new_msg should reply ['ok', {}] once the message is sent",
    ).toEqual(['ok', {}])
    await clock.settle()
    const message = { user: 'alice', body: 'hello' }
    expect(
      heard(bob, 'room:lobby', 'new_msg'),
      'bob is in the room: he should get new_msg { user, body } (Channel.broadcast)',
    ).toEqual([message])
    expect(heard(alice, 'room:lobby', 'new_msg'), 'a broadcast reaches the sender too').toEqual([
      message,
    ])
    expect(heard(carol, 'room:random', 'new_msg'), 'carol is in another room').toEqual([])
  })

  it('takes the user from the socket, never from the payload', async () => {
    const [alice, bob] = await clients('alice', 'bob')
    await joined(alice, 'room:lobby')
    await joined(bob, 'room:lobby')
    await alice.push('room:lobby', 'new_msg', { body: 'trust me', user: 'bob' })
    await clock.settle()
    expect(
      heard(bob, 'room:lobby', 'new_msg'),
      "a client can put any name in its payload: the sender is socket.assigns.user, and the payload's other fields are not passed on",
    ).toEqual([{ user: 'alice', body: 'trust me' }])
  })

  it.each([
    ['an empty body', ''],
    ['a blank body', '   '],
    ['a body that is not a string', 42],
    ['no body', undefined],
    [`a body of ${MAX_BODY + 1} characters`, 'x'.repeat(MAX_BODY + 1)],
  ])('refuses %s, and sends nothing', async (_what, body) => {
    const [alice, bob] = await clients('alice', 'bob')
    await joined(alice, 'room:lobby')
    await joined(bob, 'room:lobby')
    const [status, response] = (await alice.push('room:lobby', 'new_msg', { body })) ?? []
    expect(
      status,
      `new_msg with the body ${JSON.stringify(body)?.slice(0, 20)} should be answered ['error', { reason }]`,
    ).toBe('error')
    expect(typeof response?.reason, "say why, in the reply's `reason`").toBe('string')
    await clock.settle()
    expect(heard(bob, 'room:lobby', 'new_msg'), 'a refused message is not broadcast').toEqual([])
  })

  it(`accepts a body of ${MAX_BODY} characters, emoji counted as one`, async () => {
    const [alice] = await clients('alice')
    await joined(alice, 'room:lobby')
    const body = '🙂'.repeat(MAX_BODY)
    expect(
      await alice.push('room:lobby', 'new_msg', { body }),
      'count characters as people do: [...body].length, not body.length (an emoji is two UTF-16 units)',
    ).toEqual(['ok', {}])
  })

  it('answers an unknown event with an error', async () => {
    const [alice] = await clients('alice')
    await joined(alice, 'room:lobby')
    const [status] = (await alice.push('room:lobby', 'shout', { body: 'HELLO' })) ?? []
    expect(status, "handleIn gets every event: answer the unknown ones ['error', { reason }]").toBe(
      'error',
    )
  })
})

describe('task 3: who is here', () => {
  it('pushes presence_state, everyone in the room, to a client that joins', async () => {
    const [alice, bob] = await clients('alice', 'bob')
    await joined(alice, 'room:lobby')
    await clock.settle()
    expect(
      heard(alice, 'room:lobby', 'presence_state'),
      "after joining, the client gets presence_state { users }: join sends the channel 'after_join', and handleInfo tracks the user, then pushes the list",
    ).toEqual([{ users: ['alice'] }])
    await joined(bob, 'room:lobby')
    await clock.settle()
    expect(heard(bob, 'room:lobby', 'presence_state')).toEqual([{ users: ['alice', 'bob'] }])
  })

  it('tells the room with presence_diff when a user arrives', async () => {
    const [alice, bob, carol] = await clients('alice', 'bob', 'carol')
    await joined(alice, 'room:lobby')
    await joined(carol, 'room:random')
    await clock.settle()
    await joined(bob, 'room:lobby')
    await clock.settle()
    expect(
      heard(alice, 'room:lobby', 'presence_diff'),
      'alice should hear that bob arrived: presence_diff { joins: [user], leaves: [] } broadcast to the topic by Presence (endpointBroadcast)',
    ).toContainEqual({ joins: ['bob'], leaves: [] })
    expect(
      heard(carol, 'room:random', 'presence_diff').flatMap((diff) => diff.joins),
      'carol is in another room: she hears of nobody but herself',
    ).not.toContain('bob')
  })

  it('lists a user with two tabs once, and announces them once', async () => {
    const [bob, alice, aliceAgain] = await clients('bob', 'alice', 'alice')
    await joined(bob, 'room:lobby')
    await joined(alice, 'room:lobby')
    await joined(aliceAgain, 'room:lobby')
    await clock.settle()
    expect(await Presence.list('room:lobby'), 'each user once, in alphabetical order').toEqual([
      'alice',
      'bob',
    ])
    expect(
      heard(bob, 'room:lobby', 'presence_diff').filter((diff) => diff.joins.includes('alice')),
      "alice's second tab is not news: announce a user only if they were not in the topic yet",
    ).toHaveLength(1)
  })

  it('keeps each room to its own list', async () => {
    const [alice, bob] = await clients('alice', 'bob')
    await joined(alice, 'room:lobby')
    await joined(bob, 'room:random')
    await clock.settle()
    expect(await Presence.list('room:lobby')).toEqual(['alice'])
    expect(await Presence.list('room:random')).toEqual(['bob'])
    expect(await Presence.list('room:empty')).toEqual([])
  })

  it('monitors every channel it tracks', async () => {
    const [alice] = await clients('alice')
    await joined(alice, 'room:lobby')
    await clock.settle()
    const presence = Process.whereis(Presence.PRESENCE) as Pid
    expect(
      Process.processInfo(presence)?.monitors,
      'Presence should monitor each channel it tracks (this.monitor(channel)), to hear when it ends, however it ends',
    ).toContain(alice.channelPid('room:lobby'))
  })
})

describe('task 4: a crash is one channel’s business', () => {
  it('takes a crashed channel off the list, and tells the room it left', async () => {
    const [alice, bob] = await clients('alice', 'bob')
    await joined(alice, 'room:lobby')
    await joined(bob, 'room:lobby')
    await clock.settle()
    exit(alice.channelPid('room:lobby') as Pid, new Error('the channel crashed'))
    await clock.settle()
    expect(
      heard(bob, 'room:lobby', 'presence_diff').at(-1),
      "bob should hear that alice left: on the channel's DOWN, Presence broadcasts presence_diff { joins: [], leaves: [user] }",
    ).toEqual({ joins: [], leaves: ['alice'] })
    expect(
      await Presence.list('room:lobby'),
      "a channel that crashed is gone: forget it on its DOWN (the channel's own code never runs again)",
    ).toEqual(['bob'])
  })

  it('keeps everything else running: the other clients, the other rooms, Presence', async () => {
    const [alice, bob] = await clients('alice', 'bob')
    await joined(alice, 'room:lobby')
    await joined(alice, 'room:random')
    await joined(bob, 'room:lobby')
    await clock.settle()
    const presence = Process.whereis(Presence.PRESENCE)
    const bobsChannel = bob.channelPid('room:lobby')
    const alicesOther = alice.channelPid('room:random')
    exit(alice.channelPid('room:lobby') as Pid, new Error('the channel crashed'))
    await clock.settle()
    expect(
      Process.whereis(Presence.PRESENCE),
      'Presence died with the channel: watch channels with monitors, not links',
    ).toBe(presence)
    expect(
      heard(alice, 'room:lobby', 'phx_error'),
      'alice is told her lobby channel crashed',
    ).toEqual([{}])
    expect(bob.channelPid('room:lobby'), "bob's channel is untouched").toBe(bobsChannel)
    expect(alice.channelPid('room:random'), "alice's other room is untouched").toBe(alicesOther)
    expect(await bob.push('room:lobby', 'new_msg', { body: 'still here' })).toEqual(['ok', {}])
    expect(await alice.push('room:random', 'new_msg', { body: 'me too' })).toEqual(['ok', {}])
    await clock.settle()
    expect(heard(bob, 'room:lobby', 'new_msg')).toEqual([{ user: 'bob', body: 'still here' }])
    expect(await Presence.list('room:random')).toEqual(['alice'])
  })

  it('keeps a user who has another channel in the room', async () => {
    const [bob, alice, aliceAgain] = await clients('bob', 'alice', 'alice')
    await joined(bob, 'room:lobby')
    await joined(alice, 'room:lobby')
    await joined(aliceAgain, 'room:lobby')
    await clock.settle()
    exit(alice.channelPid('room:lobby') as Pid, 'kill')
    await clock.settle()
    expect(
      await Presence.list('room:lobby'),
      'alice still has a tab in the room: forget the channel that ended, not the user',
    ).toEqual(['alice', 'bob'])
    expect(
      heard(bob, 'room:lobby', 'presence_diff').filter((diff) => diff.leaves.length > 0),
      'alice has not left: announce a leave only with her last channel in the room',
    ).toEqual([])
  })

  it('brings a user back when their client rejoins', async () => {
    const [alice, bob] = await clients('alice', 'bob')
    await joined(alice, 'room:lobby')
    await joined(bob, 'room:lobby')
    await clock.settle()
    const crashed = alice.channelPid('room:lobby') as Pid
    exit(crashed, new Error('the channel crashed'))
    await clock.settle()
    await joined(alice, 'room:lobby')
    await clock.settle()
    expect(alice.channelPid('room:lobby'), 'a rejoin starts a fresh channel').not.toBe(crashed)
    expect(heard(bob, 'room:lobby', 'presence_diff').at(-1)).toEqual({
      joins: ['alice'],
      leaves: [],
    })
    expect(await Presence.list('room:lobby')).toEqual(['alice', 'bob'])
  })

  it('lets a user go from every room when they leave or their connection closes', async () => {
    const [alice, bob, carol] = await clients('alice', 'bob', 'carol')
    await joined(alice, 'room:lobby')
    await joined(alice, 'room:random')
    await joined(alice, 'room:news')
    await joined(bob, 'room:lobby')
    await joined(carol, 'room:random')
    await clock.settle()
    await alice.leave('room:news')
    alice.close()
    await clock.settle()
    const left = { joins: [], leaves: ['alice'] }
    expect(
      heard(bob, 'room:lobby', 'presence_diff').at(-1),
      'a channel that ends because its connection closed ends too: the monitor fires whatever the reason',
    ).toEqual(left)
    expect(heard(carol, 'room:random', 'presence_diff').at(-1)).toEqual(left)
    expect(await Presence.list('room:news'), 'a channel that left normally is gone too').toEqual([])
    expect(await Presence.list('room:lobby')).toEqual(['bob'])
    expect(await Presence.list('room:random')).toEqual(['carol'])
  })
})

// --- Helpers ------------------------------------------------------------------------------------

/** Connects one client per user name (the same name twice: two tabs of one user). */
async function clients(...users: string[]): Promise<Client[]> {
  return users.map((user) => connect(RoomChannel, { user }))
}

/** Joins `topic`, failing the test with the reply if the join is refused. */
async function joined(client: Client, topic: string): Promise<void> {
  const reply = await client.join(topic)
  if (reply[0] !== 'ok')
    expect.fail(
      `the join of ${topic} was refused with ${JSON.stringify(reply)}; expected ['ok', {}]`,
    )
}

/** The payloads of every `event` the client received on `topic`, oldest first. */
function heard(client: Client, topic: string, event: 'presence_diff'): Diff[]
function heard(client: Client, topic: string, event: string): Payload[]
function heard(client: Client, topic: string, event: string): Payload[] {
  return client
    .received(topic)
    .filter((frame) => frame.event === event)
    .map((frame) => frame.payload)
}

type Diff = Presence.Diff & Payload

/** The pid of an `['ok', pid]` start result; fails the test with the result otherwise. */
function ok(result: GenServer.OnStart, what: string): Pid {
  if (result[0] !== 'ok') expect.fail(`${what} should give ['ok', pid], got ${String(result)}`)
  return result[1]
}
