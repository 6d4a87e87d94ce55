/**
 * The Repo against a real PostgreSQL server, at `DATABASE_URL_TEST`; skipped when it is not
 * set (`.ci/run` starts a server and sets it). Run it by hand with, for example:
 *   DATABASE_URL_TEST=postgres://postgres@127.0.0.1:5432/chat_test npx vitest run chat/test/repo.pg.test.ts
 */
import { readdirSync } from 'node:fs'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MIGRATIONS_DIR } from '../server/migrate.ts'
import { openRepo, type Repo } from '../server/repo.ts'
import { repoContract } from './repo-contract.ts'

const url = process.env.DATABASE_URL_TEST

describe.skipIf(url === undefined || url === '')('Repo on PostgreSQL (DATABASE_URL_TEST)', () => {
  const current = {} as { repo: Repo }
  beforeAll(async () => {
    current.repo = await openRepo({ databaseUrl: url })
    await current.repo.migrate()
  }, 60_000)
  afterAll(() => current.repo?.close())

  it('is a postgres repo', () => {
    expect(current.repo.kind).toBe('postgres')
  })

  it('lets three servers migrate a fresh database at once: each file applied exactly once', async () => {
    // A database of its own, so the migrations really are pending.
    const name = `chat_migrate_${process.pid}_${Date.now()}`
    const admin = new pg.Client({ connectionString: url })
    await admin.connect()
    await admin.query(`create database ${name}`)
    const fresh = new URL(url!)
    fresh.pathname = `/${name}`
    const servers = await Promise.all(
      [1, 2, 3].map(() => openRepo({ databaseUrl: fresh.toString() })),
    )
    try {
      const applied = await Promise.all(servers.map((repo) => repo.migrate()))
      const files = readdirSync(MIGRATIONS_DIR).filter((file) => file.endsWith('.sql'))
      expect(applied.flat().sort()).toEqual(files.sort())
    } finally {
      await Promise.all(servers.map((repo) => repo.close()))
      await admin.query(`drop database ${name}`)
      await admin.end()
    }
  })

  repoContract(current)
})
