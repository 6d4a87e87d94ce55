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

const MUTATED =
  'changed the state it was given (push, splice, or assigning to a field): build a new state with spread instead, e.g. { ...state, members: [...state.members, user] }'

describe('task 1: apply events', () => {
  it('user_joined adds the user to the members, user_left removes them', () => {
    const one = evolve(emptyRoom, joined('alice'))
    expect(one.members, 'after user_joined alice, alice is a member').toEqual(['alice'])
    const two = evolve(one, joined('bob'))
    expect(two.members, 'members keep the order they joined in').toEqual(['alice', 'bob'])
    expect(evolve(two, left('alice')).members, 'after user_left alice, only bob').toEqual(['bob'])
  })

  it('message_posted adds the message, with the id, user, text and time of the event', () => {
    const state = evolve(evolve(emptyRoom, joined('alice')), posted(1, 'alice', 'hello', 1234))
    expect(state.messages).toMatchObject([{ id: 1, user: 'alice', text: 'hello', at: 1234 }])
    expect(state.members, 'posting changes no members').toEqual(['alice'])
  })

  it('never changes the state it is given: it returns a new one', () => {
    deepFreeze(emptyRoom)
    const before = deepFreeze(evolve(emptyRoom, joined('alice')))
    let after: RoomState | undefined
    expect(() => {
      after = evolve(before, joined('bob'))
      after = evolve(after, posted(1, 'bob', 'hi', 0))
      after = evolve(deepFreeze(after), left('alice'))
    }, `evolve ${MUTATED}`).not.toThrow()
    expect(after).not.toBe(before)
    expect(before.members, 'the state given to evolve must stay as it was').toEqual(['alice'])
  })

  it('replay folds a log into the state, from the empty room', () => {
    expect(replay([]), 'an empty log is the empty room').toEqual({ members: [], messages: [] })
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
      'replaying the same log later gave another state: evolve must take everything (the time too) from the event',
    ).toEqual(first)
    expect(emptyRoom, `replay ${MUTATED}`).toEqual({ members: [], messages: [] })
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
      'the room has 2 messages: the next id is 3; `at` is `now`',
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
      expect(decide(room, command, 0), `${JSON.stringify(command)} should be refused`).toEqual([
        'error',
        reason,
      ])
  })

  it('changes nothing: a decision is only events, applied later', () => {
    let decision: unknown
    expect(() => {
      decision = decide(room, { type: 'join', user: 'carol' }, 0)
    }, `decide ${MUTATED}`).not.toThrow()
    expect(decision).toEqual(['ok', [joined('carol')]])
    expect(
      room.members,
      'decide must not add carol: evolve does, once the event is stored',
    ).toEqual(['alice', 'bob'])
  })
})

// --- The room's processes -----------------------------------------------------------------------

const lobby = names('lobby')

async function startLobby(): Promise<void> {
  const result = await startRoom('lobby')
  if (result[0] !== 'ok') expect.fail(`startRoom('lobby') failed: ${String(result[1])}`)
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
      `${what} never answered: does handleCall return ['reply', answer, newState] (after awaiting the store)?`,
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
  if (pid === undefined) expect.fail(`no process is registered as '${name}': is it running?`)
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
      "the supervisor should start the store ('events') first and the room ('room') after it",
    ).toEqual(['events', 'room'])
    expect(Process.whereis(lobby.room), `register the room as '${lobby.room}'`).toBe(
      (await children()).get('room'),
    )
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
      'the event should be in the store: EventStore.append(store, events); `at` is the node’s clock (this.node.clock.now())',
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
    expect(await logOf(), 'a refused command must not append anything').toHaveLength(1)
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
      'a state read earlier changed afterwards: the room changed its state in place; apply events with evolve',
    ).toEqual({ members: ['alice'], messages: [] })
  })

  it('comes back after a crash with the same state, replayed from the store', async () => {
    await startLobby()
    await chat()
    const before = await stateOf()
    const pids = await children()
    await crash(lobby.room)
    const after = await children()
    expect(after.get('room'), 'the supervisor should have restarted the room').not.toBe(
      pids.get('room'),
    )
    expect(after.get('events'), 'the store must outlive a crash of the room').toBe(
      pids.get('events'),
    )
    expect(await stateOf(), 'the restarted room should have replayed the log').toEqual(before)
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
      'the restarted room should read the events from the store in init and replay them',
    ).toEqual(['alice', 'carol'])
  })

  it('starts again empty when its store crashes: nothing outlives the log', async () => {
    await startLobby()
    await chat()
    const room = Process.whereis(lobby.room)
    await crash(lobby.events)
    expect(
      Process.whereis(lobby.room),
      'the store restarted with an empty log, but the room kept its old state: restart what is built on the store with it (rest_for_one, the store first)',
    ).not.toBe(room)
    expect(await stateOf()).toEqual(replay([]))
  })
})

describe('task 4: a projection for queries', () => {
  it('counts the messages of each user, from the room’s events', async () => {
    await startLobby()
    expect(
      (await children()).has('counts'),
      "the room's supervisor should start the projection as 'counts' (after the store)",
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
      'a message appended to the store reached no projection: subscribe to the store (EventStore.subscribe) and count each Appended event in handleInfo',
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
    expect(after.get('counts'), 'the projection should have been restarted').not.toBe(
      pids.get('counts'),
    )
    expect(
      after.get('room'),
      'a crash of the projection restarted the room: start the projection after the room',
    ).toBe(pids.get('room'))
    expect(
      await countsOf(),
      'the restarted projection should count the events the store gives it when it subscribes',
    ).toEqual({ alice: 2, bob: 1 })
    await run({ type: 'post', user: 'bob', text: 'still here' })
    expect(await countsOf(), 'and keep counting new ones').toEqual({ alice: 2, bob: 2 })
  })

  it('countMessages returns new counts and leaves the old ones as they were', () => {
    const counts = deepFreeze({ alice: 1 })
    let next: MessageCounts.Counts | undefined
    expect(() => {
      next = MessageCounts.countMessages(counts, posted(2, 'alice', 'again', 0))
    }, 'countMessages changed the counts it was given: return { ...counts, [user]: n + 1 }').not.toThrow()
    expect(next).toEqual({ alice: 2 })
    expect(MessageCounts.countMessages(counts, joined('bob'))).toEqual({ alice: 1 })
  })
})
