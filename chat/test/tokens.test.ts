import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadSecret, sign, signUserToken, verify, verifyUserToken } from '../server/tokens.ts'

const secret = 'a'.repeat(32)
const salt = 'user socket'
const t0 = Date.UTC(2024, 0, 1)
const DAY = 86_400_000

describe('sign / verify', () => {
  it('round-trips any JSON data', () => {
    for (const data of ['alice', 42, { user: 'bob', rooms: ['a'] }, null]) {
      expect(verify(secret, salt, sign(secret, salt, data))).toEqual(['ok', data])
    }
  })

  it("answers 'invalid' for a tampered payload or signature", () => {
    const token = sign(secret, salt, 'alice', { signedAt: t0 })
    const [payload, mac] = token.split('.')
    const forged = Buffer.from(JSON.stringify({ data: 'admin', signed: t0 })).toString('base64url')
    expect(verify(secret, salt, `${forged}.${mac}`, { now: t0 })).toEqual(['error', 'invalid'])
    const badMac = `${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BB' : 'AA'}`
    expect(verify(secret, salt, `${payload}.${badMac}`, { now: t0 })).toEqual(['error', 'invalid'])
  })

  it("answers 'invalid' for another secret or another salt", () => {
    const token = sign(secret, salt, 'alice')
    expect(verify('b'.repeat(32), salt, token)).toEqual(['error', 'invalid'])
    expect(verify(secret, 'password reset', token)).toEqual(['error', 'invalid'])
  })

  it("answers 'invalid' for garbage", () => {
    for (const junk of ['', '.', 'abc', 'a.b.c', '..', 42 as unknown as string]) {
      expect(verify(secret, salt, junk)).toEqual(['error', 'invalid'])
    }
  })

  it("answers 'expired' once maxAge seconds have passed (default one day)", () => {
    const token = sign(secret, salt, 'alice', { signedAt: t0 })
    expect(verify(secret, salt, token, { now: t0 + DAY })).toEqual(['ok', 'alice'])
    expect(verify(secret, salt, token, { now: t0 + DAY + 1 })).toEqual(['error', 'expired'])
    expect(verify(secret, salt, token, { now: t0 + 61_000, maxAge: 60 })).toEqual([
      'error',
      'expired',
    ])
    expect(verify(secret, salt, token, { now: t0 + 365 * DAY, maxAge: 'infinity' })).toEqual([
      'ok',
      'alice',
    ])
  })

  it('checks the signature before the age: a forged old token is invalid, not expired', () => {
    const token = sign('b'.repeat(32), salt, 'alice', { signedAt: t0 })
    expect(verify(secret, salt, token, { now: t0 + 2 * DAY })).toEqual(['error', 'invalid'])
  })
})

describe('user tokens', () => {
  it('carry a username; a token with other data is invalid', () => {
    expect(verifyUserToken(secret, signUserToken(secret, 'alice'))).toEqual(['ok', 'alice'])
    expect(verifyUserToken(secret, sign(secret, salt, { id: 1 }))).toEqual(['error', 'invalid'])
  })
})

describe('loadSecret', () => {
  it('prefers CHAT_SECRET, and refuses one shorter than 32 characters', () => {
    expect(loadSecret({ env: { CHAT_SECRET: secret }, dataDir: '/nonexistent' })).toBe(secret)
    expect(() => loadSecret({ env: { CHAT_SECRET: 'short' } })).toThrow(/at least 32/)
  })

  it('generates a secret once into <dataDir>/secret (mode 0600) and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chat-secret-'))
    try {
      const first = loadSecret({ env: {}, dataDir: join(dir, 'nested') })
      expect(first.length).toBeGreaterThanOrEqual(32)
      const path = join(dir, 'nested', 'secret')
      expect(readFileSync(path, 'utf8').trim()).toBe(first)
      expect(statSync(path).mode & 0o777).toBe(0o600)
      expect(loadSecret({ env: {}, dataDir: join(dir, 'nested') })).toBe(first)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('makes a random secret for memory mode, different each time', () => {
    const a = loadSecret({ env: {}, dataDir: 'memory' })
    expect(a.length).toBeGreaterThanOrEqual(32)
    expect(loadSecret({ env: {}, dataDir: 'memory' })).not.toBe(a)
  })
})
