/**
 * The runtime's public API, read with the TypeScript compiler: whatever `runtime/index.ts`
 * exports, with the namespaces opened (`GenServer.call`, `Task.Supervisor.asyncNolink`), the
 * public methods of exported classes (`Node.spawn`) and of the interfaces the runtime implements
 * (`ProcessContext.monitor`). Anything tagged `@internal` is not public.
 *
 * Two users: `runtime-docs.test.ts` checks that every function is documented, and
 * `reference.ts` writes the reference pages from the same doc comments.
 */
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

export const root = fileURLToPath(new URL('..', import.meta.url))

/** Interfaces the runtime implements for you; the others (behaviours) are callbacks you write. */
const IMPLEMENTED_BY_RUNTIME = new Set(['ProcessContext'])
/** JavaScript protocol methods, not part of the runtime's API. */
const PROTOCOL_METHODS = new Set(['toString', 'toJSON'])
const HIDDEN = ts.ModifierFlags.Private | ts.ModifierFlags.Protected

/** `GenServer.call/3`, `Process.alive?/1`, `Task.Supervisor.async_nolink/2`, `:gen_statem.call/3`, `erlang:send_after/3` */
export const ELIXIR_REFERENCE = /`:?[A-Za-z][\w.]*[.:][a-z_]\w*[?!]?\/\d+`/
export const NO_COUNTERPART = /\(no Elixir counterpart: [^)]+\)/

/**
 * - `function`: a function, or a const holding one; `method`: a public method of a class or of
 *   an interface the runtime implements; `class`; `interface` and `type`: types only;
 *   `value`: any other exported value (`TIMEOUT`, `Telemetry.events`).
 */
export type ApiKind = 'function' | 'method' | 'class' | 'interface' | 'type' | 'value'

export interface ApiItem {
  /** As a learner writes it, by the first path it was found on: `GenServer.call`. */
  readonly name: string
  /** The other names the same thing is exported under (`spawn` for `Process.spawn`). */
  readonly aliases: string[]
  readonly kind: ApiKind
  readonly symbol: ts.Symbol
  /** The namespace it was found in (`'Task.Supervisor'`), or `''` at the top level. */
  readonly namespace: string
  /** For a method: the class or interface it belongs to (`'Node'`). */
  readonly owner?: string
  /** `runtime/gen-server.ts`, and the line where the (first) declaration starts. */
  readonly file: string
  readonly line: number
}

/** A namespace export (`export * as GenServer from './gen-server.ts'`) and its file. */
export interface ApiNamespace {
  readonly name: string
  readonly file: string
}

export interface RuntimeApi {
  readonly checker: ts.TypeChecker
  readonly items: ApiItem[]
  readonly namespaces: ApiNamespace[]
}

/** Every public export reachable from `entry`, each symbol once (overloads, re-exports). */
export function readApi(entry: string): RuntimeApi {
  const program = ts.createProgram([entry], {
    allowImportingTsExtensions: true,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
  })
  const checker = program.getTypeChecker()
  const items = new Map<ts.Symbol, ApiItem>()
  const namespaces: ApiNamespace[] = []

  const isInternal = (symbol: ts.Symbol) =>
    symbol.getJsDocTags(checker).some((tag) => tag.name === 'internal')

  const add = (
    name: string,
    symbol: ts.Symbol,
    kind: ApiKind,
    namespace: string,
    owner?: string,
  ) => {
    if (isInternal(symbol)) return
    const known = items.get(symbol)
    if (known !== undefined) {
      if (!known.aliases.includes(name) && known.name !== name) known.aliases.push(name)
      return
    }
    const declaration = symbol.declarations![0]
    const source = declaration.getSourceFile()
    const file = relative(root, source.fileName)
    const line = source.getLineAndCharacterOfPosition(declaration.getStart(source)).line + 1
    items.set(symbol, { name, aliases: [], kind, symbol, namespace, owner, file, line })
  }

  const visitModule = (module: ts.Symbol, prefix: string) => {
    const namespace = prefix.slice(0, -1)
    for (const exported of checker.getExportsOfModule(module)) {
      const symbol =
        exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
      const name = prefix + exported.name
      const declaration = symbol.declarations?.[0]
      if (declaration === undefined) continue
      if (symbol.flags & ts.SymbolFlags.ValueModule) {
        namespaces.push({ name, file: relative(root, declaration.getSourceFile().fileName) })
        visitModule(symbol, `${name}.`)
      } else if (symbol.flags & ts.SymbolFlags.Function || isFunctionConst(declaration))
        add(name, symbol, 'function', namespace)
      else if (ts.isClassDeclaration(declaration)) {
        if (isInternal(symbol)) continue
        add(name, symbol, 'class', namespace)
        visitMembers(name, declaration, namespace)
      } else if (ts.isInterfaceDeclaration(declaration)) {
        add(name, symbol, 'interface', namespace)
        if (IMPLEMENTED_BY_RUNTIME.has(name)) visitMembers(name, declaration, namespace)
      } else if (symbol.flags & ts.SymbolFlags.Value) add(name, symbol, 'value', namespace)
      else add(name, symbol, 'type', namespace)
    }
  }

  const visitMembers = (
    owner: string,
    type: ts.ClassDeclaration | ts.InterfaceDeclaration,
    namespace: string,
  ) => {
    for (const member of type.members) {
      if (!(ts.isMethodDeclaration(member) || ts.isMethodSignature(member))) continue
      if (!ts.isIdentifier(member.name) || PROTOCOL_METHODS.has(member.name.text)) continue
      if (ts.getCombinedModifierFlags(member) & HIDDEN) continue
      const symbol = checker.getSymbolAtLocation(member.name)
      if (symbol !== undefined)
        add(`${owner}.${member.name.text}`, symbol, 'method', namespace, owner)
    }
  }

  visitModule(checker.getSymbolAtLocation(program.getSourceFile(entry)!)!, '')
  return { checker, items: [...items.values()], namespaces }
}

function isFunctionConst(declaration: ts.Declaration): boolean {
  const init = ts.isVariableDeclaration(declaration) ? declaration.initializer : undefined
  return init !== undefined && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))
}

/** A symbol's doc comment as text, `{@link name}` kept as written. */
export function description(checker: ts.TypeChecker, symbol: ts.Symbol): string {
  return ts.displayPartsToString(symbol.getDocumentationComment(checker))
}

/** The text of each of a symbol's tags called `name` (`example`, `returns`, `see`). */
export function tagTexts(checker: ts.TypeChecker, symbol: ts.Symbol, name: string): string[] {
  return symbol
    .getJsDocTags(checker)
    .filter((tag) => tag.name === name)
    .map((tag) => ts.displayPartsToString(tag.text))
}
