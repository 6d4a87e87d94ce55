/**
 * The runtime runs unchanged in browsers: it must not pull in Node built-ins nor touch Node-only
 * globals. Checks every file in runtime/ (outside test/), whoever added it.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const runtimeDir = fileURLToPath(new URL('..', import.meta.url))

/** Every .ts file of the runtime, in subfolders too, except the tests. */
function runtimeFiles(dir = runtimeDir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'test' ? [] : runtimeFiles(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

/** Globals that exist in Node but not in browsers. */
const NODE_ONLY_GLOBALS = new Set([
  'process',
  'Buffer',
  'require',
  'module',
  'exports',
  '__dirname',
  '__filename',
  'global',
  'setImmediate',
  'clearImmediate',
])

describe('browser safety', () => {
  it('bundles runtime/index.ts for the browser without any Node built-in', async () => {
    const result = await build({
      entryPoints: [join(runtimeDir, 'index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    })
    expect(result.errors).toEqual([])
    const inputs = Object.keys(result.metafile.inputs)
    expect(inputs.some((input) => input.endsWith('runtime/index.ts'))).toBe(true)
    expect(
      inputs.filter((input) => input.startsWith('node:') || !input.match(/\.[cm]?[jt]s$/)),
    ).toEqual([])
    const imports = Object.values(result.metafile.inputs).flatMap((input) => input.imports)
    expect(imports.filter((i) => i.external)).toEqual([])
  }, 30_000)

  it('no runtime file imports a node: module or calls require()', () => {
    const offenders: string[] = []
    for (const file of runtimeFiles()) {
      const code = readFileSync(file, 'utf8')
      const name = relative(runtimeDir, file)
      if (/\bfrom\s+['"]node:|\bimport\s*\(\s*['"]node:|\bimport\s+['"]node:/.test(code))
        offenders.push(`${name}: imports a node: module`)
      if (/(^|[^.\w$])require\s*\(/m.test(code)) offenders.push(`${name}: calls require()`)
    }
    expect(offenders).toEqual([])
  })

  // A plain text search for `process.` would flag the runtime's own `process` variables (a
  // Process instance is called that everywhere), so the type checker tells which `process`,
  // `Buffer`, ... is meant: flagged are the uses that resolve to Node's global declarations.
  it('no runtime file uses a Node-only global such as process, Buffer or setImmediate', () => {
    const files = runtimeFiles()
    const program = ts.createProgram(files, {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      allowImportingTsExtensions: true,
      noEmit: true,
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
      types: ['node'],
      skipLibCheck: true,
    })
    const checker = program.getTypeChecker()
    const offenders: string[] = []
    for (const file of files) {
      const source = program.getSourceFile(file)!
      const visit = (node: ts.Node): void => {
        if (ts.isIdentifier(node) && NODE_ONLY_GLOBALS.has(node.text) && !insideType(node)) {
          const declarations = checker.getSymbolAtLocation(node)?.declarations ?? []
          const fromNode = declarations.filter((d) =>
            d.getSourceFile().fileName.includes('/@types/node/'),
          )
          if (fromNode.length > 0 && fromNode.length === declarations.length) {
            const { line } = source.getLineAndCharacterOfPosition(node.getStart())
            offenders.push(`${relative(runtimeDir, file)}:${line + 1}: ${node.text}`)
          }
        }
        ts.forEachChild(node, visit)
      }
      visit(source)
    }
    expect(offenders).toEqual([])
  }, 60_000)
})

/** True inside a type annotation: types vanish when bundled, so they cannot break a browser. */
function insideType(node: ts.Node): boolean {
  for (let n: ts.Node | undefined = node.parent; n !== undefined; n = n.parent) {
    if (ts.isTypeNode(n)) return true
  }
  return false
}
