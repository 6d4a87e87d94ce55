import {
  Application,
  createNode,
  DynamicSupervisor,
  exit,
  GenServer,
  isPid,
  type Node,
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
import { APP, ChatApp, ROOT } from './application.ts'
import { messages, post, ROOM_REGISTRY } from './room.ts'
import { ROOM_SUPERVISOR, RoomSupervisor } from './room-supervisor.ts'
import { getUser, registerUser, USER_MANAGER } from './user-manager.ts'

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
  Telemetry.attach('exercise-13', Telemetry.events.restart, (_event, _measurements, metadata) => {
    restarts.push(metadata)
  })
})
afterEach(() => {
  Telemetry.detach('exercise-13')
  node.shutdown()
})

describe('task 1: start and stop the application', () => {
  it('starts a root supervisor named ChatApp.Supervisor', async () => {
    const root = await startApp()
    expect(
      Process.processInfo(root)?.behaviour,
      t(
        'start(env) should return what Supervisor.startLink returns',
        'start(env)는 Supervisor.startLink가 반환한 것을 그대로 반환해야 합니다',
      ),
    ).toBe('Supervisor')
    expect(
      GenServer.whereis(ROOT),
      t(
        "name the root supervisor ROOT ('ChatApp.Supervisor')",
        "루트 슈퍼바이저의 이름을 ROOT('ChatApp.Supervisor')로 지으세요",
      ),
    ).toBe(root)
    expect(Application.startedApplications()).toEqual([APP])
  })

  it('starts the Registry, the RoomSupervisor and the UserManager, in that order', async () => {
    await startApp()
    expect(
      children(rootTree()),
      t(
        'the children of ChatApp.Supervisor, in start order: the Registry (unique keys, named ROOM_REGISTRY), then the RoomSupervisor (it needs the Registry), then the UserManager; list each module with its own child spec, e.g. [RoomSupervisor, options], so that it starts under its name, as the right type of child',
        'ChatApp.Supervisor의 자식은 시작 순서대로 Registry(고유 키, 이름 ROOM_REGISTRY), 그다음 RoomSupervisor(Registry가 필요합니다), 그다음 UserManager입니다. 각 모듈을 자기 자식 명세로 나열하세요(예: [RoomSupervisor, options]). 그래야 자기 이름으로, 올바른 종류의 자식으로 시작합니다',
      ),
    ).toEqual([
      { name: ROOM_REGISTRY, behaviour: 'Registry', type: 'worker' },
      { name: ROOM_SUPERVISOR, behaviour: 'DynamicSupervisor', type: 'supervisor' },
      { name: USER_MANAGER, behaviour: 'GenServer', type: 'worker' },
    ])
  })

  it('runs the chat: rooms by name under the RoomSupervisor, users in the UserManager', async () => {
    await startApp()
    const lobby = ok(await RoomSupervisor.createRoom('lobby'), "createRoom('lobby')")
    ok(await RoomSupervisor.createRoom('random'), "createRoom('random')")
    post('lobby', 'hello')
    expect(await answered(messages('lobby'))).toEqual(['hello'])
    expect(Registry.lookup(ROOM_REGISTRY, 'lobby')).toEqual([[lobby, undefined]])
    expect(await answered(registerUser('alice'))).toEqual(['ok'])
    const rooms = rootTree().children.find((child) => child.id === ROOM_SUPERVISOR)?.supervisor
    expect(
      rooms?.children.map((room) => room.restart),
      t(
        'the rooms hang below the RoomSupervisor in the tree',
        '트리에서 방들은 RoomSupervisor 아래에 매달립니다',
      ),
    ).toEqual(['transient', 'transient'])
  })

  it('stops the whole tree with Application.stop, and starts afresh', async () => {
    await startApp()
    ok(await RoomSupervisor.createRoom('lobby'), "createRoom('lobby')")
    await answered(registerUser('alice'))
    expect(await Application.stop(APP)).toEqual(['ok'])
    expect(
      Observer.snapshot().processes.map((p) => p.name ?? p.behaviour),
      t(
        'Application.stop stops the root supervisor, which stops its children: no process of the chat should be left',
        'Application.stop은 루트 슈퍼바이저를 멈추고, 루트 슈퍼바이저는 자식들을 멈춥니다: 채팅의 프로세스가 하나도 남으면 안 됩니다',
      ),
    ).toEqual([])
    await startApp()
    expect(
      await answered(DynamicSupervisor.whichChildren(ROOM_SUPERVISOR)),
      t('a new start has no rooms yet', '새로 시작하면 아직 방이 없습니다'),
    ).toEqual([])
    expect(await answered(getUser('alice')), t('and no users', '사용자도 없습니다')).toBeUndefined()
  })
})

describe('task 2: choose the strategy', () => {
  it("restarts the RoomSupervisor with the Registry, and the UserManager alone: 'rest_for_one'", async () => {
    await startApp()
    expect(
      rootTree().strategy,
      t(
        "the rooms depend on the Registry (their names live there, and they die with it); the UserManager depends on neither: which strategy restarts a child's dependants with it, and nothing it depends on?",
        '방들은 Registry에 의존합니다(이름이 거기 있고, Registry와 함께 죽습니다). UserManager는 어느 쪽에도 의존하지 않습니다: 자식을 재시작할 때 그 자식에 의존하는 자식들은 함께 재시작하고, 그 자식이 의존하는 것은 건드리지 않는 전략은 무엇일까요?',
      ),
    ).toBe('rest_for_one')
  })

  it('isolates a crashing room: the other rooms and the UserManager carry on', async () => {
    await startApp()
    const lobby = ok(await RoomSupervisor.createRoom('lobby'), "createRoom('lobby')")
    const random = ok(await RoomSupervisor.createRoom('random'), "createRoom('random')")
    post('random', 'still here')
    await answered(registerUser('alice'))
    const before = pids()
    exit(lobby, new Error('the room crashed'))
    await clock.runUntilIdle()
    expect(
      pids(),
      t(
        'a room crashed: the root supervisor should not restart anything',
        '방 하나가 크래시했습니다: 루트 슈퍼바이저는 아무것도 재시작하면 안 됩니다',
      ),
    ).toEqual(before)
    expect(
      restarts.map((restart) => restart.supervisor),
      t(
        'only the RoomSupervisor restarts something: the crashed room',
        '재시작은 RoomSupervisor만 합니다: 크래시한 방만 재시작합니다',
      ),
    ).toEqual([before[ROOM_SUPERVISOR]])
    expect(GenServer.whereis(ROOM_SUPERVISOR)).toBe(before[ROOM_SUPERVISOR])
    expect(Registry.lookup(ROOM_REGISTRY, 'random')).toEqual([[random, undefined]])
    expect(await answered(messages('random'))).toEqual(['still here'])
    expect(await answered(getUser('alice'))).toEqual({ username: 'alice', online: false })
  })

  it('loses no room when the UserManager crashes', async () => {
    await startApp()
    const lobby = ok(await RoomSupervisor.createRoom('lobby'), "createRoom('lobby')")
    post('lobby', 'hello')
    const before = pids()
    exit(before[USER_MANAGER]!, new Error('the user manager crashed'))
    await clock.runUntilIdle()
    const after = pids()
    expect(
      after[USER_MANAGER],
      t(
        'the UserManager crashed: the root supervisor should restart it',
        'UserManager가 크래시했습니다: 루트 슈퍼바이저가 재시작해야 합니다',
      ),
    ).not.toBe(before[USER_MANAGER])
    expect(
      [after[ROOM_REGISTRY], after[ROOM_SUPERVISOR]],
      t(
        'a crash of the UserManager restarted the Registry or the RoomSupervisor: with rest_for_one only the children after the crashed one restart, so the UserManager must come last; one_for_all would restart them all',
        'UserManager의 크래시로 Registry나 RoomSupervisor가 재시작되었습니다: rest_for_one에서는 크래시한 자식 뒤의 자식들만 재시작하므로 UserManager는 맨 마지막이어야 합니다. one_for_all이면 모두 재시작합니다',
      ),
    ).toEqual([before[ROOM_REGISTRY], before[ROOM_SUPERVISOR]])
    expect(
      Registry.lookup(ROOM_REGISTRY, 'lobby'),
      t('the room runs on, untouched', '방은 영향받지 않고 계속 실행됩니다'),
    ).toEqual([[lobby, undefined]])
    expect(await answered(messages('lobby'))).toEqual(['hello'])
  })

  it('starts the rooms over when the Registry crashes', async () => {
    await startApp()
    ok(await RoomSupervisor.createRoom('lobby'), "createRoom('lobby')")
    const before = pids()
    exit(before[ROOM_REGISTRY]!, 'kill')
    await clock.runUntilIdle()
    const after = pids()
    expect(
      isPid(after[ROOM_REGISTRY]),
      t('the Registry should be restarted', 'Registry가 재시작되어야 합니다'),
    ).toBe(true)
    expect(
      after[ROOM_SUPERVISOR],
      t(
        'the rooms lost their names with the Registry: the RoomSupervisor should restart after it, afresh',
        '방들은 Registry와 함께 이름을 잃었습니다: RoomSupervisor가 Registry 다음에 새로 재시작해야 합니다',
      ),
    ).not.toBe(before[ROOM_SUPERVISOR])
    expect(await answered(DynamicSupervisor.whichChildren(ROOM_SUPERVISOR))).toEqual([])
    const lobby = ok(
      await RoomSupervisor.createRoom('lobby'),
      t("createRoom('lobby') again", "다시 호출한 createRoom('lobby')"),
    )
    expect(
      Registry.lookup(ROOM_REGISTRY, 'lobby'),
      t('the new room is in the new Registry', '새 방은 새 Registry에 있습니다'),
    ).toEqual([[lobby, undefined]])
  })
})

describe('task 3: configure the number of rooms', () => {
  it('caps the rooms at options.maxRooms in the RoomSupervisor', async () => {
    ok(
      await Registry.startLink({ keys: 'unique', name: ROOM_REGISTRY }),
      t('the Registry', 'Registry'),
    )
    ok(await RoomSupervisor.startLink({ maxRooms: 1 }), 'RoomSupervisor.startLink({ maxRooms: 1 })')
    ok(await RoomSupervisor.createRoom('lobby'), "createRoom('lobby')")
    expect(
      await RoomSupervisor.createRoom('random'),
      t(
        "with maxRooms: 1, a second room is one too many: pass maxChildren to DynamicSupervisor.init in RoomSupervisor's init",
        'maxRooms: 1이면 두 번째 방은 한도를 넘습니다: RoomSupervisor의 init에서 DynamicSupervisor.init에 maxChildren을 넘기세요',
      ),
    ).toEqual(['error', 'max_children'])
  })

  it('reads the cap from the env that Application.start is given', async () => {
    await startApp({ maxRooms: 2 })
    ok(await RoomSupervisor.createRoom('lobby'), "createRoom('lobby')")
    const random = ok(await RoomSupervisor.createRoom('random'), "createRoom('random')")
    expect(
      await RoomSupervisor.createRoom('games'),
      t(
        'Application.start(ChatApp, { env: { maxRooms: 2 } }): the third room is one too many; hand env.maxRooms to the RoomSupervisor',
        'Application.start(ChatApp, { env: { maxRooms: 2 } }): 세 번째 방은 한도를 넘습니다. env.maxRooms를 RoomSupervisor에 넘기세요',
      ),
    ).toEqual(['error', 'max_children'])
    await GenServer.stop(random)
    expect(
      (await RoomSupervisor.createRoom('games'))[0],
      t('a room that stopped frees its place', '멈춘 방은 자리를 비워 줍니다'),
    ).toBe('ok')
  })

  it('allows 100 rooms when nothing is configured', async () => {
    await startApp()
    expect(
      Application.getEnv(APP, 'maxRooms'),
      t(
        'the default env of ChatApp should say maxRooms: 100',
        'ChatApp의 기본 env에는 maxRooms: 100이 있어야 합니다',
      ),
    ).toBe(100)
    for (let i = 1; i <= 100; i++) ok(await RoomSupervisor.createRoom(`room ${i}`), `room ${i}`)
    expect(await RoomSupervisor.createRoom('room 101')).toEqual(['error', 'max_children'])
  })
})

// --- Helpers ------------------------------------------------------------------------------------

/** Starts the chat application, and fails with a hint if it does not start. */
async function startApp(env?: Application.Env): Promise<Pid> {
  const result = await Application.start(ChatApp, env === undefined ? {} : { env })
  return ok(result, 'Application.start(ChatApp)')
}

/** The root supervisor's tree, as Observer draws it. */
function rootTree(): Observer.SupervisorSnapshot {
  const tree = Observer.snapshot().trees.find((t) => t.name === ROOT)
  if (tree === undefined)
    expect.fail(
      t(`no supervision tree is named '${ROOT}'`, `'${ROOT}'라는 이름의 감독 트리가 없습니다`),
    )
  return tree
}

/** A tree's children, in start order: the name and behaviour of each process, its type of child. */
function children(tree: Observer.SupervisorSnapshot) {
  const processes = new Map(Observer.snapshot().processes.map((p) => [p.pid, p]))
  return tree.children.map((child) => {
    const process = processes.get(child.pid ?? '')
    return { name: process?.name, behaviour: process?.behaviour, type: child.type }
  })
}

/** The pids of the root's children, by their names. */
function pids(): Record<string, Pid | undefined> {
  return Object.fromEntries(
    [ROOM_REGISTRY, ROOM_SUPERVISOR, USER_MANAGER].map((name) => [name, Process.whereis(name)]),
  )
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
async function answered<T>(reply: Promise<T>): Promise<T> {
  let result: { value: T } | { error: unknown } | undefined
  reply.then(
    (value) => (result = { value }),
    (error) => (result = { error }),
  )
  await clock.settle()
  if (result === undefined)
    expect.fail(
      t('a call to the chat was never answered', '채팅에 보낸 call에 끝내 답이 오지 않았습니다'),
    )
  if ('error' in result) throw result.error
  return result.value
}

function show(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    isPid(v) ? String(v) : v instanceof Error ? `Error: ${v.message}` : v,
  )
}
