/**
 * Which Korean translations are missing or stale. Every English page under `docs/` has a Korean
 * counterpart at `docs/ko/<same path>`, and every exercise README (`exercises/NN-slug/README.md`)
 * has a `README.ko.md` beside it. A translation records the English text it translates as a
 * hash of that file's exact bytes: in a page's front matter (`source_hash: 0123456789ab`), or as
 * the first line of a README (`<!-- source_hash: 0123456789ab -->`). When the English file
 * changes, its hash changes, and the translation is stale until it is updated and re-recorded.
 *
 * Used by `scripts/translations.test.ts` (part of `npm test`) and `npm run i18n:status`.
 */
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'

/** The hash a translation records: the first 12 hex digits of the sha256 of the English bytes. */
export function sourceHash(english: Buffer | string): string {
  return createHash('sha256').update(english).digest('hex').slice(0, 12)
}

/** One English file and its Korean counterpart, both relative to the repository's root. */
export interface Pair {
  readonly english: string
  readonly korean: string
}

/** What is wrong with a translation; `ok` when it translates the current English text. */
export type Status =
  | { readonly kind: 'ok' }
  | { readonly kind: 'missing' }
  | { readonly kind: 'unrecorded' }
  | { readonly kind: 'stale'; readonly recorded: string }

export interface Finding extends Pair {
  readonly status: Status
  /** The hash of the English file as it is now: what the translation must record. */
  readonly hash: string
}

/** Folders of `docs/` that hold no English page to translate. */
const NOT_PAGES = new Set(['ko', 'examples', 'public'])

/** Every English text of the course with where its Korean translation lives. */
export function pairs(root: string): Pair[] {
  const found: Pair[] = []
  const docs = join(root, 'docs')
  const walk = (dir: string) => {
    for (const item of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, item.name)
      const inDocs = relative(docs, path).split(sep).join('/')
      if (item.isDirectory()) {
        if (!(dir === docs && NOT_PAGES.has(item.name))) walk(path)
      } else if (item.name.endsWith('.md') && inDocs !== 'README.md') {
        found.push({ english: `docs/${inDocs}`, korean: `docs/ko/${inDocs}` })
      }
    }
  }
  if (existsSync(docs)) walk(docs)
  const exercises = join(root, 'exercises')
  if (existsSync(exercises)) {
    for (const item of readdirSync(exercises, { withFileTypes: true })) {
      if (!item.isDirectory() || !existsSync(join(exercises, item.name, 'README.md'))) continue
      found.push({
        english: `exercises/${item.name}/README.md`,
        korean: `exercises/${item.name}/README.ko.md`,
      })
    }
  }
  return found.sort((a, b) => a.english.localeCompare(b.english))
}

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---(\r?\n|$)/
const FRONT_MATTER_HASH = /^source_hash:\s*['"]?([0-9a-f]+)['"]?\s*$/m
const README_HASH = /^<!--\s*source_hash:\s*([0-9a-f]+)\s*-->/

/** The hash a Korean file records, or undefined when it records none where it should. */
export function recordedHash(korean: string, text: string): string | undefined {
  if (korean.endsWith('README.ko.md')) return text.match(README_HASH)?.[1]
  return text.match(FRONT_MATTER)?.[1].match(FRONT_MATTER_HASH)?.[1]
}

/** The state of every translation of the course under `root`. */
export function translationStatus(root: string): Finding[] {
  return pairs(root).map((pair) => {
    const hash = sourceHash(readFileSync(join(root, pair.english)))
    const korean = join(root, pair.korean)
    if (!existsSync(korean)) return { ...pair, hash, status: { kind: 'missing' } }
    const recorded = recordedHash(pair.korean, readFileSync(korean, 'utf8'))
    if (recorded === undefined) return { ...pair, hash, status: { kind: 'unrecorded' } }
    if (recorded !== hash) return { ...pair, hash, status: { kind: 'stale', recorded } }
    return { ...pair, hash, status: { kind: 'ok' } }
  })
}

/** Where the hash goes in a Korean file, written out for one to copy. */
function record(finding: Finding): string {
  return finding.korean.endsWith('README.ko.md')
    ? `<!-- source_hash: ${finding.hash} --> as its first line`
    : `source_hash: ${finding.hash} in its front matter`
}

/** One line saying which file, what is wrong, and the hash to record once it is updated. */
export function explain(finding: Finding): string {
  const { english, korean, status } = finding
  switch (status.kind) {
    case 'ok':
      return `${korean} translates the current ${english}`
    case 'missing':
      return `${english} has no Korean translation: write ${korean} and record ${record(finding)}`
    case 'unrecorded':
      return `${korean} does not record which version of ${english} it translates: record ${record(finding)}`
    case 'stale':
      return `${korean} translates an older ${english} (it records ${status.recorded}): update it to the current English text, then record ${record(finding)}`
  }
}
