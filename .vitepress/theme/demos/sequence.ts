/**
 * From what happened between a client and a GenServer to the rows of a sequence diagram:
 * which arrow goes which way, what it says, which lifeline is busy when, and when the server
 * is alive. Pure data in, pure data out, so the mapping is tested in Node; the demo's
 * component only draws the rows.
 */
import { demoStrings, type FlowStrings } from './strings.ts'

/** One thing the demo saw, in the order it happened. `time` is the node's clock, in ms. */
export type FlowRecord =
  /** The client called (a number identifies the call until it ends). */
  | {
      readonly type: 'call'
      readonly call: number
      readonly request: string
      readonly time: number
    }
  /** The call returned this reply. */
  | { readonly type: 'reply'; readonly call: number; readonly value: string; readonly time: number }
  /** The call threw: `reason` is the exit reason (`'timeout'`, `'noproc'`, or the server's). */
  | {
      readonly type: 'call-failed'
      readonly call: number
      readonly reason: string
      readonly error: string
      readonly time: number
    }
  | { readonly type: 'cast'; readonly request: string; readonly time: number }
  /** A plain message (`send`), which the server gets in `handleInfo`. */
  | { readonly type: 'send'; readonly message: string; readonly time: number }
  /** The server started running a callback on a message. */
  | {
      readonly type: 'handle'
      readonly callback: 'handleCall' | 'handleCast' | 'handleInfo'
      readonly message: string
      readonly time: number
    }
  /** The callback returned; `dropped` is set when it replied to a caller that gave up. */
  | { readonly type: 'handled'; readonly dropped?: string; readonly time: number }
  | { readonly type: 'server-exit'; readonly reason: string; readonly time: number }
  | { readonly type: 'server-start'; readonly pid: string; readonly time: number }

export type Lifeline = 'client' | 'server'

export type ArrowStyle = 'call' | 'cast' | 'info' | 'reply' | 'exit' | 'lost' | 'dropped'

export type Row =
  | {
      readonly kind: 'arrow'
      readonly from: Lifeline
      readonly to: Lifeline
      readonly label: string
      readonly style: ArrowStyle
      readonly time: number
    }
  | {
      readonly kind: 'note'
      readonly on: Lifeline
      readonly label: string
      readonly style: 'callback' | 'error' | 'crash' | 'start'
      readonly time: number
    }

/** A stretch of rows, `from` to `to` inclusive; `to` is null while it is still open. */
export interface Span {
  readonly from: number
  readonly to: number | null
}

export interface Diagram {
  readonly rows: Row[]
  /** When the client waits in a call. */
  readonly clientBusy: Span[]
  /** When the server runs a callback. */
  readonly serverBusy: Span[]
  /** When a server process is alive (a crash ends one; a new server starts the next). */
  readonly serverAlive: Span[]
}

/**
 * Lays out `records` as rows. `serverRunning` says whether a server was alive before the
 * first record (true at the start of the demo, false after a crash the diagram no longer shows).
 * `words` writes the notes in the page's language.
 */
export function toDiagram(
  records: readonly FlowRecord[],
  serverRunning = true,
  words: FlowStrings = demoStrings('en').flow,
): Diagram {
  const rows: Row[] = []
  const clientBusy: Span[] = []
  const serverBusy: Span[] = []
  const serverAlive: Span[] = []
  const openCalls = new Map<number, number>() // call -> its row
  let busySince: number | undefined
  let aliveSince: number | undefined = serverRunning ? 0 : undefined
  // A call that finds no server sends nothing: its arrow is drawn as lost.
  const noproc = new Set(
    records.flatMap((r) => (r.type === 'call-failed' && r.reason === 'noproc' ? [r.call] : [])),
  )
  const closeCall = (call: number, row: number) => {
    const from = openCalls.get(call)
    if (from === undefined) return
    openCalls.delete(call)
    clientBusy.push({ from, to: row })
  }
  const closeBusy = (row: number) => {
    if (busySince === undefined) return
    serverBusy.push({ from: busySince, to: row })
    busySince = undefined
  }

  for (const record of records) {
    const row = rows.length
    const { time } = record
    switch (record.type) {
      case 'call':
        if (noproc.has(record.call)) {
          rows.push(arrow('client', 'server', `call ${record.request}`, 'lost', time))
        } else {
          rows.push(arrow('client', 'server', `call ${record.request}`, 'call', time))
          openCalls.set(record.call, row)
        }
        break
      case 'cast':
        rows.push(arrow('client', 'server', `cast ${record.request}`, 'cast', time))
        break
      case 'send':
        rows.push(arrow('client', 'server', `send ${record.message}`, 'info', time))
        break
      case 'handle':
        rows.push(note('server', `${record.callback}(${record.message})`, 'callback', time))
        busySince = row
        break
      case 'handled':
        if (record.dropped !== undefined) {
          rows.push(
            arrow('server', 'client', words.lateReplyDropped(record.dropped), 'dropped', time),
          )
          closeBusy(row)
        } else closeBusy(row - 1)
        break
      case 'reply':
        rows.push(arrow('server', 'client', `reply ${record.value}`, 'reply', time))
        closeCall(record.call, row)
        break
      case 'call-failed':
        if (record.reason === 'timeout' || record.reason === 'noproc') {
          rows.push(note('client', record.error, 'error', time))
        } else {
          rows.push(arrow('server', 'client', record.error, 'exit', time))
        }
        closeCall(record.call, row)
        break
      case 'server-exit':
        rows.push(note('server', words.exits(record.reason), 'crash', time))
        closeBusy(row)
        if (aliveSince !== undefined) serverAlive.push({ from: aliveSince, to: row })
        aliveSince = undefined
        break
      case 'server-start':
        rows.push(note('server', words.startsAs(record.pid), 'start', time))
        aliveSince = row
        break
    }
  }
  for (const from of openCalls.values()) clientBusy.push({ from, to: null })
  if (busySince !== undefined) serverBusy.push({ from: busySince, to: null })
  if (aliveSince !== undefined) serverAlive.push({ from: aliveSince, to: null })
  return { rows, clientBusy, serverBusy, serverAlive }
}

function arrow(from: Lifeline, to: Lifeline, label: string, style: ArrowStyle, time: number): Row {
  return { kind: 'arrow', from, to, label, style, time }
}

function note(
  on: Lifeline,
  label: string,
  style: 'callback' | 'error' | 'crash' | 'start',
  time: number,
): Row {
  return { kind: 'note', on, label, style, time }
}
