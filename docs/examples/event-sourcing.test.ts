import { Agent, GenServer, Process } from 'letitcrash'
import { describe, expect, it } from 'vitest'
import { ok, useVirtualNode } from '../../runtime/test/helpers.ts'
import {
  type AccountEvent,
  decide,
  evolve,
  opened,
  startAccount,
  statement,
} from './event-sourcing.ts'

const t = useVirtualNode()

describe('chapter 14: event sourcing', () => {
  it('decide refuses what must not happen, and evolve applies what did', () => {
    const rich = evolve(opened, { type: 'deposited', amount: 100, at: 0 })
    expect(rich).toEqual({ balance: 100 })
    expect(decide(rich, { type: 'withdraw', amount: 150 }, 5)).toEqual([
      'error',
      'insufficient_funds',
    ])
    expect(decide(rich, { type: 'deposit', amount: -1 }, 5)).toEqual([
      'error',
      'amount_must_be_positive',
    ])
    expect(decide(rich, { type: 'withdraw', amount: 30 }, 5)).toEqual([
      'ok',
      [{ type: 'withdrawn', amount: 30, at: 5 }],
    ])
  })

  it('a crashed account replays its log and comes back with the same balance', async () => {
    ok(await startAccount('alice'))
    // #region replay
    await GenServer.call('alice', { type: 'deposit', amount: 100 })
    await GenServer.call('alice', { type: 'withdraw', amount: 30 })
    expect(
      await GenServer.call('alice', { type: 'withdraw', amount: 500 }),
    ).toEqual(['error', 'insufficient_funds'])

    Process.exit(Process.whereis('alice')!, 'kill')
    await t.clock.runUntilIdle()

    // A new process, rebuilt from the two events in the log: deposited 100, withdrawn 30.
    expect(await GenServer.call('alice', 'balance')).toBe(70)
    // #endregion replay
  })

  it('a refused command stores nothing', async () => {
    ok(await startAccount('bob'))
    await GenServer.call('bob', { type: 'withdraw', amount: 1 })
    expect(await Agent.get('bob.log', (log: AccountEvent[]) => log)).toEqual([])
  })

  it('when the log crashes, rest_for_one restarts the account with it', async () => {
    ok(await startAccount('carol'))
    await GenServer.call('carol', { type: 'deposit', amount: 10 })
    const account = Process.whereis('carol')
    Process.exit(Process.whereis('carol.log')!, 'kill')
    await t.clock.runUntilIdle()
    expect(Process.whereis('carol')).not.toBe(account)
    // The log was in memory and is gone; the account agrees with it.
    expect(await GenServer.call('carol', 'balance')).toBe(0)
  })

  it('a projection reads the same events for a different question', async () => {
    ok(await startAccount('dave'))
    await GenServer.call('dave', { type: 'deposit', amount: 50 })
    await t.clock.advance(1000)
    await GenServer.call('dave', { type: 'withdraw', amount: 20 })
    const log = await Agent.get('dave.log', (events: AccountEvent[]) => events)
    expect(statement(log)).toEqual(['0 ms  +50  = 50', '1000 ms  -20  = 30'])
  })
})
