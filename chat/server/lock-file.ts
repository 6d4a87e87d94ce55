/**
 * A lock file that keeps a second chat server off a PGlite data directory.
 *
 * PGlite is PostgreSQL running inside one Node process, without the postmaster that normally
 * refuses a second server on the same data directory. Two processes writing the same files
 * would corrupt them, so we lock it ourselves: `<dataDir>/chat.lock` holds the owner's pid and
 * host name. It is created atomically (`wx`: fails if it exists). A lock whose pid no longer
 * runs on this host is stale (the owner was killed with SIGKILL, or the machine rebooted) and
 * is taken over. `process.kill(pid, 0)` sends no signal; it only asks whether the pid exists.
 *
 * What it teaches: a crashed owner must never keep a resource forever. Like a link that
 * fires when its process dies, a stale lock is recognised and cleaned up.
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'

/** A held lock; `release()` removes the file if it is still ours. */
export interface LockFile {
  readonly path: string
  release(): void
}

interface Owner {
  pid: number
  hostname: string
}

/**
 * Takes the lock of `dir` (which must exist), or throws an error that says who holds it.
 * @example
 * const lock = acquireLock('.data/chat')
 * try { ... } finally { lock.release() }
 */
export function acquireLock(dir: string): LockFile {
  const path = join(dir, 'chat.lock')
  const me: Owner = { pid: process.pid, hostname: hostname() }
  const content = `${JSON.stringify(me)}\n`
  // Two tries: the second after removing a stale lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, content, { flag: 'wx' })
      return {
        path,
        release() {
          // Only remove the lock if it is still ours (it may have been taken over as stale).
          if (readOwner(path)?.pid === me.pid) unlinkSync(path)
        },
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const owner = readOwner(path)
    if (owner !== undefined && !isStale(owner, me.hostname)) {
      const who =
        owner.pid === me.pid ? 'this same process' : `pid ${owner.pid} on ${owner.hostname}`
      throw new Error(
        `Another chat server (${who}) is using the data directory ${dir}. Stop it first, or ` +
          'set CHAT_DATA_DIR to another directory. (If you are sure no server is running, ' +
          `delete ${path}.)`,
      )
    }
    try {
      unlinkSync(path)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
  }
  throw new Error(`Could not take the lock ${path}: another server keeps taking it`)
}

/** The owner written in the lock file; undefined if it is unreadable (treated as stale). */
function readOwner(path: string): Owner | undefined {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as Owner
    return Number.isInteger(owner?.pid) && typeof owner.hostname === 'string' ? owner : undefined
  } catch {
    return undefined
  }
}

/** A lock is stale when its pid no longer runs on this host. Another host's lock never is. */
function isStale(owner: Owner, myHost: string): boolean {
  if (owner.hostname !== myHost) return false
  try {
    process.kill(owner.pid, 0)
    return false
  } catch (error) {
    // EPERM: the pid exists but belongs to another user, so it is alive.
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
}
