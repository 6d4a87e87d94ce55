import { describe, expect, it } from 'vitest'
import { DEFAULT_PARAMS, hashPassword, verifyPassword } from '../server/passwords.ts'

const cheap = { N: 1024, r: 8, p: 1 }

describe('hashPassword / verifyPassword', () => {
  it('encodes scrypt$N$r$p$salt$hash and verifies the right password only', async () => {
    const stored = await hashPassword('correct horse', cheap)
    expect(stored).toMatch(/^scrypt\$1024\$8\$1\$[\w-]{22}\$[\w-]{43}$/)
    expect(await verifyPassword('correct horse', stored)).toBe(true)
    expect(await verifyPassword('correct horsf', stored)).toBe(false)
    expect(await verifyPassword('', stored)).toBe(false)
  })

  it('uses a fresh salt each time: the same password hashes differently', async () => {
    const [a, b] = await Promise.all([hashPassword('same', cheap), hashPassword('same', cheap)])
    expect(a).not.toBe(b)
    expect(await verifyPassword('same', a)).toBe(true)
    expect(await verifyPassword('same', b)).toBe(true)
  })

  it('uses the default cost (N = 2^14) unless told otherwise, and verifies with it', async () => {
    const stored = await hashPassword('pässwörd')
    expect(stored.startsWith(`scrypt$${DEFAULT_PARAMS.N}$8$1$`)).toBe(true)
    // Unicode is normalised: the decomposed spelling of the same text matches.
    expect(await verifyPassword('pässwörd'.normalize('NFD'), stored)).toBe(true)
  })

  it('treats a tampered or malformed stored hash as no match', async () => {
    const stored = await hashPassword('secret', cheap)
    const parts = stored.split('$')
    const flipped = parts[5].startsWith('A') ? `B${parts[5].slice(1)}` : `A${parts[5].slice(1)}`
    const malformed = [
      [...parts.slice(0, 5), flipped].join('$'),
      stored.replace('scrypt$', 'bcrypt$'),
      stored.replace('$1024$', '$1000$'), // N must be a power of two
      stored.replace('$1024$', `$${2 ** 24}$`), // too costly: refused, not computed
      'scrypt$1024$8$1$$',
      'nonsense',
      '',
    ]
    for (const bad of malformed) expect(await verifyPassword('secret', bad)).toBe(false)
  })

  it('rejects bad parameters when hashing', async () => {
    await expect(hashPassword('x', { N: 1000, r: 8, p: 1 })).rejects.toThrow(/`params`/)
    await expect(hashPassword('x', { N: 1024, r: 0, p: 1 })).rejects.toThrow(/`params`/)
  })
})
