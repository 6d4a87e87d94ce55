import { GenServer, Observer, Telemetry } from 'letitcrash'
import { afterEach, describe, expect, it } from 'vitest'
import { ok, useVirtualNode } from '../../runtime/test/helpers.ts'
import { logRestarts, startShop, watchSlowCalls } from './monitoring.ts'

const t = useVirtualNode()

afterEach(() => {
  for (const { id } of Telemetry.listHandlers()) Telemetry.detach(id)
})

describe('chapter 13: monitoring', () => {
  it('the observer draws the supervision tree and lists every process', async () => {
    ok(await startShop())
    // #region format
    const text = Observer.format(Observer.snapshot())
    expect(text.split('\n').slice(0, 4)).toEqual([
      'nonode@nohost, 3 processes, clock at 0 ms',
      "#PID<0.1.0> 'shop' Supervisor one_for_one, restarts 0 (0 of 3 in 5 s)",
      '├─ visits  #PID<0.2.0> GenServer  worker permanent',
      '└─ packer  #PID<0.3.0> GenServer  worker permanent',
    ])
    // #endregion format
    expect(text).toMatch(/#PID<0\.3\.0> +packer +GenServer/)
  })

  it('a snapshot shows the mailbox of a process that falls behind', async () => {
    ok(await startShop(20))
    // #region mailbox
    // Ten orders at once; the packer takes 20 ms for each, one after the other.
    const orders = Array.from({ length: 10 }, () =>
      GenServer.call('packer', 'order'),
    )
    await t.clock.settle() // everyone runs as far as they can without time passing

    const packer = Observer.snapshot().processes.find(
      (p) => p.name === 'packer',
    )!
    expect(packer.messageQueueLength).toBe(9) // one being packed, nine waiting

    await t.clock.advance(200)
    expect(await Promise.all(orders)).toHaveLength(10)
    // #endregion mailbox
    const after = Observer.snapshot().processes.find(
      (p) => p.name === 'packer',
    )!
    expect(after.messageQueueLength).toBe(0)
    expect(after.messageCount).toBe(10)
  })

  it('telemetry sees the calls that waited in the queue', async () => {
    ok(await startShop(20))
    // #region slow
    const slow = watchSlowCalls('slow-calls', 50)
    const orders = Array.from({ length: 5 }, () =>
      GenServer.call('packer', 'order'),
    )
    await t.clock.advance(100)
    await Promise.all(orders)

    // Each order takes 20 ms, but the fifth waited for four others: 100 ms in all.
    expect(slow.map((call) => call.ms)).toEqual([60, 80, 100])
    // #endregion slow
    expect(slow.every((call) => call.server === 'packer')).toBe(true)
  })

  it('watchSlowCalls refuses an id that is taken', () => {
    watchSlowCalls('twice', 10)
    expect(() => watchSlowCalls('twice', 10)).toThrow(/attached already/)
  })

  it('logs each restart, and the supervisor that gives up', async () => {
    ok(await startShop())
    const lines: string[] = []
    logRestarts('restarts', (line) => lines.push(line))
    for (let crash = 1; crash <= 4; crash++) {
      GenServer.cast('visits', 'crash')
      await t.clock.advance(100)
    }
    expect(lines).toHaveLength(4)
    expect(lines[0]).toMatch(
      /^#PID<\d+\.1\.0> restarts visits \(Error: visits crashed\)$/,
    )
    expect(lines[3]).toMatch(
      /^#PID<\d+\.1\.0> gives up after visits \(Error: visits crashed\)$/,
    )
  })
})
