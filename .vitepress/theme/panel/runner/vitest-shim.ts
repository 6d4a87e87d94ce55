/**
 * The part of `'vitest'` that exercise tests use, small enough to read: `describe`/`it`/`test`
 * (with `.each`, `.skip`, `.todo`), the four hooks, `onTestFailed`, `expect` (vitest's own
 * matchers, see expect.ts) and `vi` (vitest's spies). A test file registers its tests when it is
 * loaded; `runSuite` then runs them in order, like vitest does with its default settings:
 * `beforeEach` hooks outermost first, `afterEach` hooks innermost first (and in reverse order
 * within a block), each test under a timeout.
 */
import {
  clearAllMocks,
  fn,
  isMockFunction,
  resetAllMocks,
  restoreAllMocks,
  spyOn,
} from '@vitest/spy'
import { format, objDisplay } from '@vitest/utils/display'
import { checkAssertions, expect, startAssertions } from './expect.ts'

type Hook = (context: TestContext) => unknown
type TestFn = (context: TestContext) => unknown

export interface TestContext {
  readonly task: { readonly name: string }
  readonly expect: typeof expect
  onTestFailed(handler: () => unknown): void
  onTestFinished(handler: () => unknown): void
}

interface Test {
  readonly kind: 'test'
  readonly name: string
  readonly fn: TestFn | undefined
  readonly timeout: number
  readonly mode: 'run' | 'skip' | 'todo'
}

export interface Suite {
  readonly kind: 'suite'
  readonly name: string
  readonly mode: 'run' | 'skip'
  readonly items: (Suite | Test)[]
  readonly beforeAll: Hook[]
  readonly afterAll: Hook[]
  readonly beforeEach: Hook[]
  readonly afterEach: Hook[]
}

/** As in vitest.exercises.config.ts; a hook may take as long as vitest's default allows. */
export const TEST_TIMEOUT = 2000
const HOOK_TIMEOUT = 10_000

function newSuite(name: string, mode: Suite['mode']): Suite {
  return {
    kind: 'suite',
    name,
    mode,
    items: [],
    beforeAll: [],
    afterAll: [],
    beforeEach: [],
    afterEach: [],
  }
}

type Options = number | { timeout?: number } | undefined
const timeoutOf = (options: Options) =>
  (typeof options === 'number' ? options : options?.timeout) ?? TEST_TIMEOUT

/**
 * A fresh `'vitest'` module for one test file: what the file registers lands in `root`.
 * `onTestFailed` outside a context (the import from 'vitest') applies to the running test.
 */
export function createVitest() {
  const root = newSuite('', 'run')
  let current = root
  let running: { failed: (() => unknown)[] } | undefined

  function describeIn(mode: Suite['mode'], name: string, body?: () => unknown) {
    const suite = newSuite(name, current.mode === 'skip' ? 'skip' : mode)
    current.items.push(suite)
    const parent = current
    current = suite
    try {
      const result = body?.()
      if (result instanceof Promise)
        throw new Error(`describe('${name}') got an async callback: register tests synchronously`)
    } finally {
      current = parent
    }
  }

  function testIn(mode: Test['mode'], name: string, body?: TestFn, options?: Options) {
    const skipped = current.mode === 'skip' && mode === 'run' ? 'skip' : mode
    current.items.push({ kind: 'test', name, fn: body, timeout: timeoutOf(options), mode: skipped })
  }

  const test = Object.assign(
    (name: string, body?: TestFn, options?: Options) => testIn('run', name, body, options),
    {
      skip: (name: string, body?: TestFn) => testIn('skip', name, body),
      todo: (name: string) => testIn('todo', name),
      each:
        (table: readonly unknown[]) =>
        (template: string, body: (...args: any[]) => unknown, options?: Options) =>
          table.forEach((row, index) => {
            const args = Array.isArray(row) ? row : [row]
            testIn('run', eachName(template, row, index), () => body(...args), options)
          }),
    },
  )
  const describe = Object.assign(
    (name: string, body?: () => unknown) => describeIn('run', name, body),
    {
      skip: (name: string, body?: () => unknown) => describeIn('skip', name, body),
      each: (table: readonly unknown[]) => (template: string, body: (...args: any[]) => unknown) =>
        table.forEach((row, index) => {
          const args = Array.isArray(row) ? row : [row]
          describeIn('run', eachName(template, row, index), () => body(...args))
        }),
    },
  )

  const vitest = {
    describe,
    suite: describe,
    it: test,
    test,
    expect,
    beforeAll: (hook: Hook) => void current.beforeAll.push(hook),
    afterAll: (hook: Hook) => void current.afterAll.push(hook),
    beforeEach: (hook: Hook) => void current.beforeEach.push(hook),
    afterEach: (hook: Hook) => void current.afterEach.push(hook),
    onTestFailed: (handler: () => unknown) => {
      if (!running) throw new Error('onTestFailed() can only be called inside a test or a hook')
      running.failed.push(handler)
    },
    vi: { fn, spyOn, isMockFunction, clearAllMocks, resetAllMocks, restoreAllMocks },
  }
  const track = (state: { failed: (() => unknown)[] } | undefined) => {
    running = state
  }
  return { vitest, root, track }
}

/** `it.each` names: `%s`, `%d`, `%j`... as printf, `%#` the row's index, `$key` an object's field. */
export function eachName(template: string, row: unknown, index: number): string {
  let name = template.replaceAll('%#', String(index)).replaceAll('%$', String(index + 1))
  if (Array.isArray(row)) {
    const count = (name.match(/%[sdifjoOc]/g) ?? []).length
    return format(name, ...row.slice(0, count))
  }
  if (row !== null && typeof row === 'object') {
    name = name.replace(/\$([\w.]+)/g, (whole, key: string) => {
      const value = key.split('.').reduce<any>((object, part) => object?.[part], row)
      return value === undefined && !(key in row) ? whole : objDisplay(value, { truncate: 40 })
    })
  }
  return name.includes('%') ? format(name, row) : name
}

/** One finished test: its describe blocks, outermost first, and how it went. */
export interface Outcome {
  readonly suites: readonly string[]
  readonly name: string
  readonly state: 'pass' | 'fail' | 'skip'
  readonly error?: unknown
}

export interface RunHooks {
  onTestStart(suites: readonly string[], name: string): void
  onTestEnd(outcome: Outcome): void
  /** An error outside any test (an afterAll hook). */
  onError(error: unknown): void
}

/** Runs the tests registered in `root`, in order, telling `hooks` about each. */
export async function runSuite(
  created: ReturnType<typeof createVitest>,
  hooks: RunHooks,
): Promise<void> {
  await runIn(created.root, [], [], created.track, hooks)
}

/**
 * Runs a block: its beforeAll hooks, its tests and blocks in order, its afterAll hooks. After a
 * beforeAll fails (here or in a block around it: `setupError`), every test of the block fails
 * with that error without running, as in vitest.
 */
async function runIn(
  suite: Suite,
  names: readonly string[],
  outer: readonly Suite[],
  track: ReturnType<typeof createVitest>['track'],
  hooks: RunHooks,
  inherited?: { error: unknown },
): Promise<void> {
  const chain = [...outer, suite]
  const path = outer.length === 0 ? names : [...names, suite.name]
  const tests = (items: (Suite | Test)[]): Test[] =>
    items.flatMap((item) => (item.kind === 'test' ? [item] : tests(item.items)))
  const runnable =
    !inherited && suite.mode === 'run' && tests(suite.items).some((t) => t.mode === 'run')
  const context = hookContext(suite.name)

  let setupError = inherited
  if (runnable) {
    for (const hook of suite.beforeAll) {
      try {
        await within(() => hook(context), HOOK_TIMEOUT, 'Hook')
      } catch (error) {
        setupError = { error }
        break
      }
    }
  }
  for (const item of suite.items) {
    if (item.kind === 'suite') {
      await runIn(item, path, chain, track, hooks, setupError)
      continue
    }
    hooks.onTestStart(path, item.name)
    if (item.mode !== 'run' || !item.fn) {
      hooks.onTestEnd({ suites: path, name: item.name, state: 'skip' })
    } else if (setupError) {
      hooks.onTestEnd({ suites: path, name: item.name, state: 'fail', error: setupError.error })
    } else {
      const error = await runTest(item, chain, track)
      const state = error === undefined ? 'pass' : 'fail'
      hooks.onTestEnd({ suites: path, name: item.name, state, error })
    }
  }
  if (runnable) {
    for (const hook of [...suite.afterAll].reverse()) {
      // An afterAll error belongs to no test; like vitest, the run reports it and fails.
      await within(() => hook(context), HOOK_TIMEOUT, 'Hook').catch(hooks.onError)
    }
  }
}

/** Runs one test with the beforeEach/afterEach hooks of its blocks; returns its first error. */
async function runTest(
  test: Test,
  chain: readonly Suite[],
  track: ReturnType<typeof createVitest>['track'],
): Promise<unknown> {
  const failed: (() => unknown)[] = []
  const finished: (() => unknown)[] = []
  const cleanups: (() => unknown)[] = []
  const context: TestContext = {
    task: { name: test.name },
    expect,
    onTestFailed: (handler) => void failed.push(handler),
    onTestFinished: (handler) => void finished.push(handler),
  }
  let error: unknown
  const attempt = async (step: () => unknown, timeout: number, what: 'Test' | 'Hook') => {
    try {
      await within(step, timeout, what)
    } catch (thrown) {
      error ??= thrown
    }
  }
  track({ failed })
  startAssertions()
  for (const suite of chain) {
    for (const hook of suite.beforeEach) {
      if (error !== undefined) break
      await attempt(
        async () => {
          const cleanup = await hook(context)
          if (typeof cleanup === 'function') cleanups.unshift(cleanup as () => unknown)
        },
        HOOK_TIMEOUT,
        'Hook',
      )
    }
  }
  if (error === undefined) {
    await attempt(() => test.fn!(context), test.timeout, 'Test')
    if (error === undefined) await attempt(checkAssertions, test.timeout, 'Test')
  }
  for (const cleanup of cleanups) await attempt(cleanup, HOOK_TIMEOUT, 'Hook')
  for (const suite of [...chain].reverse()) {
    for (const hook of [...suite.afterEach].reverse())
      await attempt(() => hook(context), HOOK_TIMEOUT, 'Hook')
  }
  if (error !== undefined)
    for (const handler of failed) await attempt(handler, HOOK_TIMEOUT, 'Hook')
  for (const handler of finished) await attempt(handler, HOOK_TIMEOUT, 'Hook')
  track(undefined)
  return error
}

function hookContext(name: string): TestContext {
  const outside = () => {
    throw new Error('onTestFailed() and onTestFinished() belong in a test or a beforeEach hook')
  }
  return { task: { name }, expect, onTestFailed: outside, onTestFinished: outside }
}

/**
 * Calls `step` (a test, a hook) and waits for it, failing with vitest's words after `ms`. An
 * async function, so that a step that throws at once rejects like one that throws later.
 */
async function within(step: () => unknown, ms: number, what: 'Test' | 'Hook'): Promise<void> {
  const value = step()
  if (typeof (value as Promise<unknown> | undefined)?.then !== 'function') return
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise((_, reject) => {
    const option = what === 'Test' ? 'testTimeout' : 'hookTimeout'
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `${what} timed out in ${ms}ms.\nIf this is a long-running ${what.toLowerCase()}, pass a timeout value as the last argument or configure it globally with "${option}".`,
          ),
        ),
      ms,
    )
  })
  try {
    await Promise.race([value, timeout])
  } finally {
    clearTimeout(timer)
  }
}
