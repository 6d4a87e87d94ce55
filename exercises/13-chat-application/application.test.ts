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
      'start(env) should return what Supervisor.startLink returns',
    ).toBe('Supervisor')
    expect(GenServer.whereis(ROOT), "name the root supervisor ROOT ('ChatApp.Supervisor')").toBe(
      root,
    )
    expect(Application.startedApplications()).toEqual([APP])
  })

  it('starts the Registry, the RoomSupervisor and the UserManager, in that order', async () => {
    await startApp()
    expect(
      children(rootTree()),
      'the children of ChatApp.Supervisor, in start order: the Registry (unique keys, named ROOM_REGISTRY), then the RoomSupervisor (it needs the Registry), then the UserManager; list each module with its own child spec, e.g. [RoomSupervisor, options], so that it starts under its name, as the right type of child',
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
      'the rooms hang below the RoomSupervisor in the tree',
    ).toEqual(['transient', 'transient'])
  })

  it('stops the whole tree with Application.stop, and starts afresh', async () => {
    await startApp()
    ok(await RoomSupervisor.createRoom('lobby'), "createRoom('lobby')")
    await answered(registerUser('alice'))
    expect(await Application.stop(APP)).toEqual(['ok'])
    expect(
      Observer.snapshot().processes.map((p) => p.name ?? p.behaviour),
      'Application.stop stops the root supervisor, which stops its children: no process of the chat should be left',
    ).toEqual([])
    await startApp()
    expect(
      await answered(DynamicSupervisor.whichChildren(ROOM_SUPERVISOR)),
      'a new start has no rooms yet',
    ).toEqual([])
    expect(await answered(getUser('alice')), 'and no users').toBeUndefined()
  })
})

describe('task 2: choose the strategy', () => {
  it("restarts the RoomSupervisor with the Registry, and the UserManager alone: 'rest_for_one'", async () => {
    await startApp()
    expect(
      rootTree().strategy,
      "the rooms depend on the Registry (their names live there, and they die with it); the UserManager depends on neither: which strategy restarts a child's dependants with it, and nothing it depends on?",
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
    expect(pids(), 'a room crashed: the root supervisor should not restart anything').toEqual(
      before,
    )
    expect(
      restarts.map((restart) => restart.supervisor),
      'only the RoomSupervisor restarts something: the crashed room',
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
      'the UserManager crashed: the root supervisor should restart it',
    ).not.toBe(before[USER_MANAGER])
    expect(
      [after[ROOM_REGISTRY], after[ROOM_SUPERVISOR]],
      'a crash of the UserManager restarted the Registry or the RoomSupervisor: with rest_for_one only the children after the crashed one restart, so the UserManager must come last; one_for_all would restart them all',
    ).toEqual([before[ROOM_REGISTRY], before[ROOM_SUPERVISOR]])
    expect(Registry.lookup(ROOM_REGISTRY, 'lobby'), 'the room runs on, untouched').toEqual([
      [lobby, undefined],
    ])
    expect(await answered(messages('lobby'))).toEqual(['hello'])
  })

  it('starts the rooms over when the Registry crashes', async () => {
    await startApp()
    ok(await RoomSupervisor.createRoom('lobby'), "createRoom('lobby')")
    const before = pids()
    exit(before[ROOM_REGISTRY]!, 'kill')
    await clock.runUntilIdle()
    const after = pids()
    expect(isPid(after[ROOM_REGISTRY]), 'the Registry should be restarted').toBe(true)
    expect(
      after[ROOM_SUPERVISOR],
      'the rooms lost their names with the Registry: the RoomSupervisor should restart after it, afresh',
    ).not.toBe(before[ROOM_SUPERVISOR])
    expect(await answered(DynamicSupervisor.whichChildren(ROOM_SUPERVISOR))).toEqual([])
    const lobby = ok(await RoomSupervisor.createRoom('lobby'), "createRoom('lobby') again")
    expect(Registry.lookup(ROOM_REGISTRY, 'lobby'), 'the new room is in the new Registry').toEqual([
      [lobby, undefined],
    ])
  })
})

describe('task 3: configure the number of rooms', () => {
  it('caps the rooms at options.maxRooms in the RoomSupervisor', async () => {
    ok(await Registry.startLink({ keys: 'unique', name: ROOM_REGISTRY }), 'the Registry')
    ok(await RoomSupervisor.startLink({ maxRooms: 1 }), 'RoomSupervisor.startLink({ maxRooms: 1 })')
    ok(await RoomSupervisor.createRoom('lobby'), "createRoom('lobby')")
    expect(
      await RoomSupervisor.createRoom('random'),
      "with maxRooms: 1, a second room is one too many: pass maxChildren to DynamicSupervisor.init in RoomSupervisor's init",
    ).toEqual(['error', 'max_children'])
  })

  it('reads the cap from the env that Application.start is given', async () => {
    await startApp({ maxRooms: 2 })
    ok(await RoomSupervisor.createRoom('lobby'), "createRoom('lobby')")
    const random = ok(await RoomSupervisor.createRoom('random'), "createRoom('random')")
    expect(
      await RoomSupervisor.createRoom('games'),
      'Application.start(ChatApp, { env: { maxRooms: 2 } }): the third room is one too many; hand env.maxRooms to the RoomSupervisor',
    ).toEqual(['error', 'max_children'])
    await GenServer.stop(random)
    expect(
      (await RoomSupervisor.createRoom('games'))[0],
      'a room that stopped frees its place',
    ).toBe('ok')
  })

  it('allows 100 rooms when nothing is configured', async () => {
    await startApp()
    expect(
      Application.getEnv(APP, 'maxRooms'),
      'the default env of ChatApp should say maxRooms: 100',
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
  if (tree === undefined) expect.fail(`no supervision tree is named '${ROOT}'`)
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
  if (result[0] !== 'ok') expect.fail(`${what} should give ['ok', pid], got ${show(result)}`)
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
  if (result === undefined) expect.fail('a call to the chat was never answered')
  if ('error' in result) throw result.error
  return result.value
}

function show(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    isPid(v) ? String(v) : v instanceof Error ? `Error: ${v.message}` : v,
  )
}
