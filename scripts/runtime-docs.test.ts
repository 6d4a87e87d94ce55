/**
 * Every public function of the runtime has a doc comment with a summary, an `@example`, and the
 * Elixir or Erlang function it mirrors (or a note saying why there is none). "Public" is whatever
 * `runtime/index.ts` exports, read with the TypeScript compiler, so a new export is checked the
 * moment it is added: top-level functions, the functions of each namespace (`GenServer.call`,
 * `Task.Supervisor.asyncNolink`), the public methods of exported classes (`Node.spawn`,
 * `VirtualClock.advance`) and of the interfaces the runtime implements (`ProcessContext`).
 * Anything tagged `@internal` is not public. The walk itself is in `runtime-api.ts`.
 */
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import {
  description,
  ELIXIR_REFERENCE,
  NO_COUNTERPART,
  readApi,
  root,
  tagTexts,
} from './runtime-api.ts'

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
  const { checker, items } = readApi(entry)
  return items
    .filter((item) => item.kind === 'function' || item.kind === 'method' || item.kind === 'class')
    .map(({ name, file, line, symbol, kind }) => ({
      name,
      file,
      line,
      missing: problems(checker, symbol, kind === 'class' ? 'class' : 'function'),
    }))
}

/** What the doc comment lacks. Docs of every overload count, and inherited docs too. */
function problems(checker: ts.TypeChecker, symbol: ts.Symbol, kind: 'function' | 'class') {
  const summary = description(checker, symbol)
  const tags = symbol.getJsDocTags(checker)
  const missing: string[] = []
  // A sentence of its own, not just the Elixir reference: two words outside backticks.
  if (!/[A-Za-z]+\W+[A-Za-z]+/.test(summary.replace(/`[^`]*`/g, '')))
    missing.push('missing summary')
  if (kind === 'class') return missing // a class is a value; its methods are the functions
  if (tagTexts(checker, symbol, 'example').length === 0) missing.push('missing @example')
  const others = tags.filter((tag) => tag.name !== 'example')
  const text = [summary, ...others.map((tag) => ts.displayPartsToString(tag.text))].join('\n')
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
