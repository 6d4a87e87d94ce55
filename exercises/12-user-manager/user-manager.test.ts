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
  if (started[0] !== 'ok') expect.fail(`the UserManager did not start: ${String(started[1])}`)
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
    expect(await registerUser('alice'), "a name nobody has: reply ['ok']").toEqual(['ok'])
    expect(await registerUser('bob')).toEqual(['ok'])
  })

  it("refuses a taken username with ['error', 'user_exists']", async () => {
    await registerUser('alice')
    expect(
      await registerUser('alice'),
      "alice is registered already: reply ['error', 'user_exists'], and keep the state as it is",
    ).toEqual(['error', 'user_exists'])
  })

  it('looks up a registered user, who is offline until they connect', async () => {
    await registerUser('alice')
    expect(
      await getUser('alice'),
      'a registered user is { username, online }: alice has no session, so she is offline',
    ).toEqual({ username: 'alice', online: false })
  })

  it('answers undefined for a name nobody registered', async () => {
    await registerUser('alice')
    expect(await getUser('bob'), 'bob never registered: reply undefined').toBeUndefined()
  })
})

describe('task 2: sessions: online while connected', () => {
  it('puts a registered user online while their session lives', async () => {
    await registerUser('alice')
    const session = idleSession()
    expect(await connect('alice', session), "reply ['ok'] to a registered user").toEqual(['ok'])
    expect(
      await getUser('alice'),
      'alice has a live session: she is online (remember the session in `sessions`)',
    ).toEqual({ username: 'alice', online: true })
  })

  it("refuses to connect a user nobody registered with ['error', 'unknown_user']", async () => {
    const session = idleSession()
    expect(await connect('mallory', session)).toEqual(['error', 'unknown_user'])
    expect(await getUser('mallory'), 'connecting must not register anybody').toBeUndefined()
  })

  it('monitors the session, and does not link to it', async () => {
    await registerUser('alice')
    const session = idleSession()
    await connect('alice', session)
    const info = Process.processInfo(manager)
    expect(
      info?.monitors,
      "the UserManager should monitor every session it is given: this.monitor(session) in handleCall's 'connect'",
    ).toContain(session)
    expect(
      info?.links,
      'do not link to sessions: a session that crashes would take the UserManager down with it',
    ).not.toContain(session)
  })

  it('puts the user offline when their session ends', async () => {
    await registerUser('alice')
    const session = idleSession()
    await connect('alice', session)
    exit(session, 'kill')
    await clock.runUntilIdle()
    expectAlive('a session died')
    expect(
      await getUser('alice'),
      "alice's only session is gone: its DOWN message arrives in handleInfo, which should forget the session",
    ).toEqual({ username: 'alice', online: false })
    expect(
      await registerUser('alice'),
      'offline is not unregistered: alice keeps her name',
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
    expectAlive('sessions ended, one crashed and one normally')
    expect(await getUser('alice'), 'a session that crashed ends too').toEqual({
      username: 'alice',
      online: false,
    })
    expect(await getUser('bob'), "a session that ended with 'normal' ends too").toEqual({
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
      'alice closed her laptop, but she is still on her phone: forget only the session that ended',
    ).toEqual({ username: 'alice', online: true })
    exit(phone, 'kill')
    await clock.runUntilIdle()
    expect(await getUser('alice')).toEqual({ username: 'alice', online: false })
  })
})

describe('task 3: who is online', () => {
  it('lists nobody before anybody connects', async () => {
    await registerUser('alice')
    expect(await listOnline(), 'registered is not online: list only users with a session').toEqual(
      [],
    )
  })

  it('lists the users online, each once, in alphabetical order', async () => {
    for (const name of ['dave', 'carol', 'bob', 'alice']) await registerUser(name)
    await connect('carol', idleSession())
    await connect('alice', idleSession())
    await connect('carol', idleSession())
    expect(
      await listOnline(),
      'alice and carol are online (carol twice, but she is one user): sort the names',
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
    expect(await listOnline(), "alice's session ended: only bob is online").toEqual(['bob'])
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
    `the UserManager died when ${when}: monitor the sessions (do not link), and handle their DOWN messages in handleInfo`,
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
    expect.fail(`${request} was never answered: does handleCall return ['reply', answer, state]?`)
  if ('error' in result) throw result.error
  return result.value
}
