import { describe, expect, it, vi } from 'vitest'
import { ok, useVirtualNode } from '../../runtime/test/helpers.ts'
import { hashPassword, verifyPassword } from '../server/passwords.ts'
import type { Repo } from '../server/repo.ts'
import { verifyUserToken } from '../server/tokens.ts'
import * as UserManager from '../server/users.ts'
import { unique, useMemoryRepo } from './helpers.ts'

// Spy on verifyPassword, keeping its real behaviour.
vi.mock('../server/passwords.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../server/passwords.ts')>()
  return { ...actual, verifyPassword: vi.fn(actual.verifyPassword) }
})

const db = useMemoryRepo()
useVirtualNode()

const secret = 's'.repeat(32)
const hashParams = { N: 1024, r: 8, p: 1 } // cheap, for speed
const start = (repo: UserManager.UserManagerOptions['repo'] = db.repo) =>
  UserManager.startLink({ repo, secret, hashParams }).then(ok)

describe('UserManager.register', () => {
  it('stores the user and returns a token that names them', async () => {
    const users = await start()
    const name = unique('ann')
    const [tag, credentials] = await UserManager.register(users, name, 'long enough')
    expect(tag).toBe('ok')
    const { token, username } = credentials as UserManager.Credentials
    expect(username).toBe(name)
    expect(verifyUserToken(secret, token)).toEqual(['ok', name])
    const stored = await db.repo.findUser(name)
    expect(stored?.passwordHash).toMatch(/^scrypt\$1024\$/)
    expect(stored?.passwordHash).not.toContain('long enough')
  })

  it("answers ['error', 'taken'] for a registered name, in any case", async () => {
    const users = await start()
    const name = unique('bob')
    await UserManager.register(users, name, 'password1')
    expect(await UserManager.register(users, name.toUpperCase(), 'password2')).toEqual([
      'error',
      'taken',
    ])
  })

  it('says what is wrong with invalid input', async () => {
    const users = await start()
    const invalid = async (username: unknown, password: unknown) => {
      const [tag, reason] = await UserManager.register(users, username, password)
      expect(tag).toBe('error')
      return (reason as { invalid: string }).invalid
    }
    expect(await invalid('ab', 'long enough')).toBe(
      'username must be 3 to 20 letters, digits or underscores',
    )
    expect(await invalid('no spaces!', 'long enough')).toMatch(/^username must be/)
    expect(await invalid('a'.repeat(21), 'long enough')).toMatch(/^username must be/)
    expect(await invalid(unique('cy'), 'short')).toBe('password must be at least 8 characters')
    expect(await invalid(unique('cy'), 'x'.repeat(201))).toBe(
      'password must be at most 200 characters',
    )
    expect(await invalid('ab', 'short')).toBe(
      'username must be 3 to 20 letters, digits or underscores; password must be at least 8 characters',
    )
    expect(await invalid(undefined, 12345678)).toBe(
      'username must be a string; password must be a string',
    )
  })
})

describe('UserManager.login', () => {
  it('logs in with the right password, any case of the name, as the registered name', async () => {
    const users = await start()
    const name = unique('Dee')
    await UserManager.register(users, name, 'open sesame')
    const [tag, credentials] = await UserManager.login(users, name.toLowerCase(), 'open sesame')
    expect(tag).toBe('ok')
    expect((credentials as UserManager.Credentials).username).toBe(name)
    expect(verifyUserToken(secret, (credentials as UserManager.Credentials).token)).toEqual([
      'ok',
      name,
    ])
  })

  it("answers ['error', 'unauthorized'] for a wrong password, an unknown name or bad input", async () => {
    const users = await start()
    const name = unique('eve')
    await UserManager.register(users, name, 'open sesame')
    const unauthorized = ['error', 'unauthorized']
    expect(await UserManager.login(users, name, 'open sesamE')).toEqual(unauthorized)
    expect(await UserManager.login(users, unique('ghost'), 'open sesame')).toEqual(unauthorized)
    expect(await UserManager.login(users, name, 42)).toEqual(unauthorized)
    expect(await UserManager.login(users, { name }, 'open sesame')).toEqual(unauthorized)
  })

  it('checks a dummy hash for an unknown name, so it costs as much as a wrong password', async () => {
    const users = await start()
    const verify = vi.mocked(verifyPassword)
    verify.mockClear()
    expect(await UserManager.login(users, unique('ghost'), 'whatever1')).toEqual([
      'error',
      'unauthorized',
    ])
    expect(verify).toHaveBeenCalledTimes(1)
    expect(verify.mock.calls[0][0]).toBe('whatever1')
    expect(verify.mock.calls[0][1]).toMatch(/^scrypt\$1024\$8\$1\$/)
  })
})

describe('UserManager while work is in progress', () => {
  it('keeps answering while a registration waits for the database', async () => {
    let unblock!: () => void
    const blocked = new Promise<void>((resolve) => {
      unblock = resolve
    })
    const repo: Pick<Repo, 'createUser' | 'findUser'> = {
      createUser: async (username, hash) => {
        await blocked
        return db.repo.createUser(username, hash)
      },
      findUser: db.repo.findUser,
    }
    const name = unique('fay')
    await db.repo.createUser(name, await hashPassword('password1', hashParams))
    const users = await start(repo)
    const slow = UserManager.register(users, unique('gus'), 'password1')
    // The login is answered although the registration before it has not finished.
    expect((await UserManager.login(users, name, 'password1'))[0]).toBe('ok')
    unblock()
    expect((await slow)[0]).toBe('ok')
  })

  it('rejects the caller with the database error, and keeps serving others', async () => {
    const repo: Pick<Repo, 'createUser' | 'findUser'> = {
      createUser: () => Promise.reject(new Error('connection refused')),
      findUser: db.repo.findUser,
    }
    const users = await start(repo)
    await expect(UserManager.register(users, unique('hal'), 'password1')).rejects.toThrow(
      'connection refused',
    )
    expect(await UserManager.login(users, unique('ivy'), 'password1')).toEqual([
      'error',
      'unauthorized',
    ])
  })
})
