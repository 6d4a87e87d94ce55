import { Process, StateMachine, Supervisor } from 'letitcrash'
import { describe, expect, it } from 'vitest'
import { ok, useVirtualNode } from '../../runtime/test/helpers.ts'
import {
  breaker,
  breakerSpec,
  COOL_DOWN_MS,
  guarded,
} from './circuit-breaker.ts'

const t = useVirtualNode()

/** A payment service that is down: every call fails, and we count the calls. */
function downService() {
  const service = { calls: 0, pay: async () => {} }
  service.pay = async () => {
    service.calls++
    throw new Error('payment service unavailable')
  }
  return service
}

async function stateOf(name: string) {
  return (await StateMachine.getState<typeof breaker>(name)).value
}

describe('chapter 14: a circuit breaker as a state machine process', () => {
  it('opens after three failures in a row, then refuses without calling', async () => {
    ok(
      await Supervisor.startLink([breakerSpec('payments')], {
        strategy: 'one_for_one',
      }),
    )
    const service = downService()
    // #region open
    for (let attempt = 1; attempt <= 3; attempt++)
      await expect(guarded('payments', service.pay)).rejects.toThrow(
        /unavailable/,
      )
    await t.clock.settle()
    expect(await stateOf('payments')).toBe('open')

    // While open, callers are refused at once: the service is not even called.
    await expect(guarded('payments', service.pay)).rejects.toThrow(
      /circuit open/,
    )
    expect(service.calls).toBe(3)
    // #endregion open
  })

  it('a success in closed resets the count', async () => {
    ok(await StateMachine.start(breaker, { name: 'b' }))
    await StateMachine.call('b', { type: 'failure' })
    await StateMachine.call('b', { type: 'failure' })
    await StateMachine.call('b', { type: 'success' })
    const { value, context } = await StateMachine.call('b', { type: 'failure' })
    expect(value).toBe('closed')
    expect(context).toEqual({ failures: 1 })
  })

  it('tries again after the cool-down: one success closes, one failure reopens', async () => {
    ok(await StateMachine.start(breaker, { name: 'b' }))
    // #region half-open
    for (let i = 0; i < 3; i++)
      await StateMachine.call('b', { type: 'failure' })
    await t.clock.advance(COOL_DOWN_MS)
    expect(await stateOf('b')).toBe('half_open')

    expect((await StateMachine.call('b', { type: 'failure' })).value).toBe(
      'open',
    )
    await t.clock.advance(COOL_DOWN_MS)
    expect((await StateMachine.call('b', { type: 'success' })).value).toBe(
      'closed',
    )
    // #endregion half-open
  })

  it('ignores outcomes reported while open', async () => {
    ok(await StateMachine.start(breaker, { name: 'b' }))
    for (let i = 0; i < 3; i++)
      await StateMachine.call('b', { type: 'failure' })
    expect((await StateMachine.call('b', { type: 'success' })).value).toBe(
      'open',
    )
    await t.clock.advance(COOL_DOWN_MS - 1)
    expect(await stateOf('b')).toBe('open')
  })

  it('a killed breaker is restarted by its supervisor, closed', async () => {
    ok(
      await Supervisor.startLink([breakerSpec('payments')], {
        strategy: 'one_for_one',
      }),
    )
    for (let i = 0; i < 3; i++)
      await StateMachine.call('payments', { type: 'failure' })
    const before = Process.whereis('payments')!
    Process.exit(before, 'kill')
    await t.clock.runUntilIdle()
    expect(Process.whereis('payments')).not.toBe(before)
    expect(await stateOf('payments')).toBe('closed')
  })
})
