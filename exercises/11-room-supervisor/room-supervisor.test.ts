import {
  createNode,
  DynamicSupervisor,
  exit,
  GenServer,
  isPid,
  type Node,
  NoProcError,
  Observer,
  type Pid,
  Process,
  Registry,
  setDefaultNode,
  Telemetry,
  type VirtualClock,
} from 'letitcrash'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  type Call,
  type Cast,
  messages,
  post,
  ROOM_REGISTRY,
  Room,
  startLink,
  via,
} from './room.ts'
import { ROOM_SUPERVISOR, RoomSupervisor } from './room-supervisor.ts'

// Every test gets a fresh node on a virtual clock: time only moves when the test says so.
let node: Node
let clock: VirtualClock
/** Every restart a supervisor made during the test, as telemetry reported it. */
let restarts: Telemetry.Metadata[]

beforeEach(() => {
  node = createNode({ clock: 'virtual' })
  clock = node.clock as VirtualClock
  setDefaultNode(node)
  restarts = []
  Telemetry.attach('exercise-11', Telemetry.events.restart, (_event, _measurements, metadata) => {
    restarts.push(metadata)
  })
})
afterEach(() => {
  Telemetry.detach('exercise-11')
  node.shutdown()
})

describe('task 1: the Room', () => {
  /** A room started without a name: this task is about its callbacks only. */
  async function startRoom(name: string): Promise<Pid> {
    return ok(await GenServer.start(Room, name), 'GenServer.start(Room, name)')
  }
  const postTo = (room: Pid, message: string) =>
    GenServer.cast(room, ['post', message] satisfies Cast)
  const messagesOf = (room: Pid) =>
    answered(GenServer.call<readonly string[]>(room, 'messages' satisfies Call), "'messages'")

  it('starts with no messages', async () => {
    const room = await startRoom('lobby')
    expect(
      await messagesOf(room),
      'a new room has no messages: init returns an empty list',
    ).toEqual([])
  })

  it('keeps the posted messages, newest last', async () => {
    const room = await startRoom('lobby')
    postTo(room, 'hello')
    postTo(room, 'anyone here?')
    postTo(room, 'hi!')
    expect(
      await messagesOf(room),
      "every ['post', message] adds the message after the ones before it",
    ).toEqual(['hello', 'anyone here?', 'hi!'])
  })

  it('keeps each room to its own messages', async () => {
    const lobby = await startRoom('lobby')
    const random = await startRoom('random')
    postTo(lobby, 'in the lobby')
    postTo(random, 'somewhere else')
    expect(await messagesOf(lobby)).toEqual(['in the lobby'])
    expect(await messagesOf(random)).toEqual(['somewhere else'])
  })
})

describe('task 2: a name in the Registry', () => {
  beforeEach(startRegistry)

  it('registers the room in the RoomRegistry under its name', async () => {
    const room = ok(await startLink('lobby'), "startLink('lobby')")
    expect(
      Registry.lookup(ROOM_REGISTRY, 'lobby'),
      "the room is not in the RoomRegistry: start it with { name: via(name) }, where via(name) is Registry.via(ROOM_REGISTRY, name); a name kept anywhere else (a Map, a string name) won't do",
    ).toEqual([[room, undefined]])
    expect(
      Registry.keys(ROOM_REGISTRY, room),
      'the room is registered under its name only',
    ).toEqual(['lobby'])
    expect(GenServer.whereis(via('lobby')), 'via(name) should lead to the room').toBe(room)
  })

  it('is reached by name: post and messages go through via(name)', async () => {
    ok(await startLink('lobby'), "startLink('lobby')")
    ok(await startLink('random'), "startLink('random')")
    post('lobby', 'hello')
    post('random', 'hi')
    post('lobby', 'still here')
    expect(await answered(messages('lobby'), "'messages'")).toEqual(['hello', 'still here'])
    expect(await answered(messages('random'), "'messages'")).toEqual(['hi'])
  })

  it('refuses a second room with a name that is taken', async () => {
    const room = ok(await startLink('lobby'), "startLink('lobby')")
    const second = await startLink('lobby')
    expect(
      second,
      "a name belongs to one live room: the second start fails with ['error', ['already_started', pid]] (a via name does that for you)",
    ).toEqual(['error', ['already_started', room]])
  })

  it('frees the name when the room dies', async () => {
    const room = ok(await startLink('lobby'), "startLink('lobby')")
    exit(room, 'kill')
    await clock.runUntilIdle()
    expect(
      Registry.lookup(ROOM_REGISTRY, 'lobby'),
      'the room is dead, but its name is still in the Registry: let the Registry own the name (a via name), do not keep it yourself',
    ).toEqual([])
    await expect(messages('lobby'), 'nobody runs under the name now').rejects.toBeInstanceOf(
      NoProcError,
    )
    const again = ok(await startLink('lobby'), "startLink('lobby') after the first room died")
    expect(Registry.lookup(ROOM_REGISTRY, 'lobby')).toEqual([[again, undefined]])
  })

  it('links the room to the supervisor that starts it', async () => {
    const sup = ok(await DynamicSupervisor.startLink(), 'a DynamicSupervisor')
    const room = ok(
      await DynamicSupervisor.startChild(sup, { start: () => startLink('lobby') }),
      "startLink('lobby') from a supervisor",
    )
    expect(
      Process.processInfo(room)?.parent,
      'start the room with GenServer.startLink, so that the supervisor that starts it is linked to it',
    ).toBe(sup)
  })
})

describe('task 3: the RoomSupervisor', () => {
  beforeEach(startRegistry)

  it('starts a DynamicSupervisor named ROOM_SUPERVISOR, with no rooms yet', async () => {
    const sup = ok(await RoomSupervisor.startLink(), 'RoomSupervisor.startLink()')
    expect(
      Process.processInfo(sup)?.behaviour,
      'RoomSupervisor.startLink should start a DynamicSupervisor (DynamicSupervisor.startLink(RoomSupervisor, ...))',
    ).toBe('DynamicSupervisor')
    expect(Process.whereis(ROOM_SUPERVISOR), 'register the supervisor as ROOM_SUPERVISOR').toBe(sup)
    expect(await answered(DynamicSupervisor.whichChildren(sup), 'whichChildren')).toEqual([])
  })

  it('createRoom starts the room as a transient child of the supervisor', async () => {
    const sup = await startRoomSupervisor()
    const lobby = ok(await RoomSupervisor.createRoom('lobby'), "createRoom('lobby')")
    const random = ok(await RoomSupervisor.createRoom('random'), "createRoom('random')")
    expect(
      await roomPids(sup),
      'the rooms should be children of the RoomSupervisor: start them with DynamicSupervisor.startChild(ROOM_SUPERVISOR, spec)',
    ).toEqual([lobby, random])
    expect(
      Registry.lookup(ROOM_REGISTRY, 'lobby'),
      'createRoom should start the room by its name',
    ).toEqual([[lobby, undefined]])
    expect(roomRestartTypes(), "the rooms' child specs should say restart: 'transient'").toEqual([
      'transient',
      'transient',
    ])
  })

  it('answers already_started for a room that runs', async () => {
    await startRoomSupervisor()
    const lobby = ok(await RoomSupervisor.createRoom('lobby'), "createRoom('lobby')")
    expect(await RoomSupervisor.createRoom('lobby')).toEqual(['error', ['already_started', lobby]])
  })

  it('restarts a room that crashed: a fresh room, under the same name', async () => {
    const sup = await startRoomSupervisor()
    const lobby = ok(await RoomSupervisor.createRoom('lobby'), "createRoom('lobby')")
    post('lobby', 'hello')
    exit(lobby, new Error('the room crashed'))
    await clock.runUntilIdle()
    const [again] = await roomPids(sup)
    expect(
      isPid(again) && again !== lobby,
      "the crashed room is not running again: a transient child is restarted after a crash (is restart 'transient'?)",
    ).toBe(true)
    expect(
      restarts,
      'the RoomSupervisor did not restart the room: do not restart it yourself, let the supervisor do it',
    ).toEqual([expect.objectContaining({ supervisor: sup, pid: lobby })])
    expect(Registry.lookup(ROOM_REGISTRY, 'lobby'), 'the name leads to the new room').toEqual([
      [again, undefined],
    ])
    expect(
      await answered(messages('lobby'), "'messages'"),
      'a restarted room runs init again: it starts with no messages',
    ).toEqual([])
  })

  it('does not restart a room that stopped normally', async () => {
    const sup = await startRoomSupervisor()
    ok(await RoomSupervisor.createRoom('lobby'), "createRoom('lobby')")
    const random = ok(await RoomSupervisor.createRoom('random'), "createRoom('random')")
    await GenServer.stop(via('lobby'), 'normal')
    await clock.runUntilIdle()
    expect(
      await roomPids(sup),
      "a room that stopped with 'normal' was restarted: a transient child is restarted only after a crash, a permanent one always",
    ).toEqual([random])
    expect(restarts).toEqual([])
    expect(Registry.lookup(ROOM_REGISTRY, 'lobby')).toEqual([])
  })

  it('leaves the other rooms alone when one crashes', async () => {
    const sup = await startRoomSupervisor()
    const lobby = ok(await RoomSupervisor.createRoom('lobby'), "createRoom('lobby')")
    const random = ok(await RoomSupervisor.createRoom('random'), "createRoom('random')")
    post('random', 'still here')
    exit(lobby, new Error('the room crashed'))
    await clock.runUntilIdle()
    expect(
      (await roomPids(sup)).includes(random),
      "a crash of 'lobby' must not restart 'random'",
    ).toBe(true)
    expect(await answered(messages('random'), "'messages'")).toEqual(['still here'])
  })
})

describe('task 4: ensureRoom', () => {
  beforeEach(startRegistry)

  it('starts the room when it does not run', async () => {
    const sup = await startRoomSupervisor()
    const lobby = ok(await RoomSupervisor.ensureRoom('lobby'), "ensureRoom('lobby')")
    expect(await roomPids(sup), 'ensureRoom should start the room under the supervisor').toEqual([
      lobby,
    ])
  })

  it('returns the running room, with its messages, instead of a second one', async () => {
    const sup = await startRoomSupervisor()
    const lobby = ok(await RoomSupervisor.createRoom('lobby'), "createRoom('lobby')")
    post('lobby', 'hello')
    const found = await RoomSupervisor.ensureRoom('lobby')
    expect(
      found,
      "for a room that runs, createRoom answers ['error', ['already_started', pid]]: ensureRoom answers ['ok', pid] with that pid",
    ).toEqual(['ok', lobby])
    expect(await roomPids(sup), 'still one room').toEqual([lobby])
    expect(await answered(messages('lobby'), "'messages'")).toEqual(['hello'])
  })

  it('gives two callers who ask at the same moment the same room', async () => {
    const sup = await startRoomSupervisor()
    // Both calls are made before either is answered: a look-up first would find no room for
    // either of them, and both would start one.
    const [first, second] = await Promise.all([
      RoomSupervisor.ensureRoom('lobby'),
      RoomSupervisor.ensureRoom('lobby'),
    ])
    const lobby = ok(first, "the first ensureRoom('lobby')")
    expect(
      second,
      "the second caller should get the first caller's room: handle ['error', ['already_started', pid]]",
    ).toEqual(['ok', lobby])
    expect(await roomPids(sup)).toEqual([lobby])
  })

  it('passes other errors on', async () => {
    // A supervisor that is full: the room cannot start, and ensureRoom must not pretend it did.
    ok(
      await DynamicSupervisor.startLink({ name: ROOM_SUPERVISOR, maxChildren: 0 }),
      'a full DynamicSupervisor',
    )
    expect(await RoomSupervisor.ensureRoom('lobby')).toEqual(['error', 'max_children'])
  })
})

// --- Helpers ------------------------------------------------------------------------------------

/** The Registry the rooms register in; in exercise 13 the application starts it. */
async function startRegistry(): Promise<void> {
  ok(await Registry.startLink({ keys: 'unique', name: ROOM_REGISTRY }), 'the RoomRegistry')
}

async function startRoomSupervisor(): Promise<Pid> {
  return ok(await RoomSupervisor.startLink(), 'RoomSupervisor.startLink()')
}

/** The pids of the RoomSupervisor's children, oldest first. */
async function roomPids(sup: Pid): Promise<unknown[]> {
  const children = await answered(DynamicSupervisor.whichChildren(sup), 'whichChildren')
  return children.map((child) => child.pid)
}

/** The restart type of each room under the RoomSupervisor, as Observer shows them. */
function roomRestartTypes(): string[] {
  const tree = Observer.snapshot().trees.find((t) => t.name === ROOM_SUPERVISOR)
  return tree?.children.map((child) => child.restart) ?? []
}

/** The pid of an `['ok', pid]` start result; fails the test with the result otherwise. */
function ok(result: GenServer.OnStart, what: string): Pid {
  if (result[0] !== 'ok') expect.fail(`${what} should give ['ok', pid], got ${show(result)}`)
  return result[1]
}

/** Lets the processes run (no time passes) and returns the reply; fails if there is none. */
async function answered<T>(reply: Promise<T>, request: string): Promise<T> {
  let result: { value: T } | { error: unknown } | undefined
  reply.then(
    (value) => (result = { value }),
    (error) => (result = { error }),
  )
  await clock.settle()
  if (result === undefined)
    expect.fail(`${request} was never answered: does handleCall return ['reply', answer, state]?`)
  if ('error' in result) throw result.error
  return result.value
}

function show(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    isPid(v) ? String(v) : v instanceof Error ? `Error: ${v.message}` : v,
  )
}
