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
import { t } from '../messages.ts'
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
      t(
        'a new room has no messages: init returns an empty list',
        '새 방에는 메시지가 없습니다: init은 빈 리스트를 반환합니다',
      ),
    ).toEqual([])
  })

  it('keeps the posted messages, newest last', async () => {
    const room = await startRoom('lobby')
    postTo(room, 'hello')
    postTo(room, 'anyone here?')
    postTo(room, 'hi!')
    expect(
      await messagesOf(room),
      t(
        "every ['post', message] adds the message after the ones before it",
        "['post', message]마다 그 메시지를 앞의 메시지들 뒤에 덧붙입니다",
      ),
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
      t(
        "the room is not in the RoomRegistry: start it with { name: via(name) }, where via(name) is Registry.via(ROOM_REGISTRY, name); a name kept anywhere else (a Map, a string name) won't do",
        '방이 RoomRegistry에 없습니다: { name: via(name) }으로 시작하세요. via(name)은 Registry.via(ROOM_REGISTRY, name)입니다. 이름을 다른 곳(Map, 문자열 이름)에 두면 안 됩니다',
      ),
    ).toEqual([[room, undefined]])
    expect(
      Registry.keys(ROOM_REGISTRY, room),
      t('the room is registered under its name only', '방은 자기 이름으로만 등록됩니다'),
    ).toEqual(['lobby'])
    expect(
      GenServer.whereis(via('lobby')),
      t('via(name) should lead to the room', 'via(name)으로 방을 찾을 수 있어야 합니다'),
    ).toBe(room)
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
      t(
        "a name belongs to one live room: the second start fails with ['error', ['already_started', pid]] (a via name does that for you)",
        "이름은 살아 있는 방 하나의 것입니다: 두 번째 시작은 ['error', ['already_started', pid]]로 실패합니다(via 이름이 알아서 해 줍니다)",
      ),
    ).toEqual(['error', ['already_started', room]])
  })

  it('frees the name when the room dies', async () => {
    const room = ok(await startLink('lobby'), "startLink('lobby')")
    exit(room, 'kill')
    await clock.runUntilIdle()
    expect(
      Registry.lookup(ROOM_REGISTRY, 'lobby'),
      t(
        'the room is dead, but its name is still in the Registry: let the Registry own the name (a via name), do not keep it yourself',
        '방은 죽었는데 이름이 아직 Registry에 있습니다: 이름을 직접 보관하지 말고 Registry에 맡기세요(via 이름)',
      ),
    ).toEqual([])
    await expect(
      messages('lobby'),
      t('nobody runs under the name now', '이제 그 이름으로 실행 중인 프로세스는 없습니다'),
    ).rejects.toBeInstanceOf(NoProcError)
    const again = ok(
      await startLink('lobby'),
      t("startLink('lobby') after the first room died", "첫 방이 죽은 뒤의 startLink('lobby')"),
    )
    expect(Registry.lookup(ROOM_REGISTRY, 'lobby')).toEqual([[again, undefined]])
  })

  it('links the room to the supervisor that starts it', async () => {
    const sup = ok(
      await DynamicSupervisor.startLink(),
      t('a DynamicSupervisor', 'DynamicSupervisor'),
    )
    const room = ok(
      await DynamicSupervisor.startChild(sup, { start: () => startLink('lobby') }),
      t("startLink('lobby') from a supervisor", "슈퍼바이저에서 호출한 startLink('lobby')"),
    )
    expect(
      Process.processInfo(room)?.parent,
      t(
        'start the room with GenServer.startLink, so that the supervisor that starts it is linked to it',
        '방을 GenServer.startLink로 시작해서 방을 시작한 슈퍼바이저와 링크되게 하세요',
      ),
    ).toBe(sup)
  })
})

describe('task 3: the RoomSupervisor', () => {
  beforeEach(startRegistry)

  it('starts a DynamicSupervisor named ROOM_SUPERVISOR, with no rooms yet', async () => {
    const sup = ok(await RoomSupervisor.startLink(), 'RoomSupervisor.startLink()')
    expect(
      Process.processInfo(sup)?.behaviour,
      t(
        'RoomSupervisor.startLink should start a DynamicSupervisor (DynamicSupervisor.startLink(RoomSupervisor, ...))',
        'RoomSupervisor.startLink는 DynamicSupervisor를 시작해야 합니다(DynamicSupervisor.startLink(RoomSupervisor, ...))',
      ),
    ).toBe('DynamicSupervisor')
    expect(
      Process.whereis(ROOM_SUPERVISOR),
      t('register the supervisor as ROOM_SUPERVISOR', '슈퍼바이저를 ROOM_SUPERVISOR로 등록하세요'),
    ).toBe(sup)
    expect(await answered(DynamicSupervisor.whichChildren(sup), 'whichChildren')).toEqual([])
  })

  it('createRoom starts the room as a transient child of the supervisor', async () => {
    const sup = await startRoomSupervisor()
    const lobby = ok(await RoomSupervisor.createRoom('lobby'), "createRoom('lobby')")
    const random = ok(await RoomSupervisor.createRoom('random'), "createRoom('random')")
    expect(
      await roomPids(sup),
      t(
        'the rooms should be children of the RoomSupervisor: start them with DynamicSupervisor.startChild(ROOM_SUPERVISOR, spec)',
        '방들은 RoomSupervisor의 자식이어야 합니다: DynamicSupervisor.startChild(ROOM_SUPERVISOR, spec)으로 시작하세요',
      ),
    ).toEqual([lobby, random])
    expect(
      Registry.lookup(ROOM_REGISTRY, 'lobby'),
      t(
        'createRoom should start the room by its name',
        'createRoom은 방을 그 이름으로 시작해야 합니다',
      ),
    ).toEqual([[lobby, undefined]])
    expect(
      roomRestartTypes(),
      t(
        "the rooms' child specs should say restart: 'transient'",
        "방들의 자식 명세에는 restart: 'transient'가 있어야 합니다",
      ),
    ).toEqual(['transient', 'transient'])
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
      t(
        "the crashed room is not running again: a transient child is restarted after a crash (is restart 'transient'?)",
        "크래시한 방이 다시 실행되고 있지 않습니다: transient 자식은 크래시 뒤에 재시작됩니다(restart가 'transient'인가요?)",
      ),
    ).toBe(true)
    expect(
      restarts,
      t(
        'the RoomSupervisor did not restart the room: do not restart it yourself, let the supervisor do it',
        'RoomSupervisor가 방을 재시작하지 않았습니다: 직접 재시작하지 말고 슈퍼바이저에게 맡기세요',
      ),
    ).toEqual([expect.objectContaining({ supervisor: sup, pid: lobby })])
    expect(
      Registry.lookup(ROOM_REGISTRY, 'lobby'),
      t('the name leads to the new room', '이름으로 새 방을 찾을 수 있습니다'),
    ).toEqual([[again, undefined]])
    expect(
      await answered(messages('lobby'), "'messages'"),
      t(
        'a restarted room runs init again: it starts with no messages',
        '재시작된 방은 init을 다시 실행합니다: 메시지 없이 시작합니다',
      ),
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
      t(
        "a room that stopped with 'normal' was restarted: a transient child is restarted only after a crash, a permanent one always",
        "'normal'로 멈춘 방이 재시작되었습니다: transient 자식은 크래시 뒤에만, permanent 자식은 언제나 재시작됩니다",
      ),
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
      t(
        "a crash of 'lobby' must not restart 'random'",
        "'lobby'가 크래시했다고 'random'을 재시작하면 안 됩니다",
      ),
    ).toBe(true)
    expect(await answered(messages('random'), "'messages'")).toEqual(['still here'])
  })
})

describe('task 4: ensureRoom', () => {
  beforeEach(startRegistry)

  it('starts the room when it does not run', async () => {
    const sup = await startRoomSupervisor()
    const lobby = ok(await RoomSupervisor.ensureRoom('lobby'), "ensureRoom('lobby')")
    expect(
      await roomPids(sup),
      t(
        'ensureRoom should start the room under the supervisor',
        'ensureRoom은 슈퍼바이저 아래에서 방을 시작해야 합니다',
      ),
    ).toEqual([lobby])
  })

  it('returns the running room, with its messages, instead of a second one', async () => {
    const sup = await startRoomSupervisor()
    const lobby = ok(await RoomSupervisor.createRoom('lobby'), "createRoom('lobby')")
    post('lobby', 'hello')
    const found = await RoomSupervisor.ensureRoom('lobby')
    expect(
      found,
      t(
        "for a room that runs, createRoom answers ['error', ['already_started', pid]]: ensureRoom answers ['ok', pid] with that pid",
        "이미 실행 중인 방에 대해 createRoom은 ['error', ['already_started', pid]]로 답합니다: ensureRoom은 그 pid로 ['ok', pid]를 답합니다",
      ),
    ).toEqual(['ok', lobby])
    expect(await roomPids(sup), t('still one room', '방은 여전히 하나입니다')).toEqual([lobby])
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
    const lobby = ok(first, t("the first ensureRoom('lobby')", "첫 번째 ensureRoom('lobby')"))
    expect(
      second,
      t(
        "the second caller should get the first caller's room: handle ['error', ['already_started', pid]]",
        "두 번째 호출자는 첫 번째 호출자의 방을 받아야 합니다: ['error', ['already_started', pid]]를 처리하세요",
      ),
    ).toEqual(['ok', lobby])
    expect(await roomPids(sup)).toEqual([lobby])
  })

  it('passes other errors on', async () => {
    // A supervisor that is full: the room cannot start, and ensureRoom must not pretend it did.
    ok(
      await DynamicSupervisor.startLink({ name: ROOM_SUPERVISOR, maxChildren: 0 }),
      t('a full DynamicSupervisor', '자식을 더 받을 수 없는 DynamicSupervisor'),
    )
    expect(await RoomSupervisor.ensureRoom('lobby')).toEqual(['error', 'max_children'])
  })
})

// --- Helpers ------------------------------------------------------------------------------------

/** The Registry the rooms register in; in exercise 13 the application starts it. */
async function startRegistry(): Promise<void> {
  ok(
    await Registry.startLink({ keys: 'unique', name: ROOM_REGISTRY }),
    t('the RoomRegistry', 'RoomRegistry'),
  )
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
  if (result[0] !== 'ok')
    expect.fail(
      t(
        `${what} should give ['ok', pid], got ${show(result)}`,
        `${what}: ['ok', pid]를 기대했는데 받은 값은 ${show(result)}입니다`,
      ),
    )
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
    expect.fail(
      t(
        `${request} was never answered: does handleCall return ['reply', answer, state]?`,
        `${request}에 끝내 답이 오지 않았습니다: handleCall이 ['reply', answer, state]를 반환하나요?`,
      ),
    )
  if ('error' in result) throw result.error
  return result.value
}

function show(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    isPid(v) ? String(v) : v instanceof Error ? `Error: ${v.message}` : v,
  )
}
