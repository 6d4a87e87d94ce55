import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Exercise } from './catalog.ts'
import {
  chapterOrderProblems,
  type FileRecord,
  fileProblems,
  folderProblems,
  metaProblems,
  readmeTasks,
  recordsFromVitestJson,
  solutionFindings,
  starterFindings,
  type TestRecord,
  taskCoverageProblems,
} from './rules.ts'

const README = `# 09 · Example

## 1. First thing

## 2. Second thing

## Hints

### 1. First thing
<details><summary>Hint 1</summary>...</details>

### 2. Second thing
`

const tasks = [
  { number: 1, title: 'First thing' },
  { number: 2, title: 'Second thing' },
]

describe('readmeTasks', () => {
  it('reads the numbered tasks before the hints', () => {
    expect(readmeTasks(README)).toEqual({ tasks, problems: [] })
  })

  it('wants tasks numbered from 1 without gaps', () => {
    const { problems } = readmeTasks(README.replace('## 2. Second', '## 3. Second'))
    expect(problems).toContain("README task '## 3.' should be number 2")
  })

  it('wants a hints section with a heading per task', () => {
    expect(readmeTasks('## 1. Only\n').problems).toEqual(["README has no '## Hints' section"])
    expect(readmeTasks(README.replace('### 2. Second thing', '')).problems).toEqual([
      "README hints have no '### N.' heading for task 2",
    ])
  })

  it('wants at least one task', () => {
    expect(readmeTasks('# Nothing\n\n## Hints\n').problems[0]).toMatch(/no tasks/)
  })
})

describe('metaProblems', () => {
  const exercise = { folder: '09-example', number: '09', slug: 'example' } as Exercise
  const meta = {
    slug: 'example',
    title: 'Example',
    chapter: 3,
    concepts: ['x'],
    prerequisites: [],
    outOfScope: [],
  }

  it('accepts the documented shape', () => {
    expect(metaProblems(meta, exercise)).toEqual([])
  })

  it('names wrong, missing and unknown keys', () => {
    const { title: _, ...withoutTitle } = meta
    expect(metaProblems({ ...withoutTitle, extra: 1 }, exercise)).toEqual([
      'meta.json has unknown keys: extra',
      'meta.json lacks: title',
    ])
    expect(metaProblems({ ...meta, slug: '09-example' }, exercise)).toEqual([
      'meta.json slug is "09-example", the folder says \'example\'',
    ])
    expect(metaProblems({ ...meta, chapter: '3' }, exercise)).toEqual([
      'meta.json chapter must be a CURRICULUM.md chapter number, got 3',
    ])
    expect(metaProblems({ ...meta, concepts: 'x' }, exercise)).toEqual([
      'meta.json concepts must be an array of strings',
    ])
    expect(metaProblems([], exercise)).toEqual(['meta.json is not a JSON object'])
  })
})

describe('chapterOrderProblems', () => {
  it('flags an exercise whose chapter comes before the previous one', () => {
    const chapters = new Map([
      ['01-a', 1],
      ['03-c', 2],
      ['02-b', 3],
    ])
    expect([...chapterOrderProblems(chapters).keys()]).toEqual(['03-c'])
  })
})

describe('folderProblems', () => {
  it('wants NN-slug names, unique numbers, and a solution for each exercise', () => {
    const problems = folderProblems(['01-a', '02-b', '02-c', 'x'], ['01-a', '02-b', '02-c', '05-e'])
    expect(problems.get('01-a')).toBeUndefined()
    expect(problems.get('02-b')).toEqual(['number 02 is taken twice (also 02-c)'])
    expect(problems.get('x')).toEqual([
      'folder name must be NN-slug (two digits, a dash, a kebab-case slug)',
      'no solution folder solutions/x/',
    ])
    expect(problems.get('05-e')).toEqual(['solutions/05-e/ has no exercise exercises/05-e/'])
  })
})

describe('fileProblems', () => {
  let root: string
  afterEach(() => rmSync(root, { recursive: true, force: true }))

  function exercise(files: Record<string, string>): Exercise {
    root = mkdtempSync(join(tmpdir(), 'letitcrash-rules-'))
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(root, path, '..'), { recursive: true })
      writeFileSync(join(root, path), content)
    }
    const dir = join(root, 'exercises/09-x')
    return {
      folder: '09-x',
      number: '09',
      slug: 'x',
      dir,
      solutionDir: join(root, 'solutions/09-x'),
    }
  }

  it('accepts a starter with TODOs and a solution with the same file names', () => {
    const e = exercise({
      'exercises/09-x/README.md': '',
      'exercises/09-x/meta.json': '{}',
      'exercises/09-x/x.ts': "throw new Error('TODO: x')",
      'exercises/09-x/x.test.ts': '',
      'solutions/09-x/x.ts': 'export {}',
    })
    expect(fileProblems(e)).toEqual([])
  })

  it('flags a starter without TODO, a solution with one, stray and test files in solutions', () => {
    const e = exercise({
      'exercises/09-x/README.md': '',
      'exercises/09-x/meta.json': '{}',
      'exercises/09-x/x.ts': 'export {}',
      'exercises/09-x/x.test.ts': '',
      'solutions/09-x/x.ts': '// TODO: finish',
      'solutions/09-x/y.ts': '',
      'solutions/09-x/x.test.ts': '',
    })
    expect(fileProblems(e)).toEqual([
      "the starter has no 'TODO:' marking where the learner writes code",
      'solutions/09-x/x.test.ts: tests belong in exercises/ only',
      "solutions/09-x/x.ts still contains 'TODO:'",
      'solutions/09-x/y.ts has no starter exercises/09-x/y.ts',
    ])
  })
})

describe('starterFindings', () => {
  it('is an error when the starter already passes every test of a task', () => {
    const files = [file([test(1, 'failed'), test(1, 'passed'), test(2, 'passed')])]
    expect(starterFindings(tasks, files).problems).toEqual([
      'the starter already passes task 2 (Second thing): its tests must fail until the learner does the task',
    ])
  })

  it('accepts a starter that fails at least one test of every task', () => {
    const files = [file([test(1, 'failed'), test(2, 'passed'), test(2, 'failed')])]
    expect(starterFindings(tasks, files)).toEqual({ problems: [], warnings: [] })
  })

  it('warns when a task fails only by timing out', () => {
    const files = [file([test(1, 'failed'), { ...test(2, 'failed'), timedOut: true }])]
    expect(starterFindings(tasks, files).warnings[0]).toMatch(/task 2 fails .* only by timing out/)
  })

  it('is an error when the tests do not even load', () => {
    const broken: FileRecord = { ...file([]), loadError: 'SyntaxError: nope' }
    expect(starterFindings(tasks, [broken]).problems).toEqual([
      'x.test.ts does not run against the starter: SyntaxError: nope',
    ])
  })
})

describe('solutionFindings', () => {
  it('wants every test to pass and none skipped', () => {
    const files = [file([test(1, 'passed'), test(2, 'failed'), test(2, 'skipped')])]
    expect(solutionFindings(files).problems).toEqual([
      "the solution fails 'task 2: t > failed test': boom",
      "'task 2: t > skipped test' is skipped (.skip/.todo/.only hide gaps)",
    ])
  })
})

describe('taskCoverageProblems', () => {
  it('wants a test group per task, every test in a task, no unknown task numbers', () => {
    const files = [file([test(1, 'passed'), test(3, 'passed'), test(undefined, 'passed')])]
    expect(taskCoverageProblems(tasks, files)).toEqual([
      "task 2 has no tests (describe('task 2: ...'))",
      "test 'task undefined: t > passed test' is not inside a describe('task N: ...')",
      'tests for task 3, which the README lacks',
    ])
  })
})

describe('recordsFromVitestJson', () => {
  it('groups test files by exercise folder and reads task numbers and timeouts', () => {
    const records = recordsFromVitestJson({
      success: false,
      testResults: [
        {
          name: '/repo/exercises/09-x/x.test.ts',
          status: 'failed',
          message: '',
          startTime: 100,
          endTime: 150,
          assertionResults: [
            { ancestorTitles: ['task 2: two', 'inner'], title: 'a', status: 'passed' },
            {
              ancestorTitles: ['other'],
              title: 'b',
              status: 'failed',
              failureMessages: ['Error: Test timed out in 2000ms.\n  at ...'],
            },
          ],
        },
        {
          name: '/repo/exercises/09-x/y.test.ts',
          status: 'failed',
          message: 'SyntaxError: bad\nmore',
          startTime: 0,
          endTime: 0,
          assertionResults: [],
        },
      ],
    })
    expect(records.get('09-x')).toEqual([
      {
        file: 'x.test.ts',
        loadError: undefined,
        durationMs: 50,
        tests: [
          {
            task: 2,
            name: 'task 2: two > inner > a',
            status: 'passed',
            message: '',
            timedOut: false,
          },
          {
            task: undefined,
            name: 'other > b',
            status: 'failed',
            message: 'Error: Test timed out in 2000ms.',
            timedOut: true,
          },
        ],
      },
      { file: 'y.test.ts', loadError: 'SyntaxError: bad', durationMs: 0, tests: [] },
    ])
  })
})

function test(task: number | undefined, status: TestRecord['status']): TestRecord {
  const message = status === 'failed' ? 'boom' : ''
  return { task, name: `task ${task}: t > ${status} test`, status, message, timedOut: false }
}

function file(tests: TestRecord[]): FileRecord {
  return { file: 'x.test.ts', loadError: undefined, tests, durationMs: 10 }
}
