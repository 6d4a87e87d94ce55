import type { VirtualClock } from 'letitcrash'
import { afterEach, describe, expect, it } from 'vitest'
import { MessageFlow, SLOW_MS, SLOW_TIMEOUT } from './message-flow-scenario.ts'
import type { FlowRecord } from './sequence.ts'

let flow: MessageFlow | undefined

afterEach(() => flow?.dispose())

async function start(): Promise<[MessageFlow, VirtualClock]> {
  flow = await MessageFlow.start({ clock: 'virtual' })
  return [flow, flow.node.clock as VirtualClock]
}

/** The records without their times, which the timeout test checks on its own. */
function kinds(records: FlowRecord[]): string[] {
  return records.map((r) =>
    r.type === 'handle'
      ? `handle ${r.callback} ${r.message}`
      : r.type === 'handled'
        ? `handled${r.dropped === undefined ? '' : ` dropped ${r.dropped}`}`
        : r.type === 'call-failed'
          ? `call-failed ${r.reason}`
          : r.type,
  )
}

describe('the message flow demo', () => {
  it('records a call, the callback that answers it, and the reply', async () => {
    const [flow, clock] = await start()
    expect(flow.records).toEqual([])
    const done = flow.call('get')
    await clock.settle()
    await done
    expect(kinds(flow.records)).toEqual(['call', "handle handleCall 'get'", 'handled', 'reply'])
    expect(flow.records.at(-1)).toMatchObject({ type: 'reply', value: '0' })
  })

  it('records a cast and a plain message reaching handleCast and handleInfo', async () => {
    const [flow, clock] = await start()
    flow.cast()
    flow.sendInfo()
    await clock.settle()
    await flow.call('get')
    expect(kinds(flow.records)).toEqual([
      'cast',
      'send',
      "handle handleCast 'increment'",
      'handled',
      "handle handleInfo 'tick'",
      'handled',
      'call',
      "handle handleCall 'get'",
      'handled',
      'reply',
    ])
    expect(flow.records.at(-1)).toMatchObject({ type: 'reply', value: '2' })
  })

  it('times out a slow call, then records its late reply as dropped', async () => {
    const [flow, clock] = await start()
    const done = flow.call('slow')
    await clock.advance(SLOW_TIMEOUT)
    await done
    expect(flow.records.at(-1)).toMatchObject({
      type: 'call-failed',
      reason: 'timeout',
      time: SLOW_TIMEOUT,
    })
    await clock.advance(SLOW_MS - SLOW_TIMEOUT)
    expect(flow.records.at(-1)).toEqual({ type: 'handled', dropped: '0', time: SLOW_MS })
  })

  it('records a crash during a call, then noproc for the next call, until a new server starts', async () => {
    const [flow, clock] = await start()
    const crashed = flow.call('crash')
    await clock.settle()
    await crashed
    expect(kinds(flow.records)).toEqual([
      'call',
      "handle handleCall 'crash'",
      'server-exit',
      'call-failed crash',
    ])
    expect(flow.records[2]).toMatchObject({ reason: 'Error: bad request' })
    expect(flow.serverAlive).toBe(false)

    await flow.call('get')
    expect(kinds(flow.records).slice(-2)).toEqual(['call', 'call-failed noproc'])

    const started = flow.startServer()
    await clock.settle()
    await started
    expect(flow.serverAlive).toBe(true)
    expect(kinds(flow.records).at(-1)).toBe('server-start')
  })

  it('tells subscribers about each record, and clear starts over', async () => {
    const [flow] = await start()
    let told = 0
    flow.subscribe(() => told++)
    flow.cast()
    expect(told).toBe(1)
    flow.clear()
    expect(flow.records).toEqual([])
    expect(flow.serverRanBefore).toBe(true)
  })
})
