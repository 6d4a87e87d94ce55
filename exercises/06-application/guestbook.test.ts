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
import { t } from '../messages.ts'
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
    t(
      `Application.start returned ${String(result)}: does start(env) return Supervisor.startLink(...)?`,
      `Application.start의 반환값이 ${String(result)}입니다: start(env)가 Supervisor.startLink(...)를 반환하나요?`,
    ),
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
    t(
      'Application.stop did not finish: start the children with GenServer.startLink, so that they stop when the root supervisor tells them to',
      'Application.stop이 끝나지 않았습니다: 자식을 GenServer.startLink로 시작해야 루트 슈퍼바이저가 멈추라고 할 때 멈춥니다',
    ),
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
    expect(
      Process.processInfo(root)?.behaviour,
      t('start(env) should start a Supervisor', 'start(env)는 Supervisor를 시작해야 합니다'),
    ).toBe('Supervisor')
    expect(
      GenServer.whereis(ROOT),
      t('give the root supervisor the name ROOT', '루트 슈퍼바이저에 ROOT라는 이름을 붙이세요'),
    ).toBe(root)
    expect(Application.startedApplications()).toEqual([APP])
  })

  it('starts the Repo first and the Endpoint second, both children of the root', async () => {
    await startApp({ disk: { entries: [] } })
    const repo = GenServer.whereis(REPO)
    const endpoint = GenServer.whereis(ENDPOINT)
    expect(
      repo,
      t(
        'no process is registered as REPO: start Repo with { name: REPO }',
        'REPO로 등록된 프로세스가 없습니다: Repo를 { name: REPO }로 시작하세요',
      ),
    ).toBeDefined()
    expect(
      endpoint,
      t(
        'no process is registered as ENDPOINT: start Endpoint with { name: ENDPOINT }',
        'ENDPOINT로 등록된 프로세스가 없습니다: Endpoint를 { name: ENDPOINT }로 시작하세요',
      ),
    ).toBeDefined()
    // whichChildren lists the last started child first.
    const children = (await Supervisor.whichChildren(ROOT)).map((child) => child.pid)
    expect(
      children,
      t(
        'the root supervisor should have two children: the Repo first, then the Endpoint (it needs the Repo)',
        '루트 슈퍼바이저에는 자식이 둘 있어야 합니다: 먼저 Repo, 그다음 Endpoint입니다(Endpoint는 Repo가 필요합니다)',
      ),
    ).toEqual([endpoint, repo])
  })

  it('hands the disk from the env to the Repo, which loads what is stored there', async () => {
    await startApp({ disk: { entries: ['Ada', 'Grace'] } })
    expect(
      await entries(),
      t(
        'the Repo should start with the entries of env.disk: pass env.disk to GenServer.startLink(Repo, ...)',
        'Repo는 env.disk의 항목을 가지고 시작해야 합니다: env.disk를 GenServer.startLink(Repo, ...)에 넘기세요',
      ),
    ).toEqual(['Ada', 'Grace'])
  })

  it('restarts a crashed Repo: the root supervisor watches it', async () => {
    await startApp({ disk: { entries: [] } })
    const repo = GenServer.whereis(REPO)!
    exit(repo, 'kill')
    await clock.runUntilIdle()
    const again = GenServer.whereis(REPO)
    expect(
      again,
      t(
        'the Repo was not restarted: is it a child of the root supervisor?',
        'Repo가 재시작되지 않았습니다: 루트 슈퍼바이저의 자식인가요?',
      ),
    ).toBeDefined()
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
    expect(
      await entries(),
      t(
        'one signature is less than a batch of 2: it should wait',
        '서명 하나는 묶음 크기 2보다 적습니다: 기다려야 합니다',
      ),
    ).toEqual([])
    await signAll(['Grace'])
    expect(
      await entries(),
      t(
        'two signatures make a batch of 2: batchSize() should read Application.getEnv(APP, "batchSize")',
        '서명 두 개면 크기 2의 묶음이 찹니다: batchSize()는 Application.getEnv(APP, "batchSize")를 읽어야 합니다',
      ),
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
      t(
        'after putEnv(APP, "batchSize", 3) the third signature completes a batch: read the env every time, do not keep it in the state',
        'putEnv(APP, "batchSize", 3) 뒤에는 세 번째 서명이 묶음을 채웁니다: env를 상태에 보관하지 말고 매번 읽으세요',
      ),
    ).toEqual(['Ada', 'Grace', 'Linus'])
  })

  it('writes in batches of 10 when nothing is configured (the default env)', async () => {
    await startApp({ disk: { entries: [] } })
    const names = Array.from({ length: 10 }, (_, i) => `guest ${i + 1}`)
    await signAll(names.slice(0, 9))
    expect(
      await entries(),
      t(
        'nine signatures are less than the default batch of 10',
        '서명 아홉 개는 기본 묶음 크기 10보다 적습니다',
      ),
    ).toEqual([])
    await signAll(names.slice(9))
    expect(
      await entries(),
      t(
        "the tenth signature completes the batch: set env: { batchSize: 10 } in Guestbook (or getEnv's default)",
        '열 번째 서명이 묶음을 채웁니다: Guestbook에 env: { batchSize: 10 }을 정하세요(또는 getEnv의 기본값)',
      ),
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
      t(
        "the Repo does not trap exits: call this.trapExit(true) in its init, or a supervisor's shutdown ends it before terminate runs",
        'Repo가 종료를 트랩하지 않습니다: init에서 this.trapExit(true)를 호출하세요. 그러지 않으면 슈퍼바이저의 shutdown이 terminate가 실행되기 전에 Repo를 끝냅니다',
      ),
    ).toBe(true)
    expect(
      Process.processInfo(GenServer.whereis(ENDPOINT)!)?.trapExit,
      t(
        'the Endpoint does not trap exits: call this.trapExit(true) in its init',
        'Endpoint가 종료를 트랩하지 않습니다: init에서 this.trapExit(true)를 호출하세요',
      ),
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
      t(
        'children stop in reverse start order: start the Repo before the Endpoint',
        '자식은 시작한 순서의 반대로 멈춥니다: Repo를 Endpoint보다 먼저 시작하세요',
      ),
    ).toEqual([ENDPOINT, REPO, ROOT])
  })

  it('saves every entry on Application.stop, also those still waiting for a batch', async () => {
    const disk: Disk = { entries: ['Ada'] }
    await startApp({ disk, batchSize: 2 })
    await signAll(['Grace', 'Linus', 'Barbara'])
    await stopApp()
    expect(
      disk.entries,
      t(
        "after stop, disk.entries should hold every name: the Endpoint's terminate inserts its waiting names into the Repo, and the Repo's terminate writes its entries to the disk",
        'stop 뒤에는 disk.entries에 모든 이름이 있어야 합니다: Endpoint의 terminate는 기다리던 이름을 Repo에 넣고, Repo의 terminate는 항목을 디스크에 씁니다',
      ),
    ).toEqual(['Ada', 'Grace', 'Linus', 'Barbara'])
  })

  it('starts again from what the last run saved', async () => {
    const disk: Disk = { entries: [] }
    await startApp({ disk })
    await signAll(['Ada', 'Grace'])
    await stopApp()
    await startApp({ disk })
    expect(
      await entries(),
      t(
        'the second run should load what the first one saved',
        '두 번째 실행은 첫 번째 실행이 저장한 것을 불러와야 합니다',
      ),
    ).toEqual(['Ada', 'Grace'])
  })
})
