/**
 * A tiny module loader for the exercise's files in the browser. Each TypeScript file is turned
 * into CommonJS by sucrase (types dropped, `import` → `require`, line numbers kept) and run once;
 * `require('letitcrash')` and the other bare names come from `builtins`, `require('./x.ts')`
 * from `files`, by path relative to the exercise folder.
 */
import { transform } from 'sucrase'
import { isRelative, resolvePath } from './imports.ts'

interface Module {
  readonly exports: Record<string, unknown>
  loaded: boolean
}

export interface Loader {
  /** Loads `path` (a key of `files`) and what it imports; returns its exports. */
  load(path: string): Record<string, unknown>
}

export function createLoader(
  files: Readonly<Record<string, string>>,
  builtins: Readonly<Record<string, unknown>>,
): Loader {
  const modules = new Map<string, Module>()

  function resolve(from: string, specifier: string): { key: string; exports: unknown } {
    if (!isRelative(specifier)) {
      if (specifier in builtins) return { key: specifier, exports: builtins[specifier] }
      throw new Error(
        `Cannot find module '${specifier}' imported from ${from}: in the browser, the exercise's files can import ${Object.keys(builtins).join(', ')} and each other`,
      )
    }
    const path = resolvePath(from, specifier)
    if (!(path in files)) {
      throw new Error(
        `Cannot find module '${specifier}' imported from ${from}: there is no ${path}`,
      )
    }
    return { key: path, exports: load(path) }
  }

  function load(path: string): Record<string, unknown> {
    const cached = modules.get(path)
    if (cached) return cached.exports
    const module: Module = { exports: {}, loaded: false }
    modules.set(path, module)
    const code = compile(path, files[path])
    // Like ES modules, check the imported names before the module runs (a missing export is a
    // SyntaxError that names it); sucrase puts every require at the top, so loading them first
    // changes no order.
    for (const [specifier, names] of namesUsed(code)) {
      const { key, exports } = resolve(path, specifier)
      const loading = modules.get(key)?.loaded === false
      for (const name of loading ? [] : names) {
        if (!(name in (exports as object))) {
          throw new SyntaxError(
            `The requested module '${specifier}' does not provide an export named '${name}' (imported by ${path})`,
          )
        }
      }
    }
    const body = evaluate(code, path)
    body((specifier: string) => resolve(path, specifier).exports, module, module.exports)
    module.loaded = true
    return module.exports
  }

  return { load }
}

/** TypeScript → CommonJS; a syntax error names the file, line and column. */
export function compile(path: string, source: string): string {
  try {
    return transform(source, {
      transforms: ['typescript', 'imports'],
      filePath: path,
      // The browser runs modern syntax as it is; only types and modules are rewritten.
      disableESTransforms: true,
      // As with verbatimModuleSyntax (tsconfig.json): an import runs its module even if unused.
      keepUnusedImports: true,
    }).code
  } catch (error) {
    // Sucrase's message names the file, the line and the column.
    throw new SyntaxError((error as Error).message)
  }
}

/**
 * The names each `require`d module must export, read from sucrase's output: `_x.name` for a
 * named import, `X.name` for a namespace, `X.default` for a default import. Imports used only as
 * types are gone from the output, so they are not checked.
 */
export function namesUsed(code: string): Map<string, Set<string>> {
  const variables = new Map<string, string>()
  for (const [, variable, specifier] of code.matchAll(/var (\w+) = require\('([^']+)'\)/g)) {
    variables.set(variable, specifier)
  }
  const interop = /var (\w+) = _interop(?:RequireWildcard|RequireDefault)\((\w+)\)/g
  for (const [, alias, variable] of code.matchAll(interop)) {
    const specifier = variables.get(variable)
    if (specifier !== undefined) variables.set(alias, specifier)
  }
  const used = new Map<string, Set<string>>()
  for (const [variable, specifier] of variables) {
    if (!used.has(specifier)) used.set(specifier, new Set())
    for (const [, name] of code.matchAll(new RegExp(`\\b${variable}\\.([A-Za-z_$][\\w$]*)`, 'g'))) {
      used.get(specifier)!.add(name)
    }
  }
  return used
}

type ModuleBody = (
  require: (specifier: string) => unknown,
  module: Module,
  exports: Record<string, unknown>,
) => void

/**
 * Evaluates a function expression that starts on the code's first line, so that stack traces
 * give the file's own line numbers; `sourceURL` names the file in them. `globalThis.eval` is
 * the indirect eval: the code sees global scope only, not this module's variables.
 */
function evaluate(code: string, path: string): ModuleBody {
  const source = `(function (require, module, exports) {${code}\n})\n//# sourceURL=${path}`
  // biome-ignore lint/security/noGlobalEval: running the learner's code is this module's job
  return globalThis.eval(source)
}
