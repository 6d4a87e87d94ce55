/**
 * `expect` as vitest builds it (vitest's `createExpect`), from the same packages: chai with
 * vitest's matchers, so assertions pass, fail and word their failures exactly as under vitest.
 * Left out: snapshots, `expect.poll` and `expect.soft`, which the exercises do not use.
 */
import {
  ASYMMETRIC_MATCHERS_OBJECT,
  ChaiStyleAssertions,
  chai,
  type ExpectStatic,
  GLOBAL_EXPECT,
  getState,
  JestAsymmetricMatchers,
  JestChaiExpect,
  JestExtend,
  setState,
} from '@vitest/expect'

chai.use(JestExtend)
chai.use(JestChaiExpect)
chai.use(ChaiStyleAssertions)
chai.use(JestAsymmetricMatchers)

function createExpect(): ExpectStatic {
  const expect = ((value: unknown, message?: string) => {
    const { assertionCalls } = getState(expect)
    setState({ assertionCalls: assertionCalls + 1 }, expect)
    return chai.expect(value, message)
  }) as ExpectStatic
  Object.assign(expect, chai.expect)
  Object.assign(expect, (globalThis as Record<symbol, unknown>)[ASYMMETRIC_MATCHERS_OBJECT])
  expect.getState = () => getState(expect)
  expect.setState = (state) => setState(state, expect)
  setState(
    {
      assertionCalls: 0,
      isExpectingAssertions: false,
      isExpectingAssertionsError: null,
      expectedAssertionsNumber: null,
      expectedAssertionsNumberErrorGen: null,
    },
    expect,
  )
  expect.assert = chai.assert
  // chai's extend takes the expect to extend; its types leave that out (vitest casts too).
  const extend = (chai.expect as unknown as { extend: (...args: unknown[]) => void }).extend
  expect.extend = (matchers) => extend(expect, matchers)
  expect.unreachable = (message?: string) => {
    chai.assert.fail(`expected${message ? ` "${message}" ` : ' '}not to be reached`)
  }
  chai.util.addMethod(expect, 'assertions', (expected: number) => {
    expect.setState({
      expectedAssertionsNumber: expected,
      expectedAssertionsNumberErrorGen: () =>
        new Error(
          `expected number of assertions to be ${expected}, but got ${expect.getState().assertionCalls}`,
        ),
    })
  })
  chai.util.addMethod(expect, 'hasAssertions', () => {
    expect.setState({
      isExpectingAssertions: true,
      isExpectingAssertionsError: new Error('expected any number of assertion, but got none'),
    })
  })
  return expect
}

export const expect = createExpect()
// Matchers find the state through this global. Under vitest itself (this folder's unit tests)
// vitest's own expect holds it, and keeps it.
if (!(GLOBAL_EXPECT in globalThis)) {
  Object.defineProperty(globalThis, GLOBAL_EXPECT, { value: expect, writable: true })
}

/** Resets the assertion count before a test; after it, throws if `expect.assertions(n)` failed. */
export function startAssertions(): void {
  expect.setState({
    assertionCalls: 0,
    isExpectingAssertions: false,
    isExpectingAssertionsError: null,
    expectedAssertionsNumber: null,
    expectedAssertionsNumberErrorGen: null,
  })
}

export function checkAssertions(): void {
  const state = expect.getState()
  if (
    state.expectedAssertionsNumber !== null &&
    state.assertionCalls !== state.expectedAssertionsNumber
  )
    throw state.expectedAssertionsNumberErrorGen!()
  if (state.isExpectingAssertions && state.assertionCalls === 0)
    throw state.isExpectingAssertionsError
}
