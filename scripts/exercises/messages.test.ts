import { afterEach, describe, expect, it, vi } from 'vitest'
import { locale, t } from '../../exercises/messages.ts'

afterEach(() => {
  vi.unstubAllEnvs()
  delete (globalThis as { LETITCRASH_LOCALE?: unknown }).LETITCRASH_LOCALE
})

describe('exercise failure messages', () => {
  it('are English unless the learner asked for Korean', () => {
    vi.stubEnv('LETITCRASH_LANG', undefined)
    vi.stubEnv('LC_ALL', undefined)
    vi.stubEnv('LC_MESSAGES', undefined)
    vi.stubEnv('LANG', 'en_US.UTF-8')
    expect(t('hello', '안녕하세요')).toBe('hello')
  })

  it('follow a Korean LANG on the command line, and LETITCRASH_LANG over it', () => {
    vi.stubEnv('LC_ALL', undefined)
    vi.stubEnv('LC_MESSAGES', undefined)
    vi.stubEnv('LANG', 'ko_KR.UTF-8')
    expect(t('hello', '안녕하세요')).toBe('안녕하세요')
    vi.stubEnv('LETITCRASH_LANG', 'en')
    expect(locale()).toBe('en')
  })

  it('follow the panel, which sets the page language in the worker', () => {
    vi.stubEnv('LETITCRASH_LANG', 'en')
    ;(globalThis as { LETITCRASH_LOCALE?: unknown }).LETITCRASH_LOCALE = 'ko'
    expect(t('hello', '안녕하세요')).toBe('안녕하세요')
  })
})
