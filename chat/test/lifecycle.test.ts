/**
 * Starting and stopping the whole application: the stop order, the data directory's lock,
 * what survives a restart, and the `ops` switch. Each test runs its own application on its
 * own node and data directory.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createNode,
  exit,
  GenServer,
  type Node,
  Process,
  setDefaultNode,
  Telemetry,
} from 'letitcrash'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as ChatApp from '../server/application.ts'
import { Names } from '../server/names.ts'
import * as Room from '../server/room.ts'
import * as RoomSupervisor from '../server/room-supervisor.ts'
import { eventually, freePort, HASH_PARAMS, request } from './app-helpers.ts'

let node: Node
let dataDir: string

beforeEach(() => {
  node = createNode()
  setDefaultNode(node)
  dataDir = mkdtempSync(join(tmpdir(), 'chat-life-'))
})

afterEach(async () => {
  Telemetry.detach('stop-order')
  setDefaultNode(node)
  await ChatApp.stop() // if a test failed half-way
  node.shutdown()
  rmSync(dataDir, { recursive: true, force: true })
})

const start = async (config: Partial<ChatApp.ChatEnv> = {}) => {
  const started = await ChatApp.start({ port: 0, dataDir, hashParams: HASH_PARAMS, ...config })
  expect(started[0]).toBe('ok')
  return ChatApp.url()
}

describe('ChatApp.stop', () => {
  it('stops the children in reverse start order; the Repo closes and releases the lock', async () => {
    const url = await start()
    const lock = join(dataDir, 'chat.lock')
    expect(existsSync(lock)).toBe(true)
    const exits: string[] = []
    const ours = new Set<string>(Object.values(Names))
    Telemetry.attach('stop-order', Telemetry.events.exit, (_event, _measurements, { name }) => {
      if (typeof name === 'string' && ours.has(name)) exits.push(name)
    })
    await ChatApp.stop()
    expect(exits).toEqual([
      Names.endpoint,
      Names.presence,
      Names.pubsub,
      Names.rateLimiter,
      Names.userManager,
      Names.roomSupervisor,
      Names.roomRegistry,
      Names.writer,
      Names.repo,
      Names.supervisor,
    ])
    expect(existsSync(lock)).toBe(false)
    expect(node.list().filter((pid) => Process.isAlive(pid))).toEqual([])
    await expect(fetch(url)).rejects.toThrow() // nobody listens any more
  }, 30_000)

  it('refuses a second server on the same data directory, with a clear message', async () => {
    await start()
    const other = createNode()
    setDefaultNode(other)
    try {
      const second = await ChatApp.start({ port: 0, dataDir, hashParams: HASH_PARAMS })
      expect(second).toMatchObject([
        'error',
        {
          shutdown: {
            failedToStartChild: 'Repo',
            reason: expect.objectContaining({
              message: expect.stringContaining(
                'Another chat server (this same process) is using the data directory',
              ),
            }),
          },
        },
      ])
    } finally {
      other.shutdown()
      setDefaultNode(node)
    }
  }, 30_000)
})

describe('a killed Endpoint', () => {
  it('is restarted on the same port: the killed one’s server was closed with it', async () => {
    const port = await freePort()
    const url = await start({ port })
    const before = GenServer.whereis(Names.endpoint)!
    exit(before, 'kill')
    const after = await eventually(async () => {
      const pid = GenServer.whereis(Names.endpoint)
      return pid !== undefined && pid !== before ? pid : undefined
    }, 'the endpoint to be restarted')
    expect(after).not.toBe(before)
    expect(await ChatApp.url()).toBe(url)
    expect(
      (
        await request(url, 'POST', '/api/users', {
          username: 'after_kill',
          password: 'long enough',
        })
      ).status,
    ).toBe(201)
  }, 30_000)
})

describe('a restart on the same data directory', () => {
  it('has every message stored before, and keeps /ops off when ops is off', async () => {
    await start()
    await RoomSupervisor.ensureRoom('lobby')
    const sent = ['one', 'two', 'three']
    for (const body of sent) expect((await Room.post('lobby', { user: 'ann', body }))[0]).toBe('ok')
    await ChatApp.stop()

    const url = await start({ ops: false })
    await RoomSupervisor.ensureRoom('lobby')
    expect((await Room.history('lobby')).map((m) => m.body)).toEqual(sent)
    expect((await request(url, 'GET', '/ops/snapshot')).status).toBe(404)
    expect((await request(url, 'POST', '/ops/rooms/lobby/crash')).status).toBe(404)
  }, 30_000)
})
