/**
 * Two chat servers on one PostgreSQL database (`DATABASE_URL_TEST`; skipped without it):
 * `chat/server/main.ts` twice, as child processes on two ports, each with its own data
 * directory and the same `CHAT_SECRET`. A `phoenix` client on each server joins the same room:
 * messages cross both ways through LISTEN/NOTIFY (`pg-bridge.ts`), presence lists everyone on
 * both sides, a leave or a killed server is seen on the other side.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Channel, Socket as PhxSocket, Presence } from 'phoenix'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { answer, freePort, request, waitFor } from './app-helpers.ts'
import { unique } from './helpers.ts'

const url = process.env.DATABASE_URL_TEST
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const SECRET = 'two-servers-test-secret-0123456789abcdef'
const HEARTBEAT_MS = 200

interface Server {
  child: ChildProcess
  url: string
  dataDir: string
  exited: Promise<number | null>
}

interface Client {
  username: string
  socket: PhxSocket
  channel: Channel
  presence: Presence
  heard: Array<{ id: number; user: string; body: string }>
  joined: { messages: Array<{ id: number; body: string }> }
  say(body: string): Promise<number>
}

const servers: Server[] = []
const sockets: PhxSocket[] = []

/** `npm run chat` on PostgreSQL, in a child process; resolves once it listens. */
async function startServer(databaseUrl: string): Promise<Server> {
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-two-'))
  const port = await freePort()
  const child = spawn(process.execPath, ['--import', 'tsx', 'chat/server/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      CHAT_DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      CHAT_SECRET: SECRET,
      CHAT_OPS: '0',
      CHAT_BRIDGE_HEARTBEAT_MS: String(HEARTBEAT_MS),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (chunk) => (output += chunk))
  child.stderr!.on('data', (chunk) => (output += chunk))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const server = { child, url: '', dataDir, exited }
  servers.push(server)
  server.url = await Promise.race([
    waitFor(() => /listening on (\S+)/.exec(output)?.[1], 'the server to listen', 30_000),
    exited.then((code) => {
      throw new Error(`the server exited (${code}) before listening:\n${output}`)
    }),
  ])
  return server
}

/** A fresh user (registered on `server`: users live in the shared database), joined to `room`. */
async function client(server: Server, room: string, prefix: string): Promise<Client> {
  const username = unique(prefix)
  const { status, body } = await request(server.url, 'POST', '/api/users', {
    username,
    password: 'long enough',
  })
  expect(status).toBe(201)
  const socket = new PhxSocket(`${server.url.replace('http', 'ws')}/socket`, {
    transport: WebSocket,
    params: { token: body.token },
    timeout: 10_000,
  })
  sockets.push(socket)
  socket.connect()
  const channel = socket.channel(`room:${room}`)
  const c: Client = {
    username,
    socket,
    channel,
    presence: new Presence(channel),
    heard: [],
    joined: { messages: [] },
    async say(text) {
      const [reply, response] = await answer(channel.push('new_msg', { body: text }))
      expect(reply, JSON.stringify(response)).toBe('ok')
      return response.id
    },
  }
  channel.on('new_msg', (message) => {
    c.heard.push(message)
  })
  const [joined, reply] = await answer(channel.join())
  expect(joined).toBe('ok')
  c.joined = reply
  return c
}

function present(c: Client): string[] {
  return c.presence
    .list((name) => name)
    .map(String)
    .sort()
}

describe.skipIf(url === undefined || url === '')('two chat servers on one PostgreSQL', () => {
  let a: Server
  let b: Server

  beforeAll(async () => {
    ;[a, b] = await Promise.all([startServer(url!), startServer(url!)])
  }, 60_000)

  afterAll(async () => {
    for (const socket of sockets.splice(0)) socket.disconnect()
    for (const server of servers) {
      if (server.child.exitCode === null && server.child.signalCode === null) {
        server.child.kill('SIGTERM')
        await server.exited
      }
      rmSync(server.dataDir, { recursive: true, force: true })
    }
  }, 30_000)

  it('carries messages both ways, once each and in id order, and shares presence', async () => {
    const room = unique('two')
    const ann = await client(a, room, 'ann')
    const bob = await client(b, room, 'bob')
    const both = [ann.username, bob.username].sort()
    await waitFor(() => present(ann).join() === both.join(), 'ann to see bob (and herself)')
    await waitFor(() => present(bob).join() === both.join(), 'bob to see ann (and himself)')

    const fromAnn = await ann.say('hello from server A')
    await waitFor(() => bob.heard.some((m) => m.id === fromAnn), 'bob (server B) to hear ann')
    const fromBob = await bob.say('hello from server B')
    await waitFor(() => ann.heard.some((m) => m.id === fromBob), 'ann (server A) to hear bob')

    // Both at once: every message reaches both clients exactly once.
    const ids = await Promise.all([
      ...Array.from({ length: 8 }, (_, i) => ann.say(`ann ${i}`)),
      ...Array.from({ length: 8 }, (_, i) => bob.say(`bob ${i}`)),
    ])
    const all = [fromAnn, fromBob, ...ids].sort((x, y) => x - y)
    for (const c of [ann, bob]) {
      await waitFor(() => c.heard.length >= all.length, `${c.username} to hear all 18`)
      expect(c.heard.map((m) => m.id).sort((x, y) => x - y)).toEqual(all)
      // Each sender's messages arrive in id order (one server's messages cross in order).
      for (const user of [ann.username, bob.username]) {
        const theirs = c.heard.filter((m) => m.user === user).map((m) => m.id)
        expect(theirs).toEqual([...theirs].sort((x, y) => x - y))
      }
    }

    // A client joining on B gets A's messages in its history too (B's room cached them).
    const carol = await client(b, room, 'carol')
    expect(carol.joined.messages.map((m) => m.id)).toEqual(all)

    // A leave on B is seen on A.
    await answer(bob.channel.leave())
    const leftBob = [ann.username, carol.username].sort().join()
    await waitFor(() => present(ann).join() === leftBob, 'ann to see bob leave')
  }, 30_000)

  it('sends a message too big for NOTIFY by id; the other server loads it', async () => {
    const room = unique('big')
    const ann = await client(a, room, 'ann')
    const bob = await client(b, room, 'bob')
    const body = '\u0001'.repeat(2000) // 12,000 bytes of JSON: over the 8,000-byte limit
    const id = await ann.say(body)
    await waitFor(() => bob.heard.some((m) => m.id === id), 'bob to hear the big message')
    expect(bob.heard.find((m) => m.id === id)).toMatchObject({ user: ann.username, body })
  }, 30_000)

  it("forgets a killed server's presences after three missed heartbeats", async () => {
    const room = unique('ghost')
    const ann = await client(a, room, 'ann')
    const bob = await client(b, room, 'bob')
    const both = [ann.username, bob.username].sort().join()
    await waitFor(() => present(ann).join() === both, 'ann to see bob')
    b.child.kill('SIGKILL')
    await b.exited
    await waitFor(() => present(ann).join() === ann.username, 'bob to leave ann’s list', 5000)
  }, 30_000)
})
