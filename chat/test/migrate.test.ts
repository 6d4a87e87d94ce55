import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Db, openPglite } from '../server/db.ts'
import { migrate } from '../server/migrate.ts'

describe('migrate', () => {
  let db: Db
  const dir = mkdtempSync(join(tmpdir(), 'chat-migrations-'))
  beforeAll(async () => {
    db = await openPglite('memory')
  }, 60_000)
  afterAll(async () => {
    await db?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const tables = async () =>
    (
      await db.query<{ name: string }>(
        "select table_name as name from information_schema.tables where table_schema = 'public' order by 1",
      )
    ).map((row) => row.name)

  it('applies files in name order, each once, and records them', async () => {
    writeFileSync(join(dir, '002_b.sql'), 'create table b (a_id int references a (id));')
    writeFileSync(join(dir, '001_a.sql'), 'create table a (id int primary key);')
    writeFileSync(join(dir, 'README.md'), 'not a migration')
    expect(await migrate(db, dir)).toEqual(['001_a.sql', '002_b.sql'])
    expect(await migrate(db, dir)).toEqual([])
    expect(await tables()).toEqual(['a', 'b', 'schema_migrations'])
  })

  it('rolls a failing file back entirely, names it, and retries it at the next run', async () => {
    writeFileSync(
      join(dir, '003_bad.sql'),
      'create table c (id int); select no_such_column from a;',
    )
    await expect(migrate(db, dir)).rejects.toThrow(/Migration 003_bad\.sql failed.*no_such_column/)
    // Its first statement was undone with the rest.
    expect(await tables()).toEqual(['a', 'b', 'schema_migrations'])
    writeFileSync(join(dir, '003_bad.sql'), 'create table c (id int);')
    expect(await migrate(db, dir)).toEqual(['003_bad.sql'])
    const versions = await db.query<{ version: string }>(
      'select version from schema_migrations order by version',
    )
    expect(versions.map((row) => row.version)).toEqual(['001_a.sql', '002_b.sql', '003_bad.sql'])
  })

  it('ships 001_init.sql with users and messages', async () => {
    expect(await migrate(db)).toContain('001_init.sql')
    const columns = await db.query<{ column_name: string }>(
      "select column_name from information_schema.columns where table_name = 'messages' order by ordinal_position",
    )
    expect(columns.map((c) => c.column_name)).toEqual([
      'id',
      'room',
      'username',
      'body',
      'inserted_at',
    ])
  })
})
