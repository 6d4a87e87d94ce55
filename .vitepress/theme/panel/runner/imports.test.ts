import { describe, expect, it } from 'vitest'
import { browserSupport, importsOf, resolvePath } from './imports.ts'

describe('importsOf', () => {
  it('finds static imports, re-exports, bare and dynamic imports, in order', () => {
    const source = [
      "import { type Pid, GenServer } from 'letitcrash'",
      'import {',
      '  startLink,',
      '  type Counter,',
      "} from './counter.ts'",
      "import type { Db } from './db.ts'",
      "import * as Room from './room.ts'",
      "export { x } from '../../chat/x.ts'",
      "import 'side-effect'",
      "const lazy = () => import('node:fs')",
    ].join('\n')
    expect(importsOf(source)).toEqual([
      'letitcrash',
      './counter.ts',
      './db.ts',
      './room.ts',
      '../../chat/x.ts',
      'side-effect',
      'node:fs',
    ])
  })

  it('ignores an import in a comment or a string', () => {
    const source = [
      "// TODO (task 3): import { endpointBroadcast } from './channel.ts'",
      'const text = \'import { x } from "node:fs"\'',
    ].join('\n')
    expect(importsOf(source)).toEqual([])
  })
})

describe('resolvePath', () => {
  it('resolves a relative import against the importing file', () => {
    expect(resolvePath('counter.test.ts', './counter.ts')).toBe('counter.ts')
    expect(resolvePath('room.ts', '../../chat/room.ts')).toBe('../../chat/room.ts')
    expect(resolvePath('../../chat/room.ts', './store.ts')).toBe('../../chat/store.ts')
    expect(resolvePath('../../chat/server/a.ts', '../b.ts')).toBe('../../chat/b.ts')
  })
})

describe('browserSupport', () => {
  it('runs in the browser when the files import only each other and the runner’s modules', () => {
    expect(
      browserSupport({
        'a.test.ts': "import { describe } from 'vitest'\nimport { a } from './a.ts'",
        'a.ts': "import { GenServer } from 'letitcrash'\nimport { setup } from 'xstate'",
      }),
    ).toEqual({ runsInBrowser: true })
  })

  it('needs Node for a node: module or another package, and says which file imports it', () => {
    const support = browserSupport({
      'db.ts': "import { PGlite } from '@electric-sql/pglite'\nimport { tmpdir } from 'node:os'",
      'token.ts': "import { createHmac } from 'node:crypto'",
    })
    expect(support.runsInBrowser).toBe(false)
    expect(!support.runsInBrowser && support.reason).toBe(
      'These tests need Node: the exercise imports @electric-sql/pglite (db.ts), node:os (db.ts), node:crypto (token.ts), which a browser does not have.',
    )
  })
})
