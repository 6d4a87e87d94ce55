/**
 * The message flow demo of chapter 3, without the pictures: a counter GenServer on the real
 * runtime, and a client (the page) that calls, casts and sends to it. Every step is recorded
 * as a {@link FlowRecord} for the sequence diagram:
 *
 * - the client notes what it sends and what each call returned or threw (the runtime decides:
 *   a reply, `CallTimeoutError`, `ExitError`, `NoProcError`);
 * - the server's callbacks are wrapped, so they note when they run and whether the reply they
 *   return still has a caller waiting for it;
 * - telemetry reports the server process starting and exiting.
 *
 * The page runs it on a real clock (a slow request takes real seconds); tests use a virtual one.
 */
import {
  createNode,
  ExitError,
  GenServer,
  type Node,
  type Pid,
  send,
  Telemetry,
} from '../../../runtime/index.ts'
import type { Locale } from '../panel/contract.ts'
import { muteCrashReports } from './quiet-reports.ts'
import type { FlowRecord } from './sequence.ts'
import { demoStrings, type FlowStrings } from './strings.ts'

/** The calls the client can make; `slow` takes {@link SLOW_MS}, longer than its timeout. */
export type Request = 'get' | 'slow' | 'crash'

export const SLOW_MS = 2000
export const SLOW_TIMEOUT = 1000

type State = number

/** The counter, as chapter 3 writes it, plus a slow request and a request that crashes it. */
const Counter = {
  init: () => ['ok', 0],
  async handleCall(request: Request, _from, count) {
    if (request === 'crash') throw new Error('bad request')
    // Busy for a while, as a slow database would keep it: a receive that matches nothing.
    if (request === 'slow') await this.receive(() => false, { timeout: SLOW_MS })
    return ['reply', count, count]
  },
  handleCast: (_request: 'increment', count) => ['noreply', count + 1],
  handleInfo: (_message: 'tick', count) => ['noreply', count + 1],
} satisfies GenServer.Behaviour<State, unknown, Request, 'increment', number, 'tick'>

const quote = (value: unknown) => (typeof value === 'string' ? `'${value}'` : String(value))

let demos = 0

export class MessageFlow {
  readonly node: Node
  /** Everything recorded since the last `clear`, oldest first. */
  records: FlowRecord[] = []
  /** Whether a server ran before the first of `records` (for the diagram's lifeline). */
  serverRanBefore = true
  private server: Pid | undefined
  private calls = 0
  private readonly handlerId: string
  private readonly unmute: () => void
  private readonly listeners = new Set<() => void>()
  /** The words of what the client notes, in the page's language. */
  private readonly words: FlowStrings

  private constructor(clock: 'real' | 'virtual', locale: Locale) {
    this.words = demoStrings(locale).flow
    this.node = createNode({ clock, name: `flow${++demos}@browser` })
    this.unmute = muteCrashReports(this.node)
    this.handlerId = `message-flow-demo-${demos}`
    const { spawn, exit } = Telemetry.events
    Telemetry.attach(this.handlerId, [spawn, exit], (event, _measurements, metadata) => {
      if (metadata.node !== this.node.name || metadata.behaviour !== 'GenServer') return
      if (event === exit) {
        const reason = metadata.reason
        const text = reason instanceof Error ? `${reason.name}: ${reason.message}` : quote(reason)
        this.record({ type: 'server-exit', reason: text, time: this.now() })
      } else {
        this.record({ type: 'server-start', pid: String(metadata.pid), time: this.now() })
      }
    })
  }

  /** Starts the node and a first server; nothing is recorded until the reader acts. */
  static async start(
    options: { clock?: 'real' | 'virtual'; locale?: Locale } = {},
  ): Promise<MessageFlow> {
    const flow = new MessageFlow(options.clock ?? 'real', options.locale ?? 'en')
    await flow.startServer()
    flow.clear()
    return flow
  }

  get serverAlive(): boolean {
    return this.server !== undefined && this.node.isAlive(this.server)
  }

  /** The current (or last) server's pid, as text. */
  get serverPid(): string {
    return String(this.server)
  }

  /** Calls `subscriber` after every new record. */
  subscribe(subscriber: () => void): () => void {
    this.listeners.add(subscriber)
    return () => this.listeners.delete(subscriber)
  }

  /** Starts a new server (after a crash); its old pid stays dead. */
  async startServer(): Promise<void> {
    const started = await GenServer.start(this.wrap(Counter), undefined, { node: this.node })
    if (started[0] !== 'ok') throw new Error(`the demo server did not start: ${String(started)}`)
    this.server = started[1]
  }

  /** Makes a call and records its outcome; resolves when the call has ended, whichever way. */
  async call(request: Request): Promise<void> {
    const call = ++this.calls
    const timeout = request === 'slow' ? SLOW_TIMEOUT : 5000
    const label = request === 'slow' ? this.words.slowRequest(timeout / 1000) : quote(request)
    this.record({ type: 'call', call, request: label, time: this.now() })
    try {
      const value = await GenServer.call<number>(this.target(), request, timeout)
      this.record({ type: 'reply', call, value: quote(value), time: this.now() })
    } catch (error) {
      if (!(error instanceof ExitError)) throw error
      const reason = error.reason instanceof Error ? 'crash' : String(error.reason)
      const what =
        reason === 'timeout'
          ? this.words.noReply(error.name, timeout / 1000)
          : reason === 'noproc'
            ? this.words.noServer(error.name)
            : this.words.serverExited(error.name)
      this.record({ type: 'call-failed', call, reason, error: what, time: this.now() })
    }
  }

  cast(): void {
    this.record({ type: 'cast', request: quote('increment'), time: this.now() })
    GenServer.cast(this.target(), 'increment')
  }

  /** A plain message, as a timer would send it: it goes to `handleInfo`. */
  sendInfo(): void {
    this.record({ type: 'send', message: quote('tick'), time: this.now() })
    const server = this.target()
    // Like `send` to a dead pid in Erlang, a message to a server that is gone is dropped.
    send(server, 'tick')
  }

  /** Forgets the records (the diagram starts again at the bottom of what it showed). */
  clear(): void {
    this.serverRanBefore = this.serverAlive
    this.records = []
    this.notify()
  }

  dispose(): void {
    Telemetry.detach(this.handlerId)
    this.node.shutdown()
    this.unmute()
    this.listeners.clear()
  }

  /** The server's pid, even a dead one: a call to it is how the reader meets `noproc`. */
  private target(): Pid {
    if (this.server === undefined) throw new Error('the demo server has not started yet')
    return this.server
  }

  /** The callbacks, each noting when it runs and what became of its reply. */
  private wrap(behaviour: typeof Counter): typeof Counter {
    const flow = this
    return {
      ...behaviour,
      async handleCall(request, from, count) {
        flow.record({
          type: 'handle',
          callback: 'handleCall',
          message: quote(request),
          time: flow.now(),
        })
        const result = await behaviour.handleCall.call(this, request, from, count)
        // The runtime drops a reply to a caller that gave up (its timeout fired).
        const dropped = from.isWaiting() ? undefined : quote(result[1])
        flow.record({ type: 'handled', dropped, time: flow.now() })
        return result
      },
      handleCast(request, count) {
        flow.record({
          type: 'handle',
          callback: 'handleCast',
          message: quote(request),
          time: flow.now(),
        })
        const result = behaviour.handleCast(request, count)
        flow.record({ type: 'handled', time: flow.now() })
        return result
      },
      handleInfo(message, count) {
        flow.record({
          type: 'handle',
          callback: 'handleInfo',
          message: quote(message),
          time: flow.now(),
        })
        const result = behaviour.handleInfo(message, count)
        flow.record({ type: 'handled', time: flow.now() })
        return result
      },
    }
  }

  private now(): number {
    return this.node.clock.now()
  }

  private record(record: FlowRecord): void {
    this.records = [...this.records, record]
    this.notify()
  }

  private notify(): void {
    for (const listener of this.listeners) listener()
  }
}
