import { afterEach, describe, expect, it, vi } from 'vitest'
import { createVitest, eachName, type Outcome, runSuite } from './vitest-shim.ts'

/** Registers tests with `register`, runs them, and returns how each went. */
async function run(register: (api: ReturnType<typeof createVitest>['vitest']) => void) {
  const created = createVitest()
  register(created.vitest)
  const outcomes: Outcome[] = []
  const errors: unknown[] = []
  await runSuite(created, {
    onTestStart: () => {},
    onTestEnd: (outcome) => outcomes.push(outcome),
    onError: (error) => errors.push(error),
  })
  return { outcomes, errors }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('the vitest shim', () => {
  it('runs hooks in vitest’s order: beforeEach outermost first, afterEach innermost first', async () => {
    const order: string[] = []
    // Through `api.`: the shim's hooks, two afterEach in one block on purpose.
    const { outcomes } = await run((api) => {
      api.beforeAll(() => void order.push('beforeAll'))
      api.afterAll(() => void order.push('afterAll'))
      api.beforeEach(() => void order.push('outer before'))
      api.afterEach(() => void order.push('outer after 1'))
      api.afterEach(() => void order.push('outer after 2'))
      api.describe('task 1: inner', () => {
        api.beforeEach(() => {
          order.push('inner before')
          return () => void order.push('cleanup returned by beforeEach')
        })
        api.afterEach(() => void order.push('inner after'))
        api.it('a test', () => void order.push('test'))
      })
    })
    expect(order).toEqual([
      'beforeAll',
      'outer before',
      'inner before',
      'test',
      'cleanup returned by beforeEach',
      'inner after',
      'outer after 2',
      'outer after 1',
      'afterAll',
    ])
    expect(outcomes).toEqual([
      { suites: ['task 1: inner'], name: 'a test', state: 'pass', error: undefined },
    ])
  })

  it('fails a test on a failed assertion, a throw or a failed hook, and goes on with the next', async () => {
    const failedHandler = vi.fn()
    const { outcomes } = await run(({ describe, it, expect, beforeEach }) => {
      describe('task 1', () => {
        it('asserts', () => expect(1).toBe(2))
        it('throws', async () => {
          throw new Error('TODO')
        })
        it('passes', ({ onTestFailed }) => {
          onTestFailed(failedHandler)
        })
      })
      describe('task 2', () => {
        beforeEach(({ onTestFailed }) => {
          onTestFailed(failedHandler)
          throw new Error('setup broke')
        })
        it('never runs', () => {
          throw new Error('ran')
        })
      })
    })
    expect(outcomes.map((o) => [o.name, o.state, (o.error as Error | undefined)?.message])).toEqual(
      [
        ['asserts', 'fail', 'expected 1 to be 2 // Object.is equality'],
        ['throws', 'fail', 'TODO'],
        ['passes', 'pass', undefined],
        ['never runs', 'fail', 'setup broke'],
      ],
    )
    expect(failedHandler).toHaveBeenCalledTimes(1)
  })

  it('fails every test of a block whose beforeAll fails, and reports a failed afterAll', async () => {
    const { outcomes, errors } = await run((api) => {
      api.describe('block', () => {
        api.beforeAll(() => {
          throw new Error('no database')
        })
        api.it('one', () => {})
        api.describe('nested', () => api.it('two', () => {}))
      })
      api.afterAll(() => {
        throw new Error('cleanup failed')
      })
      api.it('outside', () => {})
    })
    expect(outcomes.map((o) => [[...o.suites, o.name].join(' › '), o.state])).toEqual([
      ['block › one', 'fail'],
      ['block › nested › two', 'fail'],
      ['outside', 'pass'],
    ])
    expect((outcomes[1].error as Error).message).toBe('no database')
    expect(errors).toEqual([new Error('cleanup failed')])
  })

  it('stops waiting for a test after its timeout, with vitest’s message', async () => {
    vi.useFakeTimers()
    const running = run(({ it }) => {
      it('waits forever', () => new Promise(() => {}))
      it('has its own timeout', () => new Promise(() => {}), 50)
    })
    await vi.advanceTimersByTimeAsync(2000 + 50)
    const { outcomes } = await running
    expect(outcomes.map((o) => (o.error as Error).message.split('\n')[0])).toEqual([
      'Test timed out in 2000ms.',
      'Test timed out in 50ms.',
    ])
  })

  it('skips it.skip, it.todo and the tests of describe.skip', async () => {
    const { outcomes } = await run(({ describe, it }) => {
      it.skip('skipped', () => {})
      it.todo('later')
      describe.skip('off', () => it('inside', () => {}))
    })
    expect(outcomes.map((o) => o.state)).toEqual(['skip', 'skip', 'skip'])
  })

  it('checks expect.assertions', async () => {
    const { outcomes } = await run(({ it, expect }) => {
      it('counts', () => {
        expect.assertions(2)
        expect(1).toBe(1)
      })
    })
    expect((outcomes[0].error as Error).message).toBe(
      'expected number of assertions to be 2, but got 1',
    )
  })

  it('names it.each tests from their rows', async () => {
    const seen: unknown[] = []
    const { outcomes } = await run(({ it }) => {
      it.each([
        ['an empty body', ''],
        ['no body', undefined],
      ])('refuses %s', (what, body) => void seen.push([what, body]))
    })
    expect(outcomes.map((o) => o.name)).toEqual(['refuses an empty body', 'refuses no body'])
    expect(seen).toEqual([
      ['an empty body', ''],
      ['no body', undefined],
    ])
  })
})

describe('eachName', () => {
  it('formats printf placeholders, %# and $fields as vitest does', () => {
    expect(eachName('refuses the topic %s (%s)', ['lobby', 'no prefix'], 0)).toBe(
      'refuses the topic lobby (no prefix)',
    )
    expect(eachName('case %# is %i', [7], 3)).toBe('case 3 is 7')
    expect(eachName('$user posts $body $n', { user: 'alice', body: 'hi', n: 3 }, 0)).toBe(
      "'alice' posts 'hi' 3",
    )
  })
})
