/**
 * Every English page and exercise README has a Korean translation of its current text (see
 * `translations.ts`; `npm run i18n:status` lists what to do). The check itself is tested first,
 * on a small made-up course, so a passing check means something.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { explain, sourceHash, translationStatus } from './translations.ts'

const root = fileURLToPath(new URL('..', import.meta.url))

describe('the translation check', () => {
  const course = mkdtempSync(join(tmpdir(), 'translations-'))
  afterAll(() => rmSync(course, { recursive: true, force: true }))
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(course, path)), { recursive: true })
    writeFileSync(join(course, path), text)
  }
  const guide = '# Guide\n'
  const readme = '# 01 · Ping-pong\n'
  write('docs/index.md', '# Home\n')
  write('docs/README.md', 'not a page\n')
  write('docs/examples/notes.md', 'not a page\n')
  write('docs/guide/01.md', guide)
  write('docs/guide/02.md', '# Two\n')
  write('docs/ko/guide/01.md', `---\nsource_hash: ${sourceHash(guide)}\n---\n# 안내\n`)
  write('docs/ko/guide/02.md', '---\nsource_hash: 000000000000\n---\n# 둘\n')
  write('docs/ko/index.md', '---\ntitle: 홈\n---\n# 홈\n')
  write('exercises/01-ping-pong/README.md', readme)
  write('exercises/01-ping-pong/README.ko.md', `<!-- source_hash: ${sourceHash(readme)} -->\n`)
  write('exercises/02-links/README.md', '# 02 · Links\n')
  const status = (english: string) =>
    translationStatus(course).find((finding) => finding.english === english)

  it('hashes the exact bytes: 12 hex digits of sha256', () => {
    expect(sourceHash('abc')).toBe('ba7816bf8f01')
    expect(sourceHash('abc\r\n')).not.toBe(sourceHash('abc\n'))
  })

  it('looks at every English page and README, and nothing else', () => {
    expect(translationStatus(course).map((finding) => finding.english)).toEqual([
      'docs/guide/01.md',
      'docs/guide/02.md',
      'docs/index.md',
      'exercises/01-ping-pong/README.md',
      'exercises/02-links/README.md',
    ])
  })

  it('accepts a translation recording the current hash', () => {
    expect(status('docs/guide/01.md')?.status).toEqual({ kind: 'ok' })
    expect(status('exercises/01-ping-pong/README.md')?.status).toEqual({ kind: 'ok' })
  })

  it('reports a missing, unrecorded or stale translation with the hash to record', () => {
    const missing = status('exercises/02-links/README.md')!
    expect(missing.status).toEqual({ kind: 'missing' })
    expect(explain(missing)).toBe(
      `exercises/02-links/README.md has no Korean translation: write exercises/02-links/README.ko.md and record <!-- source_hash: ${sourceHash('# 02 · Links\n')} --> as its first line`,
    )
    const unrecorded = status('docs/index.md')!
    expect(unrecorded.status).toEqual({ kind: 'unrecorded' })
    expect(explain(unrecorded)).toContain(`record source_hash: ${sourceHash('# Home\n')}`)
    const stale = status('docs/guide/02.md')!
    expect(stale.status).toEqual({ kind: 'stale', recorded: '000000000000' })
    expect(explain(stale)).toBe(
      `docs/ko/guide/02.md translates an older docs/guide/02.md (it records 000000000000): update it to the current English text, then record source_hash: ${sourceHash('# Two\n')} in its front matter`,
    )
  })
})

describe('the Korean course', () => {
  it('translates the current text of every English page and exercise README', () => {
    const problems = translationStatus(root)
      .filter((finding) => finding.status.kind !== 'ok')
      .map(explain)
    expect(problems, 'run `npm run i18n:status` for the list').toEqual([])
  })
})
