import {
  Application,
  createNode,
  exit,
  GenServer,
  type Node,
  type Pid,
  Process,
  Supervisor,
  setDefaultNode,
  Telemetry,
  type VirtualClock,
} from 'letitcrash'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  APP,
  type Disk,
  ENDPOINT,
  Endpoint,
  entries,
  Guestbook,
  REPO,
  Repo,
  ROOT,
  sign,
} from './guestbook.ts'

let node: Node
let clock: VirtualClock

beforeEach(() => {
  node = createNode({ clock: 'virtual' })
  clock = node.clock as VirtualClock
  setDefaultNode(node)
})
afterEach(() => node.shutdown())

/** Starts the guestbook with `env`, and fails with a hint if it does not start. */
async function startApp(env: Application.Env): Promise<Pid> {
  const result = await Application.start(Guestbook, { env })
  expect(
    result[0],
    `Application.start returned ${String(result)}: does start(env) return Supervisor.startLink(...)?`,
  ).toBe('ok')
  return result[1] as Pid
}

/** Stops the guestbook, and fails with a hint if the stop hangs (a child that never stops). */
async function stopApp(): Promise<void> {
  let stopped = false
  const stopping = Application.stop(APP).finally(() => {
    stopped = true
  })
  stopping.catch(() => {}) // awaited below, once time has passed
  await clock.advance(10_000)
  expect(
    stopped,
    'Application.stop did not finish: start the children with GenServer.startLink, so that they stop when the root supervisor tells them to',
  ).toBe(true)
  expect(await stopping).toEqual(['ok'])
}

function signAll(names: string[]): Promise<void> {
  for (const name of names) sign(name)
  return clock.runUntilIdle()
}

describe('task 1: start the supervision tree', () => {
  it('starts a root supervisor, registered as ROOT, and returns its pid', async () => {
    const root = await startApp({ disk: { entries: [] } })
    expect(Process.processInfo(root)?.behaviour, 'start(env) should start a Supervisor').toBe(
      'Supervisor',
    )
    expect(GenServer.whereis(ROOT), 'give the root supervisor the name ROOT').toBe(root)
    expect(Application.startedApplications()).toEqual([APP])
  })

  it('starts the Repo first and the Endpoint second, both children of the root', async () => {
    await startApp({ disk: { entries: [] } })
    const repo = GenServer.whereis(REPO)
    const endpoint = GenServer.whereis(ENDPOINT)
    expect(repo, 'no process is registered as REPO: start Repo with { name: REPO }').toBeDefined()
    expect(
      endpoint,
      'no process is registered as ENDPOINT: start Endpoint with { name: ENDPOINT }',
    ).toBeDefined()
    // whichChildren lists the last started child first.
    const children = (await Supervisor.whichChildren(ROOT)).map((child) => child.pid)
    expect(
      children,
      'the root supervisor should have two children: the Repo first, then the Endpoint (it needs the Repo)',
    ).toEqual([endpoint, repo])
  })

  it('hands the disk from the env to the Repo, which loads what is stored there', async () => {
    await startApp({ disk: { entries: ['Ada', 'Grace'] } })
    expect(
      await entries(),
      'the Repo should start with the entries of env.disk: pass env.disk to GenServer.startLink(Repo, ...)',
    ).toEqual(['Ada', 'Grace'])
  })

  it('restarts a crashed Repo: the root supervisor watches it', async () => {
    await startApp({ disk: { entries: [] } })
    const repo = GenServer.whereis(REPO)!
    exit(repo, 'kill')
    await clock.runUntilIdle()
    const again = GenServer.whereis(REPO)
    expect(again, 'the Repo was not restarted: is it a child of the root supervisor?').toBeDefined()
    expect(again).not.toBe(repo)
  })
})

describe('task 2: read the configuration', () => {
  /** The Repo and the Endpoint without the application, so this task can be done first. */
  async function startServers(disk: Disk): Promise<void> {
    await GenServer.start(Repo, disk, { name: REPO })
    await GenServer.start(Endpoint, [], { name: ENDPOINT })
  }

  it('writes signatures to the Repo once `batchSize` of them have come in', async () => {
    Application.putEnv(APP, 'batchSize', 2)
    await startServers({ entries: [] })
    await signAll(['Ada'])
    expect(await entries(), 'one signature is less than a batch of 2: it should wait').toEqual([])
    await signAll(['Grace'])
    expect(
      await entries(),
      'two signatures make a batch of 2: batchSize() should read Application.getEnv(APP, "batchSize")',
    ).toEqual(['Ada', 'Grace'])
  })

  it('reads the batch size at every signature, so Application.putEnv takes effect at once', async () => {
    Application.putEnv(APP, 'batchSize', 5)
    await startServers({ entries: [] })
    await signAll(['Ada', 'Grace'])
    Application.putEnv(APP, 'batchSize', 3)
    await signAll(['Linus'])
    expect(
      await entries(),
      'after putEnv(APP, "batchSize", 3) the third signature completes a batch: read the env every time, do not keep it in the state',
    ).toEqual(['Ada', 'Grace', 'Linus'])
  })

  it('writes in batches of 10 when nothing is configured (the default env)', async () => {
    await startApp({ disk: { entries: [] } })
    const names = Array.from({ length: 10 }, (_, i) => `guest ${i + 1}`)
    await signAll(names.slice(0, 9))
    expect(await entries(), 'nine signatures are less than the default batch of 10').toEqual([])
    await signAll(names.slice(9))
    expect(
      await entries(),
      "the tenth signature completes the batch: set env: { batchSize: 10 } in Guestbook (or getEnv's default)",
    ).toEqual(names)
  })

  it('lets Application.start override the default', async () => {
    await startApp({ disk: { entries: [] }, batchSize: 2 })
    await signAll(['Ada', 'Grace'])
    expect(await entries()).toEqual(['Ada', 'Grace'])
  })
})

describe('task 3: stop cleanly, in reverse order', () => {
  it('makes the Repo and the Endpoint trap exits, so their terminate runs on shutdown', async () => {
    await startApp({ disk: { entries: [] } })
    expect(
      Process.processInfo(GenServer.whereis(REPO)!)?.trapExit,
      "the Repo does not trap exits: call this.trapExit(true) in its init, or a supervisor's shutdown ends it before terminate runs",
    ).toBe(true)
    expect(
      Process.processInfo(GenServer.whereis(ENDPOINT)!)?.trapExit,
      'the Endpoint does not trap exits: call this.trapExit(true) in its init',
    ).toBe(true)
  })

  it('stops the Endpoint, then the Repo, then the root supervisor', async () => {
    await startApp({ disk: { entries: [] } })
    const stopped: unknown[] = []
    Telemetry.attach('exercise-06', Telemetry.events.exit, (_event, _m, meta) => {
      stopped.push(meta.name)
    })
    try {
      await stopApp()
    } finally {
      Telemetry.detach('exercise-06')
    }
    expect(
      stopped,
      'children stop in reverse start order: start the Repo before the Endpoint',
    ).toEqual([ENDPOINT, REPO, ROOT])
  })

  it('saves every entry on Application.stop, also those still waiting for a batch', async () => {
    const disk: Disk = { entries: ['Ada'] }
    await startApp({ disk, batchSize: 2 })
    await signAll(['Grace', 'Linus', 'Barbara'])
    await stopApp()
    expect(
      disk.entries,
      "after stop, disk.entries should hold every name: the Endpoint's terminate inserts its waiting names into the Repo, and the Repo's terminate writes its entries to the disk",
    ).toEqual(['Ada', 'Grace', 'Linus', 'Barbara'])
  })

  it('starts again from what the last run saved', async () => {
    const disk: Disk = { entries: [] }
    await startApp({ disk })
    await signAll(['Ada', 'Grace'])
    await stopApp()
    await startApp({ disk })
    expect(await entries(), 'the second run should load what the first one saved').toEqual([
      'Ada',
      'Grace',
    ])
  })
})
