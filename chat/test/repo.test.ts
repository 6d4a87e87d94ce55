/** The Repo on an in-memory PGlite. The same contract runs on PostgreSQL in repo.pg.test.ts. */
import { describe } from 'vitest'
import { useMemoryRepo } from './helpers.ts'
import { repoContract } from './repo-contract.ts'

describe('Repo on PGlite (memory)', () => {
  repoContract(useMemoryRepo())
})
