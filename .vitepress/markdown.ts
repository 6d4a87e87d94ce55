/**
 * How the course's code samples are checked at build time.
 *
 * - TypeScript blocks marked `twoslash` are compiled against the real runtime (`'letitcrash'`
 *   is `runtime/index.ts`) with the repository's own compiler options; a sample that stops
 *   compiling fails the build. Hovering a name shows its type and doc comment.
 * - `<<< @/../file.ts#region` includes a region of a tested file. A region that is not in the
 *   file fails the build (VitePress alone would include the whole file). With `twoslash`, the
 *   region is compiled in its file (the code around it is there but hidden), so it needs no
 *   imports of its own and its hovers are exact.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  transformerTwoslash,
  type VitePressPluginTwoslashOptions,
} from '@shikijs/vitepress-twoslash'
import ts from 'typescript'
import type { MarkdownRenderer } from 'vitepress'

// The repository root, without a trailing slash (twoslash appends one).
const root = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '')

/** The compiler options of `tsconfig.json`, plus `'letitcrash'` mapped to the runtime. */
function compilerOptions(): ts.CompilerOptions {
  const config = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile)
  if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'))
  const { options, errors } = ts.convertCompilerOptionsFromJson(config.config.compilerOptions, root)
  if (errors.length > 0)
    throw new Error(
      errors.map((e) => ts.flattenDiagnosticMessageText(e.messageText, '\n')).join('\n'),
    )
  return { ...options, paths: { letitcrash: [join(root, 'runtime/index.ts')] } }
}

/** Shiki's twoslash transformer: only blocks marked `twoslash`; any compile error throws. */
export function twoslash() {
  return transformerTwoslash({
    throws: true,
    twoslashOptions: { vfsRoot: root, compilerOptions: compilerOptions() },
    typesCache: typesCache(),
  })
}

/**
 * Compiling a sample takes a few hundred milliseconds, so results are kept on disk, in a folder
 * named after the content of every TypeScript file in the repository (and the compiler
 * settings and dependency versions): change any of them and every sample is compiled again.
 */
function typesCache(): NonNullable<VitePressPluginTwoslashOptions['typesCache']> {
  const parent = join(root, '.vitepress/cache/twoslash')
  const current = fingerprint()
  const dir = join(parent, current)
  const entry = (code: string) => join(dir, `${hash(code)}.json`)
  return {
    init() {
      mkdirSync(dir, { recursive: true })
      // Results for older versions of the code will never be read again.
      for (const old of readdirSync(parent)) {
        if (old !== current) rmSync(join(parent, old), { recursive: true, force: true })
      }
    },
    read(code) {
      try {
        return JSON.parse(readFileSync(entry(code), 'utf8'))
      } catch {
        return null
      }
    },
    write(code, data) {
      // Another build (a second checkout state, say) may have swept this folder meanwhile: a
      // cache entry is worth a retry, never a failed build.
      mkdirSync(dir, { recursive: true })
      writeFileSync(entry(code), JSON.stringify(data))
    },
  }
}

const SKIPPED = new Set(['node_modules', '.git', '.data', 'dist', 'cache'])

/** A hash of every `.ts` file of the repository, `tsconfig.json` and `package-lock.json`. */
function fingerprint(): string {
  const digest = createHash('sha256')
  const visit = (dir: string) => {
    for (const item of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const path = join(dir, item.name)
      if (item.isDirectory() && !SKIPPED.has(item.name)) visit(path)
      else if (item.isFile() && item.name.endsWith('.ts'))
        digest.update(`${relative(root, path)}\0`).update(readFileSync(path))
    }
  }
  visit(root)
  for (const file of ['tsconfig.json', 'package-lock.json'])
    digest.update(readFileSync(join(root, file)))
  return digest.digest('hex').slice(0, 16)
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 20)
}

// A region's start and end lines, as VitePress recognises them in TypeScript files.
const REGION = /^\s*\/\/ ?#?((?:end)?region) ([\w*-]+)\s*$/

/** The lines of `region` in `lines` (without its markers), or undefined if it is not there. */
function findRegion(lines: string[], region: string): { start: number; end: number } | undefined {
  const start = lines.findIndex(
    (line) => REGION.exec(line)?.slice(1).join(' ') === `region ${region}`,
  )
  if (start === -1) return undefined
  const end = lines.findIndex(
    (line, at) => at > start && REGION.exec(line)?.slice(1).join(' ') === `endregion ${region}`,
  )
  return end === -1 ? undefined : { start, end }
}

/** Removes the common leading whitespace of `lines`. */
function dedent(lines: string[]): string[] {
  const indents = lines
    .filter((line) => line.trim() !== '')
    .map((line) => /^\s*/.exec(line)![0].length)
  const common = Math.min(...indents)
  return lines.map((line) => line.slice(common))
}

/**
 * Runs before VitePress's own snippet rendering: checks that every `#region` exists, and for
 * `twoslash` snippets puts the region back into its file between twoslash cut markers.
 */
export function snippetChecks(md: MarkdownRenderer): void {
  const fence = md.renderer.rules.fence!
  md.renderer.rules.fence = (tokens, idx, options, env, self) => {
    const token = tokens[idx]
    const [file, region] = (token as { src?: [string, string] }).src ?? []
    if (file === undefined || !region) return fence(tokens, idx, options, env, self)
    const lines = readFileSync(file, 'utf8').replace(/\r\n/g, '\n').split('\n')
    const found = findRegion(lines, region)
    const name = relative(root, file)
    if (found === undefined)
      throw new Error(`${env.relativePath}: region '${region}' not found in ${name}`)
    if (!/\btwoslash\b/.test(token.info)) return fence(tokens, idx, options, env, self)
    const isMarker = (line: string) => REGION.test(line)
    const before = lines.slice(0, found.start).filter((line) => !isMarker(line))
    const inside = dedent(lines.slice(found.start + 1, found.end).filter((line) => !isMarker(line)))
    const after = lines.slice(found.end + 1).filter((line) => !isMarker(line))
    token.content = [
      // A name next to the file, so its relative imports resolve; not the file's own name,
      // which would hide the real file from other samples that import it.
      `// @filename: ${name.replace(/\.ts$/, '.region.ts')}`,
      ...before,
      '// ---cut---',
      ...inside,
      '// ---cut-after---',
      ...after,
    ].join('\n')
    env.includes?.push(file)
    // The content is ready: keep VitePress's snippet rule from reading the file again.
    ;(token as { src?: unknown }).src = undefined
    return fence(tokens, idx, options, env, self)
  }
}
