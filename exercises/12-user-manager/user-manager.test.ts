import {
  createNode,
  exit,
  GenServer,
  type Node,
  type Pid,
  Process,
  send,
  setDefaultNode,
  spawn,
  type VirtualClock,
} from 'letitcrash'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { t } from '../messages.ts'
import * as client from './user-manager.ts'
import { startLink, USER_MANAGER } from './user-manager.ts'

// Every test gets a fresh node on a virtual clock, and a UserManager on it.
let node: Node
let clock: VirtualClock
let manager: Pid

beforeEach(async () => {
  node = createNode({ clock: 'virtual' })
  clock = node.clock as VirtualClock
  setDefaultNode(node)
  const started = await startLink()
  if (started[0] !== 'ok')
    expect.fail(
      t(
        `the UserManager did not start: ${String(started[1])}`,
        `UserManager가 시작하지 않았습니다: ${String(started[1])}`,
      ),
    )
  manager = started[1]
})
afterEach(() => node.shutdown())

/** The client functions, failing with a hint when the UserManager does not answer. */
const registerUser = (username: string) =>
  answered(client.registerUser(username), `['register', ${JSON.stringify(username)}]`)
const getUser = (username: string) =>
  answered(client.getUser(username), `['get', ${JSON.stringify(username)}]`)
const connect = (username: string, session: Pid) =>
  answered(client.connect(username, session), `['connect', ${JSON.stringify(username)}, session]`)
const listOnline = () => answered(client.listOnline(), "['list_online']")

describe('task 1: register and look up users', () => {
  it("runs registered as 'ChatApp.UserManager'", () => {
    expect(GenServer.whereis(USER_MANAGER)).toBe(manager)
  })

  it("registers a new username with ['ok']", async () => {
    expect(
      await registerUser('alice'),
      t("a name nobody has: reply ['ok']", "아무도 쓰지 않는 이름입니다: ['ok']로 답하세요"),
    ).toEqual(['ok'])
    expect(await registerUser('bob')).toEqual(['ok'])
  })

  it("refuses a taken username with ['error', 'user_exists']", async () => {
    await registerUser('alice')
    expect(
      await registerUser('alice'),
      t(
        "alice is registered already: reply ['error', 'user_exists'], and keep the state as it is",
        "alice는 이미 등록되어 있습니다: ['error', 'user_exists']로 답하고 상태는 그대로 두세요",
      ),
    ).toEqual(['error', 'user_exists'])
  })

  it('looks up a registered user, who is offline until they connect', async () => {
    await registerUser('alice')
    expect(
      await getUser('alice'),
      t(
        'a registered user is { username, online }: alice has no session, so she is offline',
        '등록된 사용자는 { username, online }입니다: alice는 세션이 없으니 오프라인입니다',
      ),
    ).toEqual({ username: 'alice', online: false })
  })

  it('answers undefined for a name nobody registered', async () => {
    await registerUser('alice')
    expect(
      await getUser('bob'),
      t(
        'bob never registered: reply undefined',
        'bob은 등록한 적이 없습니다: undefined로 답하세요',
      ),
    ).toBeUndefined()
  })
})

describe('task 2: sessions: online while connected', () => {
  it('puts a registered user online while their session lives', async () => {
    await registerUser('alice')
    const session = idleSession()
    expect(
      await connect('alice', session),
      t("reply ['ok'] to a registered user", "등록된 사용자에게는 ['ok']로 답하세요"),
    ).toEqual(['ok'])
    expect(
      await getUser('alice'),
      t(
        'alice has a live session: she is online (remember the session in `sessions`)',
        'alice에게 살아 있는 세션이 있습니다: 온라인입니다(세션을 `sessions`에 기억하세요)',
      ),
    ).toEqual({ username: 'alice', online: true })
  })

  it("refuses to connect a user nobody registered with ['error', 'unknown_user']", async () => {
    const session = idleSession()
    expect(await connect('mallory', session)).toEqual(['error', 'unknown_user'])
    expect(
      await getUser('mallory'),
      t('connecting must not register anybody', 'connect는 아무도 등록하면 안 됩니다'),
    ).toBeUndefined()
  })

  it('monitors the session, and does not link to it', async () => {
    await registerUser('alice')
    const session = idleSession()
    await connect('alice', session)
    const info = Process.processInfo(manager)
    expect(
      info?.monitors,
      t(
        "the UserManager should monitor every session it is given: this.monitor(session) in handleCall's 'connect'",
        "UserManager는 받은 세션을 모두 모니터링해야 합니다: handleCall의 'connect'에서 this.monitor(session)",
      ),
    ).toContain(session)
    expect(
      info?.links,
      t(
        'do not link to sessions: a session that crashes would take the UserManager down with it',
        '세션과 링크하지 마세요: 세션이 크래시하면 UserManager까지 함께 쓰러집니다',
      ),
    ).not.toContain(session)
  })

  it('puts the user offline when their session ends', async () => {
    await registerUser('alice')
    const session = idleSession()
    await connect('alice', session)
    exit(session, 'kill')
    await clock.runUntilIdle()
    expectAlive(t('a session died', '세션 하나가 죽었을 때'))
    expect(
      await getUser('alice'),
      t(
        "alice's only session is gone: its DOWN message arrives in handleInfo, which should forget the session",
        'alice의 유일한 세션이 사라졌습니다: 그 DOWN 메시지는 handleInfo로 들어오며, handleInfo는 그 세션을 잊어야 합니다',
      ),
    ).toEqual({ username: 'alice', online: false })
    expect(
      await registerUser('alice'),
      t(
        'offline is not unregistered: alice keeps her name',
        '오프라인이 등록 해제는 아닙니다: alice는 이름을 그대로 가집니다',
      ),
    ).toEqual(['error', 'user_exists'])
  })

  it('lives on when a session crashes, and when one ends normally', async () => {
    await registerUser('alice')
    await registerUser('bob')
    const crashing = idleSession()
    const leaving = spawn(async (ctx) => {
      await ctx.receive((message) => message === 'leave')
    })
    await connect('alice', crashing)
    await connect('bob', leaving)
    exit(crashing, new Error('the connection broke'))
    send(leaving, 'leave')
    await clock.runUntilIdle()
    expectAlive(
      t(
        'sessions ended, one crashed and one normally',
        '세션들이 끝났을 때(하나는 크래시, 하나는 정상 종료)',
      ),
    )
    expect(
      await getUser('alice'),
      t('a session that crashed ends too', '크래시한 세션도 끝난 세션입니다'),
    ).toEqual({
      username: 'alice',
      online: false,
    })
    expect(
      await getUser('bob'),
      t("a session that ended with 'normal' ends too", "'normal'로 끝난 세션도 끝난 세션입니다"),
    ).toEqual({
      username: 'bob',
      online: false,
    })
  })

  it('keeps a user online until the last of their sessions ends', async () => {
    await registerUser('alice')
    const [laptop, phone] = [idleSession(), idleSession()]
    await connect('alice', laptop)
    await connect('alice', phone)
    exit(laptop, 'kill')
    await clock.runUntilIdle()
    expect(
      await getUser('alice'),
      t(
        'alice closed her laptop, but she is still on her phone: forget only the session that ended',
        'alice가 노트북을 닫았지만 아직 휴대폰으로 접속해 있습니다: 끝난 세션만 잊으세요',
      ),
    ).toEqual({ username: 'alice', online: true })
    exit(phone, 'kill')
    await clock.runUntilIdle()
    expect(await getUser('alice')).toEqual({ username: 'alice', online: false })
  })
})

describe('task 3: who is online', () => {
  it('lists nobody before anybody connects', async () => {
    await registerUser('alice')
    expect(
      await listOnline(),
      t(
        'registered is not online: list only users with a session',
        '등록되었다고 온라인은 아닙니다: 세션이 있는 사용자만 나열하세요',
      ),
    ).toEqual([])
  })

  it('lists the users online, each once, in alphabetical order', async () => {
    for (const name of ['dave', 'carol', 'bob', 'alice']) await registerUser(name)
    await connect('carol', idleSession())
    await connect('alice', idleSession())
    await connect('carol', idleSession())
    expect(
      await listOnline(),
      t(
        'alice and carol are online (carol twice, but she is one user): sort the names',
        'alice와 carol이 온라인입니다(carol은 두 번이지만 사용자는 한 명입니다): 이름을 정렬하세요',
      ),
    ).toEqual(['alice', 'carol'])
  })

  it('drops a user whose sessions have ended', async () => {
    await registerUser('alice')
    await registerUser('bob')
    const session = idleSession()
    await connect('alice', session)
    await connect('bob', idleSession())
    exit(session, 'kill')
    await clock.runUntilIdle()
    expect(
      await listOnline(),
      t(
        "alice's session ended: only bob is online",
        'alice의 세션이 끝났습니다: bob만 온라인입니다',
      ),
    ).toEqual(['bob'])
  })
})

// --- Helpers ------------------------------------------------------------------------------------

/** A stand-in session: a process that waits until it is killed. */
function idleSession(): Pid {
  return spawn(async (ctx) => {
    await ctx.receive(() => false)
  })
}

function expectAlive(when: string): void {
  expect(
    Process.isAlive(manager),
    t(
      `the UserManager died when ${when}: monitor the sessions (do not link), and handle their DOWN messages in handleInfo`,
      `${when} UserManager가 죽었습니다: 세션을 (링크하지 말고) 모니터링하고, 그 DOWN 메시지를 handleInfo에서 처리하세요`,
    ),
  ).toBe(true)
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
