/**
 * Learners read the whole runtime, so it must stay small: no file over 400 lines of code, and
 * a budget for the core (processes, GenServer, supervisors, Registry, Task, Agent, Application)
 * and one for the extensions (the cluster simulation, state machines, observer, telemetry).
 * A line of code is a line with something other than comments and whitespace on it.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const MAX_FILE = 400
// The runtime issue asked for "about 3,500" lines in the core it described. The distribution
// simulation then needed hooks inside core files (routing between nodes in node.ts and
// process.ts, remote and global names, the `caller` option of GenServer.call): about 150
// lines that belong to the cluster but cannot live outside the classes they extend.
const MAX_CORE = 3700
const MAX_EXTENSIONS = 1500

/**
 * Extension files, by name: the cluster simulation (`cluster*`, `global*`, `net*`, and `copy*`,
 * which copies messages between nodes), state machines, observer, telemetry. The rest is core.
 */
const EXTENSIONS = [
  /^cluster/,
  /^global/,
  /^net/,
  /^copy/,
  /^state-machine/,
  /^observer/,
  /^telemetry/,
]
const isSource = (file: string) => file.endsWith('.ts') && !/\.test(-d)?\.ts$/.test(file)

/** Counts the lines that hold at least one token: comments and blank lines do not count. */
function countCodeLines(text: string): number {
  const source = ts.createSourceFile('file.ts', text, ts.ScriptTarget.Latest, true)
  const lines = new Set<number>()
  const lineOf = (position: number) => source.getLineAndCharacterOfPosition(position).line
  const visit = (node: ts.Node): void => {
    if (ts.isJSDoc(node) || node.kind === ts.SyntaxKind.EndOfFileToken) return
    const children = node.getChildren(source)
    children.forEach(visit)
    if (children.length > 0) return
    // A token: its lines are code (a template literal may span several).
    const last = lineOf(node.end)
    for (let line = lineOf(node.getStart(source)); line <= last; line++) lines.add(line)
  }
  visit(source)
  return lines.size
}

const dir = fileURLToPath(new URL('../runtime/', import.meta.url))
const files = readdirSync(dir)
  .filter(isSource)
  .sort()
  .map((name) => ({
    name,
    lines: countCodeLines(readFileSync(dir + name, 'utf8')),
    extension: EXTENSIONS.some((pattern) => pattern.test(name)),
  }))
const total = (extension: boolean) =>
  files.filter((f) => f.extension === extension).reduce((sum, f) => sum + f.lines, 0)
const core = total(false)
const extensions = total(true)

console.log(
  `runtime code lines: core ${core}/${MAX_CORE}, extensions ${extensions}/${MAX_EXTENSIONS}`,
)

describe('runtime size (lines of code, without comments and blank lines)', () => {
  it('counts code lines only: not comments, not blank lines, but every line of a template', () => {
    const text = '/** doc\n * more\n */\nconst a = 1 // note\n\n/* x */\nconst b = `\n\n`\n'
    expect(countCodeLines(text)).toBe(4)
  })

  it(`has no file over ${MAX_FILE} lines of code`, () => {
    const over = files.filter((f) => f.lines > MAX_FILE).map((f) => `runtime/${f.name}: ${f.lines}`)
    expect(over).toEqual([])
  })

  it(`core: ${core} lines of code, at most ${MAX_CORE}`, () => {
    expect(core).toBeLessThanOrEqual(MAX_CORE)
  })

  it(`extensions: ${extensions} lines of code, at most ${MAX_EXTENSIONS}`, () => {
    expect(extensions).toBeLessThanOrEqual(MAX_EXTENSIONS)
  })
})
