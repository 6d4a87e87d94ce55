/** Test helpers for the chat app: one in-memory database per test file, unique names. */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll } from 'vitest'
import { openRepo, type Repo } from '../server/repo.ts'

/**
 * Opens one migrated in-memory PGlite for the whole test file (starting PGlite takes seconds)
 * and closes it after. Tests share it, so each uses its own room and user names (`unique`).
 */
export function useMemoryRepo(): { repo: Repo } {
  const current = {} as { repo: Repo }
  beforeAll(async () => {
    current.repo = await openRepo({ dataDir: 'memory' })
    await current.repo.migrate()
  }, 60_000)
  afterAll(() => current.repo?.close())
  return current
}

let counter = 0
// Differs per run, so names stay unique in a database that outlives the run (a real server).
const run = randomBytes(3).toString('hex')

/** A name no other test uses (at most 20 characters): valid as a username and a room name. */
export function unique(prefix = 'n'): string {
  counter += 1
  return `${prefix.slice(0, 8)}_${run}_${counter}`
}
