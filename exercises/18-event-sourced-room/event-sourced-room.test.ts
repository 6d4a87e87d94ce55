import {
  createNode,
  exit,
  type Node,
  type Pid,
  Process,
  Supervisor,
  setDefaultNode,
  type VirtualClock,
} from 'letitcrash'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { t } from '../messages.ts'
import * as EventStore from './event-store.ts'
import * as MessageCounts from './message-counts.ts'
import { execute, getState, names, startRoom } from './room.ts'
import {
  decide,
  emptyRoom,
  evolve,
  type RoomCommand,
  type RoomEvent,
  type RoomState,
  replay,
} from './room-events.ts'

// Every test gets a fresh node on a virtual clock: time only moves when the test says so.
let node: Node
let clock: VirtualClock

beforeEach(() => {
  node = createNode({ clock: 'virtual' })
  clock = node.clock as VirtualClock
  setDefaultNode(node)
})
afterEach(() => node.shutdown())

// --- Events used by the tests -------------------------------------------------------------------

const joined = (user: string, at = 0): RoomEvent => ({ type: 'user_joined', user, at })
const left = (user: string, at = 0): RoomEvent => ({ type: 'user_left', user, at })
const posted = (id: number, user: string, text: string, at = 0): RoomEvent => ({
  type: 'message_posted',
  id,
  user,
  text,
  at,
})

/** A log: alice and bob join, each posts, alice leaves. */
const log: RoomEvent[] = [
  joined('alice', 100),
  joined('bob', 200),
  posted(1, 'alice', 'hi bob', 300),
  posted(2, 'bob', 'hi alice', 400),
  left('alice', 500),
]

/** Freezes `value` and everything in it: changing it in place then throws a TypeError. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const inner of Object.values(value)) deepFreeze(inner)
  }
  return value
}

const MUTATED = t(
  'changed the state it was given (push, splice, or assigning to a field): build a new state with spread instead, e.g. { ...state, members: [...state.members, user] }',
  '받은 상태를 바꿨습니다(push, splice, 또는 필드에 대입): 대신 스프레드로 새 상태를 만드세요. 예: { ...state, members: [...state.members, user] }',
)

describe('task 1: apply events', () => {
  it('user_joined adds the user to the members, user_left removes them', () => {
    const one = evolve(emptyRoom, joined('alice'))
    expect(
      one.members,
      t(
        'after user_joined alice, alice is a member',
        'user_joined alice 뒤에는 alice가 멤버입니다',
      ),
    ).toEqual(['alice'])
    const two = evolve(one, joined('bob'))
    expect(
      two.members,
      t('members keep the order they joined in', '멤버는 들어온 순서를 유지합니다'),
    ).toEqual(['alice', 'bob'])
    expect(
      evolve(two, left('alice')).members,
      t('after user_left alice, only bob', 'user_left alice 뒤에는 bob만 남습니다'),
    ).toEqual(['bob'])
  })

  it('message_posted adds the message, with the id, user, text and time of the event', () => {
    const state = evolve(evolve(emptyRoom, joined('alice')), posted(1, 'alice', 'hello', 1234))
    expect(state.messages).toMatchObject([{ id: 1, user: 'alice', text: 'hello', at: 1234 }])
    expect(
      state.members,
      t('posting changes no members', '메시지를 게시해도 멤버는 바뀌지 않습니다'),
    ).toEqual(['alice'])
  })

  it('never changes the state it is given: it returns a new one', () => {
    deepFreeze(emptyRoom)
    const before = deepFreeze(evolve(emptyRoom, joined('alice')))
    let after: RoomState | undefined
    expect(
      () => {
        after = evolve(before, joined('bob'))
        after = evolve(after, posted(1, 'bob', 'hi', 0))
        after = evolve(deepFreeze(after), left('alice'))
      },
      t(`evolve ${MUTATED}`, `evolve가 ${MUTATED}`),
    ).not.toThrow()
    expect(after).not.toBe(before)
    expect(
      before.members,
      t(
        'the state given to evolve must stay as it was',
        'evolve에 넘긴 상태는 그대로 남아 있어야 합니다',
      ),
    ).toEqual(['alice'])
  })

  it('replay folds a log into the state, from the empty room', () => {
    expect(replay([]), t('an empty log is the empty room', '빈 로그는 빈 방입니다')).toEqual({
      members: [],
      messages: [],
    })
    const state = replay(log)
    expect(state.members).toEqual(['bob'])
    expect(state.messages).toMatchObject([
      { id: 1, user: 'alice', text: 'hi bob', at: 300 },
      { id: 2, user: 'bob', text: 'hi alice', at: 400 },
    ])
  })

  it('replay is deterministic: the same log gives the same state, at any time', async () => {
    deepFreeze(emptyRoom)
    const first = replay(deepFreeze([...log]))
    await clock.advance(60_000)
    expect(
      replay(log),
      t(
        'replaying the same log later gave another state: evolve must take everything (the time too) from the event',
        '같은 로그를 나중에 재생했더니 다른 상태가 나왔습니다: evolve는 모든 것을(시각까지) 이벤트에서 가져와야 합니다',
      ),
    ).toEqual(first)
    expect(emptyRoom, t(`replay ${MUTATED}`, `replay가 ${MUTATED}`)).toEqual({
      members: [],
      messages: [],
    })
  })
})

describe('task 2: decide on commands', () => {
  /** Alice and bob, two messages, frozen. Built as the room the log has, without replay. */
  const room: RoomState = deepFreeze({
    members: ['alice', 'bob'],
    messages: [
      { id: 1, user: 'alice', text: 'hi bob', at: 300 },
      { id: 2, user: 'bob', text: 'hi alice', at: 400 },
    ],
  })

  it('a join of a newcomer is a user_joined event, stamped with `now`', () => {
    expect(decide(room, { type: 'join', user: 'carol' }, 42)).toEqual([
      'ok',
      [{ type: 'user_joined', user: 'carol', at: 42 }],
    ])
  })

  it('a post by a member is a message_posted event with the next id', () => {
    expect(
      decide(room, { type: 'post', user: 'bob', text: 'third!' }, 600),
      t(
        'the room has 2 messages: the next id is 3; `at` is `now`',
        '방에 메시지가 2개 있습니다: 다음 id는 3이고, `at`은 `now`입니다',
      ),
    ).toEqual(['ok', [{ type: 'message_posted', id: 3, user: 'bob', text: 'third!', at: 600 }]])
  })

  it('a leave by a member is a user_left event', () => {
    expect(decide(room, { type: 'leave', user: 'alice' }, 7)).toEqual([
      'ok',
      [{ type: 'user_left', user: 'alice', at: 7 }],
    ])
  })

  it('refuses what the state does not allow, with the reason', () => {
    const cases: [RoomCommand, string][] = [
      [{ type: 'join', user: 'alice' }, 'already_member'],
      [{ type: 'leave', user: 'carol' }, 'not_a_member'],
      [{ type: 'post', user: 'carol', text: 'hello?' }, 'not_a_member'],
      [{ type: 'post', user: 'alice', text: '   ' }, 'empty_message'],
    ]
    for (const [command, reason] of cases)
      expect(
        decide(room, command, 0),
        t(
          `${JSON.stringify(command)} should be refused`,
          `${JSON.stringify(command)}: 거절되어야 합니다`,
        ),
      ).toEqual(['error', reason])
  })

  it('changes nothing: a decision is only events, applied later', () => {
    let decision: unknown
    expect(
      () => {
        decision = decide(room, { type: 'join', user: 'carol' }, 0)
      },
      t(`decide ${MUTATED}`, `decide가 ${MUTATED}`),
    ).not.toThrow()
    expect(decision).toEqual(['ok', [joined('carol')]])
    expect(
      room.members,
      t(
        'decide must not add carol: evolve does, once the event is stored',
        'decide는 carol을 추가하면 안 됩니다: 이벤트가 저장된 뒤 evolve가 추가합니다',
      ),
    ).toEqual(['alice', 'bob'])
  })
})

// --- The room's processes -----------------------------------------------------------------------

const lobby = names('lobby')

async function startLobby(): Promise<void> {
  const result = await startRoom('lobby')
  if (result[0] !== 'ok')
    expect.fail(
      t(
        `startRoom('lobby') failed: ${String(result[1])}`,
        `startRoom('lobby')가 실패했습니다: ${String(result[1])}`,
      ),
    )
}

/** The running children of the lobby's supervisor, by id, in start order. */
async function children(): Promise<Map<unknown, Pid>> {
  const list = await answered(Supervisor.whichChildren(lobby.supervisor), 'whichChildren')
  return new Map(list.reverse().map((child) => [child.id, child.pid as Pid]))
}

/** Waits for `reply` while the processes run; fails with a hint if it never comes. */
async function answered<T>(reply: Promise<T>, what: string): Promise<T> {
  let result: { value: T } | { error: unknown } | undefined
  reply.then(
    (value) => (result = { value }),
    (error) => (result = { error }),
  )
  await clock.settle()
  if (result === undefined)
    expect.fail(
      t(
        `${what} never answered: does handleCall return ['reply', answer, newState] (after awaiting the store)?`,
        `${what}: 끝내 답이 오지 않았습니다. handleCall이 (store를 await한 뒤) ['reply', answer, newState]를 반환하나요?`,
      ),
    )
  if ('error' in result) throw result.error
  return result.value
}

const run = (command: RoomCommand) => answered(execute(lobby.room, command), 'execute')
const stateOf = () => answered(getState(lobby.room), 'getState')
const logOf = () => answered(EventStore.read<RoomEvent>(lobby.events), 'EventStore.read')
const countsOf = () => answered(MessageCounts.counts(lobby.counts), 'MessageCounts.counts')

/** Crashes the process registered as `name` and lets its supervisor react. */
async function crash(name: string): Promise<void> {
  const pid = Process.whereis(name)
  if (pid === undefined)
    expect.fail(
      t(
        `no process is registered as '${name}': is it running?`,
        `등록된 이름이 '${name}'인 프로세스가 없습니다: 실행 중인가요?`,
      ),
    )
  exit(pid, new Error(`${name} crashed on purpose`))
  await clock.settle()
}

async function chat(): Promise<void> {
  await run({ type: 'join', user: 'alice' })
  await run({ type: 'join', user: 'bob' })
  await run({ type: 'post', user: 'alice', text: 'hi bob' })
  await run({ type: 'post', user: 'bob', text: 'hi alice' })
  await run({ type: 'post', user: 'alice', text: 'how are you?' })
}

describe('task 3: a room that replays its log', () => {
  it('starts the store, then the room, under the room supervisor', async () => {
    await startLobby()
    const ids = [...(await children()).keys()]
    expect(
      ids.slice(0, 2),
      t(
        "the supervisor should start the store ('events') first and the room ('room') after it",
        "슈퍼바이저는 store('events')를 먼저, 그 뒤에 방('room')을 시작해야 합니다",
      ),
    ).toEqual(['events', 'room'])
    expect(
      Process.whereis(lobby.room),
      t(`register the room as '${lobby.room}'`, `방을 등록하세요(이름: '${lobby.room}')`),
    ).toBe((await children()).get('room'))
  })

  it('carries out a command: stores its events, then applies them, then replies', async () => {
    await startLobby()
    await clock.advance(1500)
    expect(await run({ type: 'join', user: 'alice' })).toEqual([
      'ok',
      [{ type: 'user_joined', user: 'alice', at: 1500 }],
    ])
    expect(
      await logOf(),
      t(
        'the event should be in the store: EventStore.append(store, events); `at` is the node’s clock (this.node.clock.now())',
        '이벤트가 store에 있어야 합니다: EventStore.append(store, events). `at`은 노드의 시계(this.node.clock.now())입니다',
      ),
    ).toEqual([joined('alice', 1500)])
    expect((await stateOf()).members).toEqual(['alice'])
  })

  it('stores nothing and changes nothing for a refused command', async () => {
    await startLobby()
    await run({ type: 'join', user: 'alice' })
    expect(await run({ type: 'post', user: 'bob', text: 'let me in' })).toEqual([
      'error',
      'not_a_member',
    ])
    expect(
      await logOf(),
      t(
        'a refused command must not append anything',
        '거절된 커맨드는 아무것도 추가하면 안 됩니다',
      ),
    ).toHaveLength(1)
    expect((await stateOf()).messages).toEqual([])
  })

  it('never changes a state it handed out: each event makes a new one', async () => {
    await startLobby()
    await run({ type: 'join', user: 'alice' })
    const earlier = await stateOf()
    await run({ type: 'post', user: 'alice', text: 'one' })
    await run({ type: 'join', user: 'bob' })
    expect(
      earlier,
      t(
        'a state read earlier changed afterwards: the room changed its state in place; apply events with evolve',
        '앞서 읽은 상태가 나중에 바뀌었습니다: 방이 상태를 제자리에서 바꿨습니다. 이벤트는 evolve로 적용하세요',
      ),
    ).toEqual({ members: ['alice'], messages: [] })
  })

  it('comes back after a crash with the same state, replayed from the store', async () => {
    await startLobby()
    await chat()
    const before = await stateOf()
    const pids = await children()
    await crash(lobby.room)
    const after = await children()
    expect(
      after.get('room'),
      t('the supervisor should have restarted the room', '슈퍼바이저가 방을 재시작했어야 합니다'),
    ).not.toBe(pids.get('room'))
    expect(
      after.get('events'),
      t('the store must outlive a crash of the room', 'store는 방이 크래시해도 살아남아야 합니다'),
    ).toBe(pids.get('events'))
    expect(
      await stateOf(),
      t(
        'the restarted room should have replayed the log',
        '재시작된 방은 로그를 재생했어야 합니다',
      ),
    ).toEqual(before)
    expect(await stateOf()).toEqual(replay(await logOf()))
  })

  it('holds what the log says, not what it remembers', async () => {
    await startLobby()
    await run({ type: 'join', user: 'alice' })
    // Someone else appended to the log; the room hears of it when it replays.
    await answered(EventStore.append(lobby.events, [joined('carol', 5)]), 'EventStore.append')
    await crash(lobby.room)
    expect(
      (await stateOf()).members,
      t(
        'the restarted room should read the events from the store in init and replay them',
        '재시작된 방은 init에서 store의 이벤트를 읽어 재생해야 합니다',
      ),
    ).toEqual(['alice', 'carol'])
  })

  it('starts again empty when its store crashes: nothing outlives the log', async () => {
    await startLobby()
    await chat()
    const room = Process.whereis(lobby.room)
    await crash(lobby.events)
    expect(
      Process.whereis(lobby.room),
      t(
        'the store restarted with an empty log, but the room kept its old state: restart what is built on the store with it (rest_for_one, the store first)',
        'store는 빈 로그로 재시작했는데 방은 예전 상태를 그대로 가지고 있습니다: store 위에 세운 것은 store와 함께 재시작하세요(rest_for_one, store를 먼저)',
      ),
    ).not.toBe(room)
    expect(await stateOf()).toEqual(replay([]))
  })
})

describe('task 4: a projection for queries', () => {
  it('counts the messages of each user, from the room’s events', async () => {
    await startLobby()
    expect(
      (await children()).has('counts'),
      t(
        "the room's supervisor should start the projection as 'counts' (after the store)",
        "방의 슈퍼바이저는 프로젝션을 'counts'라는 이름으로 (store 뒤에) 시작해야 합니다",
      ),
    ).toBe(true)
    await chat()
    expect(await countsOf()).toEqual({ alice: 2, bob: 1 })
  })

  it('is fed by the store, not by the room', async () => {
    await startLobby()
    await chat()
    await answered(
      EventStore.append(lobby.events, [joined('carol', 9), posted(4, 'carol', 'hey', 9)]),
      'EventStore.append',
    )
    expect(
      await countsOf(),
      t(
        'a message appended to the store reached no projection: subscribe to the store (EventStore.subscribe) and count each Appended event in handleInfo',
        'store에 추가된 메시지가 어떤 프로젝션에도 닿지 않았습니다: store를 구독하고(EventStore.subscribe) handleInfo에서 Appended 이벤트마다 세세요',
      ),
    ).toEqual({ alice: 2, bob: 1, carol: 1 })
  })

  it('counts only posted messages, and keeps a user’s count after they leave', async () => {
    await startLobby()
    await chat()
    await run({ type: 'leave', user: 'alice' })
    await run({ type: 'join', user: 'dave' })
    expect(await countsOf()).toEqual({ alice: 2, bob: 1 })
  })

  it('rebuilds the same counts after a crash, while the room keeps running', async () => {
    await startLobby()
    await chat()
    const pids = await children()
    await crash(lobby.counts)
    const after = await children()
    expect(
      after.get('counts'),
      t('the projection should have been restarted', '프로젝션이 재시작되었어야 합니다'),
    ).not.toBe(pids.get('counts'))
    expect(
      after.get('room'),
      t(
        'a crash of the projection restarted the room: start the projection after the room',
        '프로젝션의 크래시로 방이 재시작되었습니다: 프로젝션을 방 뒤에 시작하세요',
      ),
    ).toBe(pids.get('room'))
    expect(
      await countsOf(),
      t(
        'the restarted projection should count the events the store gives it when it subscribes',
        '재시작된 프로젝션은 구독할 때 store가 주는 이벤트를 세야 합니다',
      ),
    ).toEqual({ alice: 2, bob: 1 })
    await run({ type: 'post', user: 'bob', text: 'still here' })
    expect(
      await countsOf(),
      t('and keep counting new ones', '그리고 새 이벤트도 계속 세야 합니다'),
    ).toEqual({ alice: 2, bob: 2 })
  })

  it('countMessages returns new counts and leaves the old ones as they were', () => {
    const counts = deepFreeze({ alice: 1 })
    let next: MessageCounts.Counts | undefined
    expect(
      () => {
        next = MessageCounts.countMessages(counts, posted(2, 'alice', 'again', 0))
      },
      t(
        'countMessages changed the counts it was given: return { ...counts, [user]: n + 1 }',
        'countMessages가 받은 counts를 바꿨습니다: { ...counts, [user]: n + 1 }을 반환하세요',
      ),
    ).not.toThrow()
    expect(next).toEqual({ alice: 2 })
    expect(MessageCounts.countMessages(counts, joined('bob'))).toEqual({ alice: 1 })
  })
})
