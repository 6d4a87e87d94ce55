/**
 * Chapter 14's state machine sample: a circuit breaker, an XState machine run as a supervised
 * process. After three failures in a row it opens, and callers are refused at once instead of
 * waiting for a service that is down; ten seconds later it lets one call through to find out.
 * `circuit-breaker.test.ts` walks it through its states on a virtual clock.
 */
import { StateMachine } from 'letitcrash'
import { assign, setup } from 'xstate'

export const MAX_FAILURES = 3
export const COOL_DOWN_MS = 10_000

// #region machine
export const breaker = setup({
  types: {} as {
    context: { failures: number }
    events: { type: 'success' } | { type: 'failure' }
  },
  delays: { coolDown: COOL_DOWN_MS },
  guards: { lastStraw: ({ context }) => context.failures + 1 >= MAX_FAILURES },
}).createMachine({
  id: 'breaker',
  context: { failures: 0 },
  initial: 'closed',
  states: {
    closed: {
      on: {
        success: { actions: assign({ failures: 0 }) },
        failure: [
          { guard: 'lastStraw', target: 'open' },
          {
            actions: assign({
              failures: ({ context }) => context.failures + 1,
            }),
          },
        ],
      },
    },
    // No `on`: outcomes reported while open are ignored. The timer belongs to the state.
    open: { entry: assign({ failures: 0 }), after: { coolDown: 'half_open' } },
    half_open: { on: { success: 'closed', failure: 'open' } },
  },
})
// #endregion machine

// #region guarded
/** Runs `fn` through the breaker registered as `name`; refused at once while it is open. */
export async function guarded<T>(
  name: string,
  fn: () => Promise<T>,
): Promise<T> {
  const { value } = await StateMachine.getState<typeof breaker>(name)
  if (value === 'open') throw new Error(`${name}: circuit open, not calling`)
  try {
    const result = await fn()
    StateMachine.cast<typeof breaker>(name, { type: 'success' })
    return result
  } catch (error) {
    StateMachine.cast<typeof breaker>(name, { type: 'failure' })
    throw error
  }
}
// #endregion guarded

// #region child
/** A child spec for a supervisor: the breaker registered as `name`. */
export function breakerSpec(name: string) {
  return { ...StateMachine.childSpec(breaker, { name }), id: name }
}
// #endregion child
