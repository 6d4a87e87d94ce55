/**
 * The worker's side of a run, here in Node: the same loader, shim and reports, against the
 * real runtime and the real exercises.
 */
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import * as xstate from 'xstate'
import * as letitcrash from '../../../../runtime/index.ts'
import type { Locale } from '../contract.ts'
import { exerciseFiles, exerciseIds } from './exercises.ts'
import { browserSupport } from './imports.ts'
import type { RawResult } from './report.ts'
import { runRequest } from './run.ts'

const root = fileURLToPath(new URL('../../../../', import.meta.url))

async function run(files: Record<string, string>, testFiles: string[], locale: Locale = 'en') {
  const results: RawResult[] = []
  const errors: string[] = []
  await runRequest({ type: 'run', files, testFiles, locale }, { letitcrash, xstate }, (event) => {
    if (event.type === 'result') results.push(event.result)
    if (event.type === 'error') errors.push(event.message)
  })
  return { results, errors }
}

const exercises = exerciseIds(root).map((id) => {
  const files = exerciseFiles(root, id)
  const all = { ...files.tests, ...files.starter, ...files.solution, ...files.given }
  return { id, files, support: browserSupport(all) }
})

describe.each(exercises.filter((e) => e.support.runsInBrowser))('exercise $id', ({ files }) => {
  const tests = Object.keys(files.tests)
  it('fails with the starter, passes with the solution', async () => {
    const starter = await run({ ...files.given, ...files.tests, ...files.starter }, tests)
    expect(starter.errors).toEqual([])
    expect(
      starter.results.some((r) => r.state === 'fail'),
      'the starter fails some test',
    ).toBe(true)
    const solution = await run({ ...files.given, ...files.tests, ...files.solution }, tests)
    expect(solution.errors).toEqual([])
    expect(solution.results.filter((r) => r.state !== 'pass')).toEqual([])
    expect(solution.results.length).toBe(starter.results.length)
  })
})

it('runs most exercises in the browser; the others import a Node module', () => {
  const inNode = exercises.filter((e) => !e.support.runsInBrowser)
  expect(inNode.length).toBeLessThan(exercises.length / 2)
  for (const { support } of inNode) {
    expect(!support.runsInBrowser && support.reason).toMatch(/^These tests need Node: .*(node:|@)/)
  }
})

describe('runRequest', () => {
  it('sets LETITCRASH_LOCALE for the tests', async () => {
    const files = {
      'locale.test.ts':
        "import { expect, it } from 'vitest'\nit('sees ko', () => expect((globalThis as any).LETITCRASH_LOCALE).toBe('ko'))",
    }
    expect((await run(files, ['locale.test.ts'], 'ko')).results[0].state).toBe('pass')
    expect((await run(files, ['locale.test.ts'], 'en')).results[0].state).toBe('fail')
  })

  it('gives a failed test the crash reports and console output logged during it', async () => {
    const files = {
      'logs.test.ts': [
        "import { createNode, setDefaultNode, spawn } from 'letitcrash'",
        "import { expect, it } from 'vitest'",
        "it('passes quietly', () => console.log('not shown'))",
        "it('fails loudly', async () => {",
        "  const node = createNode({ clock: 'virtual' })",
        '  setDefaultNode(node)',
        "  spawn(() => { throw new Error('boom') })",
        '  await node.clock.settle()',
        "  console.log('the count is', 3)",
        '  expect(1).toBe(2)',
        '})',
      ].join('\n'),
    }
    const { results } = await run(files, ['logs.test.ts'])
    expect(results[0]).not.toHaveProperty('logs')
    expect(results[1].logs).toMatch(
      /^\[crash\] process #PID<[\d.]+> crashed: Error: boom\n ❯ logs\.test\.ts:7\nthe count is 3$/,
    )
  })

  it('reports a test file that cannot load, naming the problem', async () => {
    const files = {
      'a.test.ts': "import { nothing } from './a.ts'\nnothing()",
      'a.ts': 'export {}',
    }
    expect(await run(files, ['a.test.ts'])).toEqual({
      results: [],
      errors: [
        "a.test.ts could not run.\nSyntaxError: The requested module './a.ts' does not provide an export named 'nothing' (imported by a.test.ts)",
      ],
    })
  })
})
