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
import { t } from '../messages.ts'
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
  ok(await startEndpoint(), t('the endpoint', '엔드포인트'))
  ok(await Presence.startLink(), 'Presence.startLink()')
})
afterEach(() => node.shutdown())

describe('task 1: join a room', () => {
  it('lets a user join room:<name>, and keeps the user and the room in the assigns', async () => {
    const alice = connect(RoomChannel, { user: 'alice' })
    expect(
      await alice.join('room:lobby'),
      t(
        "join('room:lobby', payload, socket) should return ['ok', socket]",
        "join('room:lobby', payload, socket)은 ['ok', socket]을 반환해야 합니다",
      ),
    ).toEqual(['ok', {}])
    expect(
      await alice.assigns('room:lobby'),
      t(
        "the socket's assigns keep the user, and get the room's name: return ['ok', Channel.assign(socket, { room })]",
        "소켓의 assigns는 user를 그대로 두고 방 이름을 더합니다: ['ok', Channel.assign(socket, { room })]을 반환하세요",
      ),
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
    expect(
      new Set(pids).size,
      t('three joins, three channel processes', 'join 세 번이면 채널 프로세스도 셋입니다'),
    ).toBe(3)
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
      t(
        `join should refuse ${JSON.stringify(topic)} with ['error', { reason }]: a topic is room:<name>, the name matching ROOM_NAME`,
        `토픽 ${JSON.stringify(topic)}: join은 ['error', { reason }]으로 거절해야 합니다. 토픽은 room:<name> 형태이고, name은 ROOM_NAME에 맞아야 합니다`,
      ),
    ).toBe('error')
    expect(
      response.reason,
      t(
        "join crashed instead of refusing: return ['error', { reason }] (a crash in join also ends in an error for the client, but as a bug)",
        "join이 거절하는 대신 크래시했습니다: ['error', { reason }]을 반환하세요(join이 크래시해도 클라이언트는 에러를 받지만, 그건 버그입니다)",
      ),
    ).not.toBe('join crashed')
    expect(
      typeof response.reason,
      t("say why, in the reply's `reason`", '응답의 `reason`에 이유를 적으세요'),
    ).toBe('string')
    await clock.settle()
    expect(
      Registry.lookup(ENDPOINT, topic),
      t(
        'a refused client hears nothing of the topic',
        '거절당한 클라이언트는 그 토픽에서 아무것도 듣지 못합니다',
      ),
    ).toEqual([])
  })

  it('refuses a socket that has no user', async () => {
    const stranger = connect(RoomChannel, {})
    expect(
      await stranger.join('room:lobby'),
      t(
        "only a client that logged in has a user in its assigns: refuse the others with ['error', { reason: 'unauthorized' }]",
        "로그인한 클라이언트만 assigns에 user가 있습니다: 나머지는 ['error', { reason: 'unauthorized' }]로 거절하세요",
      ),
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
      t(
        "new_msg should reply ['ok', {}] once the message is sent",
        "new_msg는 메시지를 보낸 뒤 ['ok', {}]로 답해야 합니다",
      ),
    ).toEqual(['ok', {}])
    await clock.settle()
    const message = { user: 'alice', body: 'hello' }
    expect(
      heard(bob, 'room:lobby', 'new_msg'),
      t(
        'bob is in the room: he should get new_msg { user, body } (Channel.broadcast)',
        'bob이 방에 있습니다: bob은 new_msg { user, body }를 받아야 합니다(Channel.broadcast)',
      ),
    ).toEqual([message])
    expect(
      heard(alice, 'room:lobby', 'new_msg'),
      t('a broadcast reaches the sender too', '브로드캐스트는 보낸 사람에게도 갑니다'),
    ).toEqual([message])
    expect(
      heard(carol, 'room:random', 'new_msg'),
      t('carol is in another room', 'carol은 다른 방에 있습니다'),
    ).toEqual([])
  })

  it('takes the user from the socket, never from the payload', async () => {
    const [alice, bob] = await clients('alice', 'bob')
    await joined(alice, 'room:lobby')
    await joined(bob, 'room:lobby')
    await alice.push('room:lobby', 'new_msg', { body: 'trust me', user: 'bob' })
    await clock.settle()
    expect(
      heard(bob, 'room:lobby', 'new_msg'),
      t(
        "a client can put any name in its payload: the sender is socket.assigns.user, and the payload's other fields are not passed on",
        '클라이언트는 페이로드에 아무 이름이나 넣을 수 있습니다: 보낸 사람은 socket.assigns.user이고, 페이로드의 다른 필드는 전달하지 않습니다',
      ),
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
      t(
        `new_msg with the body ${JSON.stringify(body)?.slice(0, 20)} should be answered ['error', { reason }]`,
        `본문이 ${JSON.stringify(body)?.slice(0, 20)}인 new_msg에는 ['error', { reason }]으로 답해야 합니다`,
      ),
    ).toBe('error')
    expect(
      typeof response?.reason,
      t("say why, in the reply's `reason`", '응답의 `reason`에 이유를 적으세요'),
    ).toBe('string')
    await clock.settle()
    expect(
      heard(bob, 'room:lobby', 'new_msg'),
      t('a refused message is not broadcast', '거절된 메시지는 브로드캐스트되지 않습니다'),
    ).toEqual([])
  })

  it(`accepts a body of ${MAX_BODY} characters, emoji counted as one`, async () => {
    const [alice] = await clients('alice')
    await joined(alice, 'room:lobby')
    const body = '🙂'.repeat(MAX_BODY)
    expect(
      await alice.push('room:lobby', 'new_msg', { body }),
      t(
        'count characters as people do: [...body].length, not body.length (an emoji is two UTF-16 units)',
        '글자 수는 사람이 세는 방식으로 세세요: body.length가 아니라 [...body].length입니다(이모지 하나는 UTF-16 단위 두 개입니다)',
      ),
    ).toEqual(['ok', {}])
  })

  it('answers an unknown event with an error', async () => {
    const [alice] = await clients('alice')
    await joined(alice, 'room:lobby')
    const [status] = (await alice.push('room:lobby', 'shout', { body: 'HELLO' })) ?? []
    expect(
      status,
      t(
        "handleIn gets every event: answer the unknown ones ['error', { reason }]",
        "handleIn은 모든 이벤트를 받습니다: 모르는 이벤트에는 ['error', { reason }]으로 답하세요",
      ),
    ).toBe('error')
  })
})

describe('task 3: who is here', () => {
  it('pushes presence_state, everyone in the room, to a client that joins', async () => {
    const [alice, bob] = await clients('alice', 'bob')
    await joined(alice, 'room:lobby')
    await clock.settle()
    expect(
      heard(alice, 'room:lobby', 'presence_state'),
      t(
        "after joining, the client gets presence_state { users }: join sends the channel 'after_join', and handleInfo tracks the user, then pushes the list",
        "join한 뒤 클라이언트는 presence_state { users }를 받습니다: join이 채널에 'after_join'을 보내고, handleInfo가 사용자를 추적한 뒤 목록을 푸시합니다",
      ),
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
      t(
        'alice should hear that bob arrived: presence_diff { joins: [user], leaves: [] } broadcast to the topic by Presence (endpointBroadcast)',
        'alice는 bob이 들어온 것을 들어야 합니다: Presence가 토픽에 presence_diff { joins: [user], leaves: [] }를 브로드캐스트합니다(endpointBroadcast)',
      ),
    ).toContainEqual({ joins: ['bob'], leaves: [] })
    expect(
      heard(carol, 'room:random', 'presence_diff').flatMap((diff) => diff.joins),
      t(
        'carol is in another room: she hears of nobody but herself',
        'carol은 다른 방에 있습니다: 자기 자신 말고는 아무 소식도 듣지 않습니다',
      ),
    ).not.toContain('bob')
  })

  it('lists a user with two tabs once, and announces them once', async () => {
    const [bob, alice, aliceAgain] = await clients('bob', 'alice', 'alice')
    await joined(bob, 'room:lobby')
    await joined(alice, 'room:lobby')
    await joined(aliceAgain, 'room:lobby')
    await clock.settle()
    expect(
      await Presence.list('room:lobby'),
      t('each user once, in alphabetical order', '사용자마다 한 번씩, 알파벳 순서로'),
    ).toEqual(['alice', 'bob'])
    expect(
      heard(bob, 'room:lobby', 'presence_diff').filter((diff) => diff.joins.includes('alice')),
      t(
        "alice's second tab is not news: announce a user only if they were not in the topic yet",
        'alice의 두 번째 탭은 새 소식이 아닙니다: 아직 토픽에 없던 사용자만 알리세요',
      ),
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
      t(
        'Presence should monitor each channel it tracks (this.monitor(channel)), to hear when it ends, however it ends',
        'Presence는 추적하는 채널마다 모니터링해야 합니다(this.monitor(channel)). 그래야 어떻게 끝나든 채널이 끝난 것을 알 수 있습니다',
      ),
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
      t(
        "bob should hear that alice left: on the channel's DOWN, Presence broadcasts presence_diff { joins: [], leaves: [user] }",
        'bob은 alice가 나간 것을 들어야 합니다: 채널의 DOWN을 받으면 Presence가 presence_diff { joins: [], leaves: [user] }를 브로드캐스트합니다',
      ),
    ).toEqual({ joins: [], leaves: ['alice'] })
    expect(
      await Presence.list('room:lobby'),
      t(
        "a channel that crashed is gone: forget it on its DOWN (the channel's own code never runs again)",
        '크래시한 채널은 사라진 것입니다: DOWN을 받으면 그 채널을 잊으세요(채널 자신의 코드는 다시 실행되지 않습니다)',
      ),
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
      t(
        'Presence died with the channel: watch channels with monitors, not links',
        'Presence가 채널과 함께 죽었습니다: 채널은 링크가 아니라 모니터로 지켜보세요',
      ),
    ).toBe(presence)
    expect(
      heard(alice, 'room:lobby', 'phx_error'),
      t(
        'alice is told her lobby channel crashed',
        'alice는 자기 lobby 채널이 크래시했다는 것을 전달받습니다',
      ),
    ).toEqual([{}])
    expect(
      bob.channelPid('room:lobby'),
      t("bob's channel is untouched", 'bob의 채널은 영향받지 않습니다'),
    ).toBe(bobsChannel)
    expect(
      alice.channelPid('room:random'),
      t("alice's other room is untouched", 'alice의 다른 방은 영향받지 않습니다'),
    ).toBe(alicesOther)
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
      t(
        'alice still has a tab in the room: forget the channel that ended, not the user',
        'alice에게 아직 그 방에 열린 탭이 있습니다: 사용자가 아니라 끝난 채널을 잊으세요',
      ),
    ).toEqual(['alice', 'bob'])
    expect(
      heard(bob, 'room:lobby', 'presence_diff').filter((diff) => diff.leaves.length > 0),
      t(
        'alice has not left: announce a leave only with her last channel in the room',
        'alice는 떠나지 않았습니다: 그 방의 마지막 채널이 끝날 때만 떠났다고 알리세요',
      ),
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
    expect(
      alice.channelPid('room:lobby'),
      t('a rejoin starts a fresh channel', '다시 join하면 새 채널이 시작됩니다'),
    ).not.toBe(crashed)
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
      t(
        'a channel that ends because its connection closed ends too: the monitor fires whatever the reason',
        '연결이 닫혀서 끝난 채널도 끝난 채널입니다: 이유가 무엇이든 모니터가 알립니다',
      ),
    ).toEqual(left)
    expect(heard(carol, 'room:random', 'presence_diff').at(-1)).toEqual(left)
    expect(
      await Presence.list('room:news'),
      t('a channel that left normally is gone too', '정상적으로 떠난 채널도 사라진 것입니다'),
    ).toEqual([])
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
      t(
        `the join of ${topic} was refused with ${JSON.stringify(reply)}; expected ['ok', {}]`,
        `${topic} join이 거절되었습니다(응답: ${JSON.stringify(reply)}). ['ok', {}]를 기대했습니다`,
      ),
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
  if (result[0] !== 'ok')
    expect.fail(
      t(
        `${what} should give ['ok', pid], got ${String(result)}`,
        `${what}: ['ok', pid]를 기대했는데 받은 값은 ${String(result)}입니다`,
      ),
    )
  return result[1]
}
