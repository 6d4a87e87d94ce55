/**
 * Killing the whole server: `npm run chat` as a child process on a temporary data directory,
 * clients sending messages, then `kill -9` in the middle of it. Started again on the same
 * directory, the server must have every message it acknowledged (and must take over the dead
 * server's lock by itself). Then a SIGTERM stops it cleanly and releases the lock.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Socket as PhxSocket } from 'phoenix'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { answer, freePort, request, waitFor } from './app-helpers.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const children: ChildProcess[] = []
const sockets: PhxSocket[] = []
let dataDir: string | undefined

afterEach(() => {
  for (const socket of sockets.splice(0)) socket.disconnect()
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL')
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true })
})

interface Server {
  child: ChildProcess
  url: string
  exited: Promise<number | null>
}

/** Starts `chat/server/main.ts` (what `npm run chat` runs) and waits until it listens. */
async function startServer(dir: string): Promise<Server> {
  const port = await freePort()
  const child = spawn(process.execPath, ['--import', 'tsx', 'chat/server/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      CHAT_DATA_DIR: dir,
      CHAT_OPS: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let output = ''
  child.stdout!.on('data', (chunk) => (output += chunk))
  child.stderr!.on('data', (chunk) => (output += chunk))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const url = await Promise.race([
    waitFor(() => /listening on (\S+)/.exec(output)?.[1], 'the server to listen', 30_000),
    exited.then((code) => {
      throw new Error(`the server exited (${code}) before listening:\n${output}`)
    }),
  ])
  return { child, url, exited }
}

function connect(url: string, token: string): PhxSocket {
  const socket = new PhxSocket(`${url.replace('http', 'ws')}/socket`, {
    transport: WebSocket,
    params: { token },
    timeout: 2000, // a push to the killed server gives up soon
    reconnectAfterMs: () => 1000,
  })
  sockets.push(socket)
  socket.connect()
  return socket
}

describe('killing the whole server with SIGKILL', () => {
  it('loses no acknowledged message: a restart on the same directory has them all', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'chat-kill-'))
    const first = await startServer(dataDir)
    const password = 'long enough'
    const users = Array.from({ length: 6 }, (_, i) => `killer_${i}`)
    const acked: Array<{ id: number; body: string }> = []
    let killed = false
    const talkers = users.map(async (username) => {
      const { status, body } = await request(first.url, 'POST', '/api/users', {
        username,
        password,
      })
      expect(status).toBe(201)
      const channel = connect(first.url, body.token).channel('room:load')
      expect((await answer(channel.join()))[0]).toBe('ok')
      // Ten messages each: the rate limiter's burst. One at a time, until the server dies.
      for (let i = 0; i < 10 && !killed; i++) {
        const text = `${username} says ${i}`
        const [reply, response] = await answer(channel.push('new_msg', { body: text }))
        // An answer that arrives after the kill signal was still sent by the server: it counts.
        if (reply === 'ok') acked.push({ id: response.id, body: text })
        // Kill in the middle of the load: some messages are still on their way.
        if (acked.length >= 25 && !killed) {
          killed = true
          first.child.kill('SIGKILL')
        }
      }
    })
    await Promise.all(talkers)
    expect(await first.exited).toBe(null) // killed by a signal, no exit code
    expect(acked.length).toBeGreaterThanOrEqual(25)
    for (const socket of sockets.splice(0)) socket.disconnect()

    // Start again on the same directory: the dead server's lock is stale and taken over.
    const second = await startServer(dataDir)
    const login = await request(second.url, 'POST', '/api/sessions', {
      username: users[0],
      password,
    })
    expect(login.status).toBe(200)
    const channel = connect(second.url, login.body.token).channel('room:load')
    const [status, joined] = await answer(channel.join())
    expect(status).toBe('ok')
    // Everything in the room: the join's last 50, then older pages.
    const all: Array<{ id: number; body: string }> = [...joined.messages]
    for (let page = joined.messages; page.length > 0; ) {
      page = (await answer(channel.push('history', { before_id: all[0]!.id })))[1].messages
      all.unshift(...page)
    }
    const stored = new Map(all.map((m) => [m.id, m.body]))
    expect(stored.size).toBe(all.length) // nothing twice
    for (const message of acked) expect(stored.get(message.id), message.body).toBe(message.body)

    // A clean stop releases the lock.
    second.child.kill('SIGTERM')
    expect(await second.exited).toBe(0)
    expect(existsSync(join(dataDir, 'chat.lock'))).toBe(false)
  }, 90_000)
})
