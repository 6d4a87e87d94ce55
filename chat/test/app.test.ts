/**
 * The chat application as a whole: its HTTP API, its static files, its supervision tree as
 * the observer sees it, and the operations endpoints.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { SupervisorSnapshot } from '../../runtime/observer.ts'
import { Names } from '../server/names.ts'
import { answer, eventually, useChatApp } from './app-helpers.ts'
import { unique } from './helpers.ts'

// chat-web-XXXX/web is served; chat-web-XXXX/secret.txt, right next to it, must never be.
const outside = mkdtempSync(join(tmpdir(), 'chat-web-'))
const webDir = join(outside, 'web')
mkdirSync(webDir)
writeFileSync(join(outside, 'secret.txt'), 'secret')
afterAll(() => rmSync(outside, { recursive: true, force: true }))

const app = useChatApp({ webDir })
const password = 'long enough'

describe('POST /api/users', () => {
  it('registers a user: 201 with a token that names them', async () => {
    const username = unique('ann')
    const { status, body } = await app.request('POST', '/api/users', { username, password })
    expect(status).toBe(201)
    expect(body).toEqual({ token: expect.any(String), username })
    // The socket accepts the token: it joins.
    const [joined] = await answer(app.connect(body.token).channel('room:lobby').join())
    expect(joined).toBe('ok')
  })

  it('answers 409 for a name that is taken, in any case', async () => {
    const username = unique('bob')
    await app.request('POST', '/api/users', { username, password })
    const again = await app.request('POST', '/api/users', {
      username: username.toUpperCase(),
      password,
    })
    expect(again).toMatchObject({ status: 409, body: { error: 'this username is taken' } })
  })

  it('answers 422 with what was wrong', async () => {
    const cases: Array<[unknown, string]> = [
      [{ username: 'ab', password }, 'username must be 3 to 20 letters, digits or underscores'],
      [{ username: unique('cy'), password: 'short' }, 'password must be at least 8 characters'],
      [{}, 'username must be a string; password must be a string'],
    ]
    for (const [body, error] of cases) {
      expect(await app.request('POST', '/api/users', body)).toMatchObject({
        status: 422,
        body: { error },
      })
    }
  })
})

describe('POST /api/sessions', () => {
  it('logs in: 200 with a token; 401 for a wrong password or an unknown user', async () => {
    const username = unique('dan')
    await app.request('POST', '/api/users', { username, password })
    const ok = await app.request('POST', '/api/sessions', { username, password })
    expect(ok.status).toBe(200)
    expect(ok.body.username).toBe(username)
    const wrong = await app.request('POST', '/api/sessions', { username, password: 'not the one' })
    expect(wrong).toMatchObject({ status: 401, body: { error: 'wrong username or password' } })
    const nobody = await app.request('POST', '/api/sessions', {
      username: unique('nobody'),
      password,
    })
    expect(nobody.status).toBe(401)
  })
})

describe('the HTTP edge', () => {
  it('answers 400 for a body that is not JSON, or not a JSON object', async () => {
    expect(await app.request('POST', '/api/users', '{"username": ')).toMatchObject({
      status: 400,
      body: { error: 'the body is not valid JSON' },
    })
    expect(await app.request('POST', '/api/sessions', '[1, 2]')).toMatchObject({
      status: 400,
      body: { error: 'the body must be a JSON object' },
    })
  })

  it('answers 413 for a body over 16 KB, 415 for one that is not JSON', async () => {
    const big = { username: unique('eve'), password, padding: 'x'.repeat(17_000) }
    expect(await app.request('POST', '/api/users', big)).toMatchObject({
      status: 413,
      body: { error: 'the body must be at most 16384 bytes' },
    })
    const form = await app.request('POST', '/api/users', 'username=eve', {
      'content-type': 'application/x-www-form-urlencoded',
    })
    expect(form.status).toBe(415)
    // The server is fine afterwards.
    expect(
      (await app.request('POST', '/api/users', { username: unique('eve'), password })).status,
    ).toBe(201)
  })

  it('answers 405 for another method and 404 for an unknown route', async () => {
    const get = await app.request('GET', '/api/users')
    expect(get.status).toBe(405)
    expect(get.headers.get('allow')).toBe('POST')
    expect((await app.request('POST', '/api/nothing', {})).status).toBe(404)
    expect((await app.request('GET', '/nothing.html')).status).toBe(404)
    expect((await app.request('GET', '/socket/websocket')).status).toBe(400)
  })

  it('serves a placeholder page until the web client exists, then the client', async () => {
    const placeholder = await app.request('GET', '/')
    expect(placeholder.status).toBe(200)
    expect(placeholder.body).toContain('The browser UI is coming soon')
    writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>chat</title>')
    writeFileSync(join(webDir, 'app.js'), 'console.log(1)')
    const index = await app.request('GET', '/')
    expect(index.body).toBe('<!doctype html><title>chat</title>')
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const script = await app.request('GET', '/app.js')
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(script.headers.get('x-content-type-options')).toBe('nosniff')
  })

  it('never serves a file outside the web directory', async () => {
    for (const path of [
      '/..%2fsecret.txt',
      '/%2e%2e%2fsecret.txt',
      '/..%5csecret.txt',
      '/%00',
      '/%E0%A4%A',
    ]) {
      expect((await app.request('GET', path)).status, path).toBe(404)
    }
  })
})

describe('the supervision tree', () => {
  it('is ChatApp.Supervisor with its children in start order, as the observer draws it', async () => {
    const { body } = await app.request('GET', '/ops/snapshot')
    const root = (body.trees as SupervisorSnapshot[]).find((t) => t.name === Names.supervisor)!
    expect(root.strategy).toBe('one_for_one')
    expect(root.children.map((child) => child.id)).toEqual([
      'Repo',
      'MessageWriter',
      'RoomRegistry',
      'RoomSupervisor',
      'UserManager',
      'RateLimiter',
      'PubSub',
      'Presence',
      'Endpoint',
    ])
    const names = Object.fromEntries(
      body.processes.map((p: { pid: string; name: string }) => [p.pid, p.name]),
    )
    expect(root.children.map((child) => names[child.pid!])).toEqual([
      Names.repo,
      Names.writer,
      Names.roomRegistry,
      Names.roomSupervisor,
      Names.userManager,
      Names.rateLimiter,
      Names.pubsub,
      Names.presence,
      Names.endpoint,
    ])
  })

  it('shows rooms as transient children of the RoomSupervisor, started on first join', async () => {
    const room = unique('tree')
    const { token } = await app.user()
    await answer(app.connect(token).channel(`room:${room}`).join())
    const rooms = async () => {
      const { body } = await app.request('GET', '/ops/snapshot')
      const root = (body.trees as SupervisorSnapshot[]).find((t) => t.name === Names.supervisor)!
      return root.children.find((child) => child.id === 'RoomSupervisor')!.supervisor!
    }
    const supervisor = await rooms()
    expect(supervisor.behaviour).toBe('DynamicSupervisor')
    const room_ = supervisor.children.at(-1)!
    expect(room_).toMatchObject({ type: 'worker', restart: 'transient' })
    expect((await app.request('POST', `/ops/rooms/${room}/crash`)).status).toBe(200)
    const restarted = await eventually(async () => {
      const now = await rooms()
      return now.restarts > supervisor.restarts ? now : undefined
    }, 'the restart to show')
    expect(restarted.children.some((c) => c.pid === room_.pid)).toBe(false)
    expect(restarted.children).toHaveLength(supervisor.children.length)
  })
})
