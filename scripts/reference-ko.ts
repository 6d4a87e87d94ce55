/**
 * The Korean API reference, built from the English one: every page of `docs/reference/` is
 * split into blocks (front matter, headings, paragraphs, lists, tables, code), each paragraph,
 * list item, table description and code comment is looked up in the translation table
 * `scripts/reference-ko.json` (English text, whitespace collapsed → Korean), and the result is
 * written to `docs/ko/reference/<same path>` with the English page's `source_hash`.
 *
 * `npm run docs:reference` runs this after `reference.ts`. English text with no Korean yet stays
 * English in the Korean page, and the command lists it and fails, so a contributor adds it to
 * the table. `reference-ko.test.ts` fails when the Korean pages are stale.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { pagesOnDisk, REFERENCE_DIR } from './reference.ts'
import { root } from './runtime-api.ts'
import { sourceHash } from './translations.ts'

export const KOREAN_DIR = 'docs/ko/reference'
export const TABLE_FILE = 'scripts/reference-ko.json'

/** English text → Korean. Code comments are keyed as `//<comment>`. */
export type Table = Record<string, string>

type BlockKind = 'frontMatter' | 'code' | 'blank' | 'heading' | 'html' | 'table' | 'list' | 'para'
type Block = { kind: BlockKind; lines: string[] }

// The fixed words the generator writes itself: titles of the pages that are not a module name,
// and the section headings of a file's page.
const TITLES: Record<string, string> = {
  Reference: '레퍼런스',
  Errors: '에러',
  'Exit reason': '종료 사유',
  Names: '이름',
  'Process context': '프로세스 컨텍스트',
}
const SECTIONS: Record<string, string> = {
  Functions: '함수',
  Types: '타입',
  Classes: '클래스',
  Constants: '상수',
}
const NOTICE =
  '<!-- 영어 레퍼런스(`npm run docs:reference`가 runtime/의 문서 주석에서 생성)의 번역입니다. 영어 페이지가 바뀌면 이 번역도 함께 갱신하세요. -->'

// Lines of this shape are the same in both languages, or are rewritten by a rule, not the table.
const SOURCE_PARA = /^Source: (\[[^\]]*\]\([^)]*\))$/
const SEE_PARA = /^See (<[^>]+>)\.$/
const VERBATIM_PARA = /^(<<< |<ClientOnly)/
const SOURCE_ITEM = /^\*\*Source:\*\* (.*)$/
const ELIXIR_ITEM = /^\*\*Elixir:\*\* `[^`]*`(, `[^`]*`)*\.?$/
const ALIAS_ITEM = /^\*\*Also exported as:\*\* (.*)$/
const LIST_ITEM = /^\s*[-*] /
const FENCE = /^\s*(```|~~~)/
const endsList = (line: string) => line.trim() === '' || /^(#|```|\|)/.test(line)
const endsPara = (line: string) => line.trim() === '' || /^(#{1,6} |```|\||\s*[-*] )/.test(line)

/** Collapses whitespace, so rewrapping an English paragraph does not lose its translation. */
export const normalize = (text: string) => text.replace(/\s+/g, ' ').trim()

/** Internal links stay inside the Korean site. */
const koLinks = (text: string) =>
  text.replace(/\]\(\/(reference|guide|exercises|chat|performance)\b/g, '](/ko/$1')

/** Splits a page into the blocks the generator writes. */
export function splitBlocks(text: string): Block[] {
  const lines = text.split('\n')
  const blocks: Block[] = []
  let i = 0
  const take = (kind: BlockKind, end: number) => {
    blocks.push({ kind, lines: lines.slice(i, end) })
    i = end
  }
  const until = (from: number, stop: (line: string) => boolean) => {
    let j = from
    while (j < lines.length && !stop(lines[j])) j++
    return j
  }
  if (lines[0] === '---') take('frontMatter', lines.indexOf('---', 1) + 1)
  while (i < lines.length) {
    const line = lines[i]
    if (FENCE.test(line)) {
      const fence = line.trim().slice(0, 3)
      take('code', until(i + 1, (l) => l.trim().startsWith(fence)) + 1)
    } else if (line.trim() === '') take('blank', i + 1)
    else if (/^#{1,6} /.test(line)) take('heading', i + 1)
    else if (line.startsWith('<!--')) take('html', i + 1)
    else if (line.startsWith('|'))
      take(
        'table',
        until(i, (l) => !l.startsWith('|')),
      )
    else if (LIST_ITEM.test(line)) take('list', until(i + 1, endsList))
    else take('para', until(i + 1, endsPara))
  }
  return blocks
}

/** The items of a list, each with its continuation lines. */
function listItems(lines: string[]): string[][] {
  const items: string[][] = []
  for (const line of lines) {
    if (LIST_ITEM.test(line) || items.length === 0) items.push([line])
    else items[items.length - 1].push(line)
  }
  return items
}

/** What the table was asked for: the keys it had, and the English text it lacked. */
export type Usage = { used: Set<string>; missing: Set<string> }

/** Translates one English page; English text the table lacks is kept as it is. */
export function translatePage(english: string, table: Table, usage: Usage): string {
  const lookup = (key: string) => {
    if (!(key in table)) return undefined
    usage.used.add(key)
    return table[key]
  }
  const translate = (text: string) => {
    const korean = lookup(text)
    if (korean === undefined) usage.missing.add(text)
    return koLinks(korean ?? text)
  }
  const out: string[] = []
  for (const block of splitBlocks(english)) {
    const { kind, lines } = block
    if (kind === 'frontMatter') out.push(...frontMatter(lines, sourceHash(english)))
    else if (kind === 'html' && lines[0].startsWith('<!-- Generated by')) out.push(NOTICE)
    else if (kind === 'heading') out.push(heading(lines[0]))
    else if (kind === 'para') out.push(...paragraph(lines, translate))
    else if (kind === 'list') out.push(...listItems(lines).map((item) => listItem(item, translate)))
    else if (kind === 'table') out.push(...indexTable(lines, translate))
    else if (kind === 'code') out.push(...lines.map((line) => codeLine(line, lookup)))
    else out.push(...lines)
  }
  return out.join('\n')
}

function frontMatter(lines: string[], hash: string): string[] {
  const translated = lines.map((line) => {
    const title = /^title: "(.*)"$/.exec(line)?.[1]
    return title !== undefined && TITLES[title] ? `title: "${TITLES[title]}"` : line
  })
  // The translations check (translations.ts) reads this to tell a stale translation.
  translated.splice(translated.length - 1, 0, `source_hash: ${hash}`)
  return translated
}

function heading(line: string): string {
  const section = /^## (\w+)$/.exec(line)
  // Keep the English anchor, so links into a section work in both languages.
  if (section && SECTIONS[section[1]])
    return `## ${SECTIONS[section[1]]} {#${section[1].toLowerCase()}}`
  const title = /^# (.*?)( \{#[^}]+\})?$/.exec(line)
  if (title && TITLES[title[1]]) return `# ${TITLES[title[1]]}${title[2] ?? ''}`
  return line
}

function paragraph(lines: string[], translate: (text: string) => string): string[] {
  const text = normalize(lines.join(' '))
  let match: RegExpExecArray | null
  if ((match = SOURCE_PARA.exec(text))) return [koLinks(`소스: ${match[1]}`)]
  if ((match = SEE_PARA.exec(text))) return [`${match[1]} 참고.`]
  if (VERBATIM_PARA.test(text)) return lines
  return [translate(text)]
}

function listItem(item: string[], translate: (text: string) => string): string {
  const indent = /^(\s*)/.exec(item[0])![1]
  const text = normalize(item.join(' ')).replace(/^[-*] /, '')
  let match: RegExpExecArray | null
  if ((match = SOURCE_ITEM.exec(text))) return koLinks(`${indent}- **소스:** ${match[1]}`)
  if (ELIXIR_ITEM.test(text)) return `${indent}- ${text}`
  if ((match = ALIAS_ITEM.exec(text))) return `${indent}- **다른 이름으로도 export됨:** ${match[1]}`
  return `${indent}- ${translate(text)}`
}

/** The index's table of modules: the description column is translated, names are not. */
function indexTable(rows: string[], translate: (text: string) => string): string[] {
  return rows.map((row, i) => {
    if (i === 0)
      return row.replace(
        '| module | what it is | functions and classes |',
        '| 모듈 | 설명 | 함수와 클래스 |',
      )
    if (i === 1) return row
    const cells = row.split(' | ')
    cells[0] = cells[0].replace(/^\| \[([^\]]+)\]/, (all, name) =>
      TITLES[name] ? `| [${TITLES[name]}]` : all,
    )
    if (cells.length >= 3) {
      cells[1] = translate(normalize(cells[1]))
      cells[2] = cells[2].replace('(types) |', '(타입) |')
    }
    return koLinks(cells.join(' | '))
  })
}

// Comments in examples are translated when the table has them; many show a value
// (`// ['chat']`) and are the same in both languages, so a missing one is not reported.
function codeLine(line: string, lookup: (key: string) => string | undefined): string {
  const match = /^(.*?\/\/ )(.*?)(\s*)$/.exec(line)
  const korean = match ? lookup(`//${match[2].trim()}`) : undefined
  return match && korean !== undefined ? `${match[1]}${korean}` : line
}

/** Reads the translation table, failing clearly when it is not an object of strings. */
export function readTable(path = join(root, TABLE_FILE)): Table {
  const table: unknown = JSON.parse(readFileSync(path, 'utf8'))
  const valid =
    typeof table === 'object' &&
    table !== null &&
    Object.values(table).every((value) => typeof value === 'string')
  if (!valid) throw new Error(`${path}: expected an object mapping English text to Korean text`)
  return table as Table
}

/**
 * The Korean pages (path → content), the English text the table does not translate yet, and
 * the table's entries no page uses any more (usually the old wording of a changed paragraph).
 */
export function renderKorean(table: Table = readTable()) {
  const files = new Map<string, string>()
  const usage: Usage = { used: new Set(), missing: new Set() }
  for (const path of pagesOnDisk()) {
    const english = readFileSync(join(root, path), 'utf8')
    const korean = `${KOREAN_DIR}${path.slice(REFERENCE_DIR.length)}`
    files.set(korean, translatePage(english, table, usage))
  }
  const unused = Object.keys(table).filter((key) => !usage.used.has(key))
  return { files, missing: [...usage.missing], unused }
}

/** The Markdown files now in the Korean reference folders, relative to the root. */
export function koreanPagesOnDisk(): string[] {
  if (!existsSync(join(root, KOREAN_DIR))) return []
  return readdirSync(join(root, KOREAN_DIR), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.md'))
    .map((name) => `${KOREAN_DIR}/${name}`)
    .sort()
}

/** Writes the pages that changed and removes Korean pages with no English page any more. */
export function writeKorean(files: Map<string, string>): string[] {
  const changed: string[] = []
  for (const [path, content] of files) {
    const full = join(root, path)
    if (existsSync(full) && readFileSync(full, 'utf8') === content) continue
    mkdirSync(dirname(full), { recursive: true })
    writeFileSync(full, content)
    changed.push(path)
  }
  for (const path of koreanPagesOnDisk())
    if (!files.has(path)) {
      rmSync(join(root, path))
      changed.push(`${path} (removed)`)
    }
  return changed
}

/** What a contributor has to do to the table, or nothing when it translates every page. */
export function tableProblems(missing: string[], unused: string[]): string[] {
  const problems: string[] = []
  const quote = (texts: string[]) => texts.map((text) => `  ${JSON.stringify(text)}`)
  if (missing.length > 0)
    problems.push(
      `${missing.length} English text(s) have no Korean yet, so they stay English in ${KOREAN_DIR}.`,
      `Add each to ${TABLE_FILE} (the English text as the key, its Korean as the value):`,
      ...quote(missing),
    )
  if (unused.length > 0)
    problems.push(
      `${unused.length} entry(ies) of ${TABLE_FILE} match no English text any more: remove them`,
      '(an entry for the old wording of a changed paragraph holds a translation to start from):',
      ...quote(unused),
    )
  return problems
}

/** The table as it is kept on disk: sorted by English text, so additions land in one place. */
export function tableJson(table: Table): string {
  const keys = Object.keys(table).sort()
  return `${JSON.stringify(Object.fromEntries(keys.map((key) => [key, table[key]])), null, 2)}\n`
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const table = readTable()
  writeFileSync(join(root, TABLE_FILE), tableJson(table))
  const { files, missing, unused } = renderKorean(table)
  const changed = writeKorean(files)
  console.log(
    changed.length === 0 ? `${KOREAN_DIR} is up to date` : `wrote:\n  ${changed.join('\n  ')}`,
  )
  const problems = tableProblems(missing, unused)
  if (problems.length > 0) {
    console.error(`\n${problems.join('\n')}`)
    process.exitCode = 1
  }
}
