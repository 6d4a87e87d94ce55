/** The build side, on a small repository made up for the test in a temporary folder. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { exerciseFiles, readExercise } from './exercises.ts'
import { exercisesPlugin } from './plugin.ts'

const root = mkdtempSync(join(tmpdir(), 'letitcrash-runner-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

function write(files: Record<string, string>) {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), content)
  }
}

write({
  'exercises/01-demo/README.md':
    '# 01 · Demo\n\n## 1. Do it\n\n## Hints\n\n### 1. Do `it`\n\n<details><summary>Hint 1</summary>\n\n```ts\nconst x = 1\n```\n\n</details>\n',
  'exercises/01-demo/README.ko.md':
    '<!-- source_hash: 0123456789ab -->\n# 01 · 데모\n\n## 힌트\n\n### 1. 해 보기\n\n*본문*\n',
  'exercises/01-demo/demo.ts':
    "import { helper } from './given.ts'\nexport const demo = () => { throw new Error('TODO') }",
  'exercises/01-demo/given.ts': "export { shared as helper } from '../../chat/shared.ts'",
  'exercises/01-demo/demo.test.ts':
    "import { it } from 'vitest'\nimport { demo } from './demo.ts'\nit('demos', () => demo())",
  'exercises/01-demo/meta.json': '{}',
  'solutions/01-demo/demo.ts':
    "import { helper } from './given.ts'\nexport const demo = () => helper()",
  'chat/shared.ts': "import { deep } from './deep.ts'\nexport const shared = () => deep",
  'chat/deep.ts': "import { randomUUID } from 'node:crypto'\nexport const deep = randomUUID",
  'exercises/02-plain/README.md': '# 02 · Plain\n',
  'exercises/02-plain/plain.ts': 'export const x = 1',
  'exercises/02-plain/plain.test.ts': "import { it } from 'vitest'",
  'solutions/02-plain/plain.ts': 'export const x = 2',
})

describe('exerciseFiles', () => {
  it('sorts starter, solution, given and test files, following imports out of the folder', () => {
    const files = exerciseFiles(root, '01-demo')
    expect(Object.keys(files.starter)).toEqual(['demo.ts'])
    expect(Object.keys(files.solution)).toEqual(['demo.ts'])
    expect(Object.keys(files.tests)).toEqual(['demo.test.ts'])
    expect(Object.keys(files.given).sort()).toEqual([
      '../../chat/deep.ts',
      '../../chat/shared.ts',
      'given.ts',
    ])
    expect(files.given['../../chat/deep.ts']).toContain('randomUUID')
  })

  it('refuses a solution file without a starter', () => {
    write({ 'exercises/03-odd/README.md': '# 03 · Odd\n', 'solutions/03-odd/extra.ts': '' })
    expect(() => exerciseFiles(root, '03-odd')).toThrow(
      'solutions/03-odd/extra.ts has no starter: add exercises/03-odd/extra.ts for the learner to edit',
    )
    rmSync(join(root, 'exercises/03-odd'), { recursive: true })
    rmSync(join(root, 'solutions/03-odd'), { recursive: true })
  })
})

describe('readExercise', () => {
  it('gives titles and hints per language, and the browser rule over every file', async () => {
    const read: string[] = []
    const data = await readExercise(root, '01-demo', (path) => read.push(path))
    expect(data.title).toEqual({ en: 'Demo', ko: '데모' })
    expect(data.hints.en).toHaveLength(1)
    expect(data.hints.en[0]).toMatchObject({ task: 1, title: 'Do it' })
    expect(data.hints.en[0].html).toMatch(/^<details><summary>Hint 1<\/summary>/)
    expect(data.hints.en[0].html).toContain('<div class="language-ts vp-adaptive-theme">')
    expect(data.hints.en[0].html).toContain(
      '<pre class="shiki vp-code shiki-themes github-light github-dark',
    )
    expect(data.hints.ko).toEqual([{ task: 1, title: '해 보기', html: '<p><em>본문</em></p>\n' }])
    // chat/deep.ts, two imports away, needs Node.
    expect(data.runsInBrowser).toBe(false)
    expect(data.reason).toContain('node:crypto (../../chat/deep.ts)')
    expect(read).toContain(join(root, 'chat/deep.ts'))
  })

  it('has English only when there is no Korean README', async () => {
    const data = await readExercise(root, '02-plain')
    expect(data.title).toEqual({ en: 'Plain' })
    expect(data.hints).toEqual({ en: [] })
    expect(data.runsInBrowser).toBe(true)
    expect(data).not.toHaveProperty('reason')
  })
})

describe('exercisesPlugin', () => {
  it('lists every exercise as a chunk of its own, and serves its data', async () => {
    const plugin = exercisesPlugin(root)
    const context = { addWatchFile: () => {} }
    const index = plugin.resolveId('virtual:letitcrash/exercises')!
    expect(await plugin.load.call(context, index)).toBe(
      [
        'export const exercises = {',
        '  "01-demo": () => import("virtual:letitcrash/exercise/01-demo"),',
        '  "02-plain": () => import("virtual:letitcrash/exercise/02-plain"),',
        '}',
        '',
      ].join('\n'),
    )
    const one = await plugin.load.call(
      context,
      plugin.resolveId('virtual:letitcrash/exercise/02-plain')!,
    )
    expect(JSON.parse(one!.replace(/^export default /, '')).starter).toEqual({
      'plain.ts': 'export const x = 1',
    })
    expect(plugin.resolveId('vue')).toBeUndefined()
  })
})
