import { CallTimeoutError, ExitError, GenServer, NoProcError } from 'letitcrash'
import { describe, expect, it } from 'vitest'
import { ok, useVirtualNode } from '../../runtime/test/helpers.ts'
import { Counter, increment, startLink, tickEvery, value } from './counter.ts'

const t = useVirtualNode()

describe('chapter 3: the counter GenServer', () => {
  it('starts at its initial value, counts casts and answers calls', async () => {
    const counter = ok(await startLink(10))
    increment(counter)
    increment(counter, 5)
    expect(await value(counter)).toBe(16)
  })

  it('is reached by name', async () => {
    ok(await startLink(0, { name: 'counter' }))
    increment('counter')
    expect(await value('counter')).toBe(1)
    expect(GenServer.whereis('counter')).toBeDefined()
  })

  it('counts the ticks sent to handleInfo', async () => {
    const counter = ok(await startLink(0))
    tickEvery(counter, 1000, 3)
    await t.clock.advance(2000)
    expect(await value(counter)).toBe(2)
    await t.clock.advance(1000)
    expect(await value(counter)).toBe(3)
  })

  it('a call to a server that is not running fails with noproc', async () => {
    await expect(value('nobody')).rejects.toBeInstanceOf(NoProcError)
  })

  it('a call times out with CallTimeoutError when the server is too slow', async () => {
    const Slow = {
      ...Counter,
      handleCall: (_request, _from, count) => ['noreply', count],
    } satisfies GenServer.Behaviour<number, number, 'value', never, number>
    const pid = ok(await GenServer.start(Slow, 0))
    const call = GenServer.call(pid, 'value', 1000)
    const failure = expect(call).rejects.toBeInstanceOf(CallTimeoutError)
    await t.clock.advance(1000)
    await failure
  })

  it('a crash in a callback fails the call with the crash as its reason', async () => {
    const Fragile = {
      ...Counter,
      handleCall: () => {
        throw new Error('cannot count')
      },
    } satisfies GenServer.Behaviour<number, number, 'value', never, number>
    const pid = ok(await GenServer.start(Fragile, 0))
    const error = await GenServer.call(pid, 'value').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ExitError)
    expect(String((error as ExitError).reason)).toMatch(/cannot count/)
    expect(GenServer.whereis(pid)).toBeUndefined()
  })
})
