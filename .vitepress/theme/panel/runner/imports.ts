/**
 * What an exercise's files import, read from their source text, and what follows from it:
 * which files the runner must ship, and whether the tests can run in a browser at all.
 * Pure functions: the build (`exercises.ts`) and the unit tests use them.
 */

/** The modules the browser runner provides; every other bare import means Node. */
export const BROWSER_MODULES: readonly string[] = ['letitcrash', 'vitest', 'xstate']

// Static imports and re-exports start a line; an `import` inside a comment or a string does not.
const STATIC = /^[ \t]*(?:import|export)\s+(?:type\s+)?[\w$\s{},*]*?\bfrom\s*['"]([^'"]+)['"]/gm
const BARE_IMPORT = /^[ \t]*import\s*['"]([^'"]+)['"]/gm
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g

/** Every module `source` imports or re-exports from, in order of appearance, without repeats. */
export function importsOf(source: string): string[] {
  const found: { at: number; specifier: string }[] = []
  for (const pattern of [STATIC, BARE_IMPORT, DYNAMIC]) {
    for (const match of source.matchAll(pattern)) {
      found.push({ at: match.index, specifier: match[1] })
    }
  }
  found.sort((a, b) => a.at - b.at)
  return [...new Set(found.map((f) => f.specifier))]
}

export function isRelative(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../')
}

/** `'../../chat/room.ts'` imported from `'a/b.ts'` → `'../chat/room.ts'`: a normalized path. */
export function resolvePath(from: string, specifier: string): string {
  const parts = from.split('/').slice(0, -1)
  for (const part of specifier.split('/')) {
    if (part === '.' || part === '') continue
    if (part === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop()
    else parts.push(part)
  }
  return parts.join('/')
}

export type BrowserSupport =
  | { readonly runsInBrowser: true }
  | { readonly runsInBrowser: false; readonly reason: string }

/**
 * The rule: an exercise runs in the browser when its files (tests, starters, solutions and
 * the files they import) import nothing but each other and `BROWSER_MODULES`. A `node:` module
 * or another package (a database, sockets) needs Node.
 */
export function browserSupport(files: Readonly<Record<string, string>>): BrowserSupport {
  const needs = new Map<string, string[]>()
  for (const [path, source] of Object.entries(files)) {
    for (const specifier of importsOf(source)) {
      if (isRelative(specifier) || BROWSER_MODULES.includes(specifier)) continue
      needs.set(specifier, [...(needs.get(specifier) ?? []), path])
    }
  }
  if (needs.size === 0) return { runsInBrowser: true }
  const list = [...needs].map(([specifier, paths]) => `${specifier} (${paths.join(', ')})`)
  return {
    runsInBrowser: false,
    reason: `These tests need Node: the exercise imports ${list.join(', ')}, which a browser does not have.`,
  }
}
