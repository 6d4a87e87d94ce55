import { describe, expect, it } from 'vitest'
import { type FlowRecord, toDiagram } from './sequence.ts'

/** The rows as short strings: `client -> server: call 'get'`, `server: handleCall('get')`. */
function lines(records: FlowRecord[]): string[] {
  return toDiagram(records).rows.map((row) =>
    row.kind === 'arrow'
      ? `${row.from} -> ${row.to} [${row.style}]: ${row.label}`
      : `${row.on} [${row.style}]: ${row.label}`,
  )
}

describe('toDiagram', () => {
  it('draws a call as a request, the callback, and a reply; the client waits in between', () => {
    const records: FlowRecord[] = [
      { type: 'call', call: 1, request: "'get'", time: 0 },
      { type: 'handle', callback: 'handleCall', message: "'get'", time: 0 },
      { type: 'handled', time: 0 },
      { type: 'reply', call: 1, value: '0', time: 0 },
    ]
    expect(lines(records)).toEqual([
      "client -> server [call]: call 'get'",
      "server [callback]: handleCall('get')",
      'server -> client [reply]: reply 0',
    ])
    const diagram = toDiagram(records)
    expect(diagram.clientBusy).toEqual([{ from: 0, to: 2 }])
    expect(diagram.serverBusy).toEqual([{ from: 1, to: 1 }])
    expect(diagram.serverAlive).toEqual([{ from: 0, to: null }])
  })

  it('draws a cast and a plain message as arrows with no reply and no waiting', () => {
    const records: FlowRecord[] = [
      { type: 'cast', request: "'increment'", time: 0 },
      { type: 'send', message: "'tick'", time: 0 },
      { type: 'handle', callback: 'handleCast', message: "'increment'", time: 0 },
      { type: 'handled', time: 0 },
      { type: 'handle', callback: 'handleInfo', message: "'tick'", time: 0 },
      { type: 'handled', time: 0 },
    ]
    expect(lines(records)).toEqual([
      "client -> server [cast]: cast 'increment'",
      "client -> server [info]: send 'tick'",
      "server [callback]: handleCast('increment')",
      "server [callback]: handleInfo('tick')",
    ])
    expect(toDiagram(records).clientBusy).toEqual([])
  })

  it('shows a timeout on the client, and the late reply as dropped', () => {
    const records: FlowRecord[] = [
      { type: 'call', call: 1, request: "'slow'", time: 0 },
      { type: 'handle', callback: 'handleCall', message: "'slow'", time: 0 },
      { type: 'call-failed', call: 1, reason: 'timeout', error: 'CallTimeoutError', time: 1000 },
      { type: 'handled', dropped: '0', time: 2000 },
    ]
    expect(lines(records)).toEqual([
      "client -> server [call]: call 'slow'",
      "server [callback]: handleCall('slow')",
      'client [error]: CallTimeoutError',
      'server -> client [dropped]: late reply 0: dropped',
    ])
    const diagram = toDiagram(records)
    expect(diagram.clientBusy).toEqual([{ from: 0, to: 2 }])
    expect(diagram.serverBusy).toEqual([{ from: 1, to: 3 }])
  })

  it('ends the server lifeline at a crash, and draws a call to the dead server as lost', () => {
    const records: FlowRecord[] = [
      { type: 'call', call: 1, request: "'crash'", time: 0 },
      { type: 'handle', callback: 'handleCall', message: "'crash'", time: 0 },
      { type: 'server-exit', reason: 'Error: bad request', time: 0 },
      { type: 'call-failed', call: 1, reason: 'crash', error: 'ExitError', time: 0 },
      { type: 'call', call: 2, request: "'get'", time: 5 },
      { type: 'call-failed', call: 2, reason: 'noproc', error: 'NoProcError', time: 5 },
      { type: 'server-start', pid: '#PID<1.3.0>', time: 9 },
    ]
    expect(lines(records)).toEqual([
      "client -> server [call]: call 'crash'",
      "server [callback]: handleCall('crash')",
      'server [crash]: exits: Error: bad request',
      'server -> client [exit]: ExitError',
      "client -> server [lost]: call 'get'",
      'client [error]: NoProcError',
      'server [start]: starts as #PID<1.3.0>',
    ])
    const diagram = toDiagram(records)
    expect(diagram.serverAlive).toEqual([
      { from: 0, to: 2 },
      { from: 6, to: null },
    ])
    expect(diagram.serverBusy).toEqual([{ from: 1, to: 2 }])
    // The lost call never waited.
    expect(diagram.clientBusy).toEqual([{ from: 0, to: 3 }])
  })

  it('leaves a call that has not ended open, and starts with no server when told so', () => {
    const records: FlowRecord[] = [{ type: 'call', call: 7, request: "'get'", time: 0 }]
    const diagram = toDiagram(records, false)
    expect(diagram.clientBusy).toEqual([{ from: 0, to: null }])
    expect(diagram.serverAlive).toEqual([])
  })
})
