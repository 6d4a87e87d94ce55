import { describe, expect, it } from 'vitest'
import { compile, createLoader, namesUsed } from './modules.ts'

describe('createLoader', () => {
  it('loads TypeScript files that import each other and the built-in modules', () => {
    const loader = createLoader(
      {
        'counter.test.ts': [
          "import { type Counter, start } from './counter.ts'",
          "import * as Util from './lib/util.ts'",
          'export const result = [start(), Util.twice(2)]',
        ].join('\n'),
        'counter.ts': [
          "import { greeting } from 'letitcrash'",
          'export interface Counter { n: number }',
          'export const start = (): string => greeting',
        ].join('\n'),
        'lib/util.ts': "export const twice = (n: number) => n * 2\nexport * from '../counter.ts'",
      },
      { letitcrash: { greeting: 'hello' } },
    )
    expect(loader.load('counter.test.ts').result).toEqual(['hello', 4])
  })

  it('runs each module once, cycles included, as ES modules do', () => {
    const loader = createLoader(
      {
        'a.ts':
          "import { b } from './b.ts'\nexport const a = () => 'a' + b()\n;(globalThis as any).loads = ((globalThis as any).loads ?? 0) + 1",
        'b.ts':
          "import { a } from './a.ts'\nexport const b = () => 'b'\nexport const callA = () => a()",
      },
      {},
    )
    const a = loader.load('a.ts')
    expect((a.a as () => string)()).toBe('ab')
    expect((loader.load('b.ts').callA as () => string)()).toBe('ab')
    expect((globalThis as { loads?: number }).loads).toBe(1)
  })

  it('says which export is missing, before the importing module runs', () => {
    const loader = createLoader(
      {
        'counter.test.ts': "import { startLink } from './counter.ts'\nthrow new Error(startLink)",
        'counter.ts': 'export const start = 1',
      },
      {},
    )
    expect(() => loader.load('counter.test.ts')).toThrow(
      new SyntaxError(
        "The requested module './counter.ts' does not provide an export named 'startLink' (imported by counter.test.ts)",
      ),
    )
  })

  it('does not check names imported only as types', () => {
    const loader = createLoader(
      {
        'a.ts': "import { Db } from './db.ts'\nexport const open = (db: Db) => db",
        'db.ts': 'export interface Db { query(): void }',
      },
      {},
    )
    expect(Object.keys(loader.load('a.ts'))).toEqual(['open'])
  })

  it('names a missing file, an unknown package and a syntax error', () => {
    const loader = createLoader(
      {
        'a.ts': "import { x } from './missing.ts'",
        'b.ts': "import { readFileSync } from 'node:fs'",
        'c.ts': 'export const = 1',
      },
      { letitcrash: {} },
    )
    expect(() => loader.load('a.ts')).toThrow(
      "Cannot find module './missing.ts' imported from a.ts: there is no missing.ts",
    )
    expect(() => loader.load('b.ts')).toThrow(
      "Cannot find module 'node:fs' imported from b.ts: in the browser, the exercise's files can import letitcrash and each other",
    )
    expect(() => loader.load('c.ts')).toThrow(/^Error transforming c\.ts: .*\(1:14\)$/)
  })

  it('keeps line numbers, so that stack traces point into the learner’s file', () => {
    const loader = createLoader(
      { 'x.ts': '\n\nexport const fail = () => {\n  throw new Error("here")\n}' },
      {},
    )
    const fail = loader.load('x.ts').fail as () => never
    expect(() => fail()).toThrow(
      expect.objectContaining({ stack: expect.stringMatching(/\(?x\.ts:4:\d+\)?/) }),
    )
  })
})

describe('namesUsed', () => {
  it('lists the names each module must export, from the compiled code', () => {
    const code = compile(
      'a.ts',
      [
        "import { type Pid, GenServer } from 'letitcrash'",
        "import * as Room from './room.ts'",
        "import Default from './d.ts'",
        "import { unused } from './u.ts'",
        'export const go = (pid: Pid) => [GenServer.call(pid), Room.post(), Default]',
      ].join('\n'),
    )
    expect(namesUsed(code)).toEqual(
      new Map([
        ['letitcrash', new Set(['GenServer'])],
        ['./room.ts', new Set(['post'])],
        ['./d.ts', new Set(['default'])],
        // Unused, but loaded all the same, as under verbatimModuleSyntax.
        ['./u.ts', new Set()],
      ]),
    )
  })
})
