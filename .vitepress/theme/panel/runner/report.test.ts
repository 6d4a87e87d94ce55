import { describe, it, expect as vitestExpect } from 'vitest'
import { expect } from './expect.ts'
import { firstFrameIn, formatFailure, groupByTask, type RawResult } from './report.ts'

const result = (suites: string[], name: string, state: RawResult['state'] = 'pass'): RawResult => ({
  file: 'counter.test.ts',
  suites,
  name,
  state,
})

describe('groupByTask', () => {
  it('groups tests by their task, in task order, with the describes below the task in the name', () => {
    const tasks = groupByTask([
      result(['task 2: a named counter'], 'registers the name', 'fail'),
      result(['task 1: a counter'], 'starts'),
      result(['task 1: a counter', 'when stopped'], 'frees the name'),
      result(['task 2: a named counter'], 'refuses a second one'),
    ])
    vitestExpect(tasks).toEqual([
      {
        task: 1,
        title: 'a counter',
        tests: [
          { name: 'starts', state: 'pass' },
          { name: 'when stopped › frees the name', state: 'pass' },
        ],
      },
      {
        task: 2,
        title: 'a named counter',
        tests: [
          { name: 'registers the name', state: 'fail' },
          { name: 'refuses a second one', state: 'pass' },
        ],
      },
    ])
  })

  it('puts tests outside a task after the tasks, by their outer describe or their file', () => {
    const tasks = groupByTask([
      result(['helpers', 'inner'], 'works'),
      result([], 'top level'),
      result(['task 10: last'], 'ten'),
    ])
    vitestExpect(tasks.map(({ task, title, tests }) => [task, title, tests[0].name])).toEqual([
      [10, 'last', 'ten'],
      [null, 'helpers', 'inner › works'],
      [null, 'counter.test.ts', 'top level'],
    ])
  })
})

/** The error `assertion` throws (it must throw). */
function failure(assertion: () => void): unknown {
  try {
    assertion()
  } catch (error) {
    return error
  }
  throw new Error('the assertion passed')
}

describe('formatFailure', () => {
  // The expected texts are vitest 4.1.12's own output for the same assertions, colors removed.
  it('words a failed toBe as vitest does: custom message, matcher message, diff', () => {
    vitestExpect(formatFailure(failure(() => expect(3, 'the count').toBe(4)))).toBe(
      [
        'AssertionError: the count: expected 3 to be 4 // Object.is equality',
        '',
        '- Expected',
        '+ Received',
        '',
        '- 4',
        '+ 3',
      ].join('\n'),
    )
  })

  it('shows a deep diff for toEqual, and strings as Expected/Received', () => {
    const deep = formatFailure(
      failure(() => expect([1, { a: 'x' }], 'lists').toEqual([1, { a: 'y' }])),
    )
    vitestExpect(deep).toBe(
      [
        "AssertionError: lists: expected [ 1, { a: 'x' } ] to deeply equal [ 1, { a: 'y' } ]",
        '',
        '- Expected',
        '+ Received',
        '',
        '  [',
        '    1,',
        '    {',
        '-     "a": "y",',
        '+     "a": "x",',
        '    },',
        '  ]',
      ].join('\n'),
    )
    vitestExpect(formatFailure(failure(() => expect('error').toBe('ok')))).toBe(
      [
        "AssertionError: expected 'error' to be 'ok' // Object.is equality",
        '',
        'Expected: "ok"',
        'Received: "error"',
      ].join('\n'),
    )
  })

  it('gives expect.fail and plain errors as name: message', () => {
    vitestExpect(formatFailure(failure(() => expect.fail('nope')))).toBe('AssertionError: nope')
    vitestExpect(formatFailure(new TypeError('x is not a function'))).toBe(
      'TypeError: x is not a function',
    )
    vitestExpect(formatFailure('a string')).toBe('Thrown: a string')
  })

  it('adds where it happened, when the stack passes through an exercise file', () => {
    const error = new Error('TODO: startLink')
    error.stack = [
      'Error: TODO: startLink',
      '    at startLink (counter.ts:29:9)',
      '    at counter.test.ts:33:27',
    ].join('\n')
    vitestExpect(formatFailure(error, ['counter.ts', 'counter.test.ts'])).toBe(
      'Error: TODO: startLink\n\n ❯ counter.ts:29',
    )
  })
})

describe('firstFrameIn', () => {
  it('skips frames outside the given files', () => {
    const stack = 'Error\n    at run (runtime.js:1:2)\n    at counter.test.ts:12:5'
    vitestExpect(firstFrameIn(stack, ['counter.test.ts'])).toBe('counter.test.ts:12')
    vitestExpect(firstFrameIn(stack, ['other.ts'])).toBeUndefined()
  })
})
