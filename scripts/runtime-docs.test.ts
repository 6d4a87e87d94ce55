/**
 * Every public function of the runtime has a doc comment with a summary, an `@example`, and the
 * Elixir or Erlang function it mirrors (or a note saying why there is none). "Public" is whatever
 * `runtime/index.ts` exports, read with the TypeScript compiler, so a new export is checked the
 * moment it is added: top-level functions, the functions of each namespace (`GenServer.call`,
 * `Task.Supervisor.asyncNolink`), the public methods of exported classes (`Node.spawn`,
 * `VirtualClock.advance`) and of the interfaces the runtime implements (`ProcessContext`).
 * Anything tagged `@internal` is not public.
 */
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))

/** Interfaces the runtime implements for you; the others (behaviours) are callbacks you write. */
const IMPLEMENTED_BY_RUNTIME = new Set(['ProcessContext'])
/** JavaScript protocol methods, not part of the runtime's API. */
const PROTOCOL_METHODS = new Set(['toString', 'toJSON'])
const HIDDEN = ts.ModifierFlags.Private | ts.ModifierFlags.Protected

/** `GenServer.call/3`, `Process.alive?/1`, `Task.Supervisor.async_nolink/2`, `:gen_statem.call/3`, `erlang:send_after/3` */
const ELIXIR_REFERENCE = /`:?[A-Za-z][\w.]*[.:][a-z_]\w*[?!]?\/\d+`/
const NO_COUNTERPART = /\(no Elixir counterpart: [^)]+\)/

interface Finding {
  /** As a learner writes it: `GenServer.call`. */
  readonly name: string
  /** `runtime/gen-server.ts`, and the line where the (first) declaration starts. */
  readonly file: string
  readonly line: number
  /** What its doc comment lacks; empty when it is complete. */
  readonly missing: string[]
}

/** Every public function and class exported by `entry`, with what its doc comment lacks. */
function audit(entry: string): Finding[] {
  const program = ts.createProgram([entry], {
    allowImportingTsExtensions: true,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
  })
  const checker = program.getTypeChecker()
  const findings = new Map<ts.Symbol, Finding>() // by symbol: overloads and re-exports count once

  const isInternal = (symbol: ts.Symbol) =>
    symbol.getJsDocTags(checker).some((tag) => tag.name === 'internal')

  const add = (name: string, symbol: ts.Symbol, kind: 'function' | 'class') => {
    if (findings.has(symbol) || isInternal(symbol)) return
    const source = symbol.declarations![0].getSourceFile()
    const start = symbol.declarations![0].getStart(source)
    const file = relative(root, source.fileName)
    const line = source.getLineAndCharacterOfPosition(start).line + 1
    findings.set(symbol, { name, file, line, missing: problems(checker, symbol, kind) })
  }

  const visitModule = (module: ts.Symbol, prefix: string) => {
    for (const exported of checker.getExportsOfModule(module)) {
      const symbol =
        exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
      const name = prefix + exported.name
      const declaration = symbol.declarations?.[0]
      if (declaration === undefined) continue
      if (symbol.flags & ts.SymbolFlags.ValueModule) visitModule(symbol, `${name}.`)
      else if (symbol.flags & ts.SymbolFlags.Function || isFunctionConst(declaration))
        add(name, symbol, 'function')
      else if (ts.isClassDeclaration(declaration) && !isInternal(symbol)) {
        add(name, symbol, 'class')
        visitMembers(name, declaration)
      } else if (ts.isInterfaceDeclaration(declaration) && IMPLEMENTED_BY_RUNTIME.has(name))
        visitMembers(name, declaration)
    }
  }

  const visitMembers = (owner: string, type: ts.ClassDeclaration | ts.InterfaceDeclaration) => {
    for (const member of type.members) {
      if (!(ts.isMethodDeclaration(member) || ts.isMethodSignature(member))) continue
      if (!ts.isIdentifier(member.name) || PROTOCOL_METHODS.has(member.name.text)) continue
      if (ts.getCombinedModifierFlags(member) & HIDDEN) continue
      const symbol = checker.getSymbolAtLocation(member.name)
      if (symbol !== undefined) add(`${owner}.${member.name.text}`, symbol, 'function')
    }
  }

  visitModule(checker.getSymbolAtLocation(program.getSourceFile(entry)!)!, '')
  return [...findings.values()]
}

function isFunctionConst(declaration: ts.Declaration): boolean {
  const init = ts.isVariableDeclaration(declaration) ? declaration.initializer : undefined
  return init !== undefined && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))
}

/** What the doc comment lacks. Docs of every overload count, and inherited docs too. */
function problems(checker: ts.TypeChecker, symbol: ts.Symbol, kind: 'function' | 'class') {
  const description = ts.displayPartsToString(symbol.getDocumentationComment(checker))
  const tags = symbol.getJsDocTags(checker)
  const missing: string[] = []
  // A sentence of its own, not just the Elixir reference: two words outside backticks.
  if (!/[A-Za-z]+\W+[A-Za-z]+/.test(description.replace(/`[^`]*`/g, '')))
    missing.push('missing summary')
  if (kind === 'class') return missing // a class is a value; its methods are the functions
  if (!tags.some((tag) => tag.name === 'example')) missing.push('missing @example')
  const others = tags.filter((tag) => tag.name !== 'example')
  const text = [description, ...others.map((tag) => ts.displayPartsToString(tag.text))].join('\n')
  if (!ELIXIR_REFERENCE.test(text) && !NO_COUNTERPART.test(text))
    missing.push(
      'missing the Elixir function it mirrors (like `GenServer.call/3`, or "(no Elixir counterpart: why)")',
    )
  return missing
}

/** `runtime/file.ts:line Name: what is missing`, sorted by line. */
function offenders(findings: Finding[]): string[] {
  return findings
    .filter((f) => f.missing.length > 0)
    .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line)
    .map((f) => `${f.file}:${f.line} ${f.name}: ${f.missing.join(', ')}`)
}

const api = audit(`${root}runtime/index.ts`)
const files = [...new Set(api.map((f) => f.file))].sort()

describe('runtime docs', () => {
  it('finds the public API through runtime/index.ts', () => {
    const names = api.map((f) => f.name)
    for (const name of [
      'GenServer.call',
      'Supervisor.whichChildren',
      'Registry.via',
      'Task.await',
      'Task.Supervisor.asyncNolink',
      'Process.sendAfter',
      'createNode',
      'Node.spawn',
      'VirtualClock.advance',
      'ProcessContext.monitor',
    ])
      expect(names).toContain(name)
  })

  it('reports each missing part, and skips @internal and private members', () => {
    const found = audit(`${root}scripts/fixtures/docs-fixture.ts`)
    expect(offenders(found)).toEqual([
      'scripts/fixtures/docs-fixture.ts:4 bare: missing summary, missing @example, missing the Elixir function it mirrors (like `GenServer.call/3`, or "(no Elixir counterpart: why)")',
      'scripts/fixtures/docs-fixture.ts:7 referenceOnly: missing summary, missing @example',
      'scripts/fixtures/docs-fixture.ts:13 Helper.noReference: missing the Elixir function it mirrors (like `GenServer.call/3`, or "(no Elixir counterpart: why)")',
    ])
    expect(found.map((f) => f.name).sort()).toEqual([
      'Helper',
      'Helper.explained',
      'Helper.noReference',
      'bare',
      'complete',
      'referenceOnly',
    ])
  })

  it.each(files)(
    '%s: every public function has a summary, an @example and its Elixir counterpart',
    (file) => {
      expect(offenders(api.filter((f) => f.file === file))).toEqual([])
    },
  )
})
