import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { acquireLock } from '../server/lock-file.ts'
import { openRepo } from '../server/repo.ts'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'chat-lock-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const lockPath = () => join(dir, 'chat.lock')
const writeLock = (owner: object) => writeFileSync(lockPath(), JSON.stringify(owner))
/** The pid of a process that has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid

describe('acquireLock', () => {
  it('writes our pid and host, refuses a second taker, and frees the lock on release', () => {
    const lock = acquireLock(dir)
    expect(JSON.parse(readFileSync(lockPath(), 'utf8'))).toEqual({
      pid: process.pid,
      hostname: hostname(),
    })
    expect(() => acquireLock(dir)).toThrow(/Another chat server \(this same process\)/)
    lock.release()
    expect(existsSync(lockPath())).toBe(false)
    acquireLock(dir).release()
  })

  it('takes over a stale lock whose pid no longer runs', () => {
    writeLock({ pid: deadPid(), hostname: hostname() })
    const lock = acquireLock(dir)
    expect(JSON.parse(readFileSync(lockPath(), 'utf8')).pid).toBe(process.pid)
    lock.release()
  })

  it('takes over a lock file it cannot read', () => {
    writeFileSync(lockPath(), 'garbage')
    acquireLock(dir).release()
  })

  it("refuses a live pid's lock and another host's lock, naming the owner", () => {
    writeLock({ pid: process.ppid, hostname: hostname() })
    expect(() => acquireLock(dir)).toThrow(`pid ${process.ppid} on ${hostname()}`)
    // A pid on another machine cannot be checked, so its lock is never stale.
    writeLock({ pid: deadPid(), hostname: 'elsewhere' })
    expect(() => acquireLock(dir)).toThrow(/on elsewhere.*CHAT_DATA_DIR/)
  })

  it('release leaves a lock alone that is no longer ours', () => {
    const lock = acquireLock(dir)
    writeLock({ pid: process.ppid, hostname: hostname() })
    lock.release()
    expect(existsSync(lockPath())).toBe(true)
  })
})

describe('openRepo on a data directory', () => {
  it('refuses a second repo on the same directory, keeps data across a restart', async () => {
    const first = await openRepo({ dataDir: dir })
    await first.migrate()
    await expect(openRepo({ dataDir: dir })).rejects.toThrow(
      `Another chat server (this same process) is using the data directory ${dir}`,
    )
    const [stored] = await first.insertMessages([{ room: 'lobby', user: 'ann', body: 'kept' }])
    await first.close()
    expect(existsSync(lockPath())).toBe(false)

    const second = await openRepo({ dataDir: dir })
    try {
      expect(await second.migrate()).toEqual([])
      expect(await second.recentMessages('lobby')).toEqual([stored])
    } finally {
      await second.close()
    }
  }, 60_000)
})
