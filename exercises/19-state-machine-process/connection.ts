/**
 * A connection to a chat server, as a state machine in a process: Erlang's `gen_statem`, with
 * the states and transitions written as an XState machine.
 *
 * ```
 *   disconnected --connect--> connecting --opened--> connected
 *                                 ^   |                  |
 *                       (backoff) |   | failed, or       | dropped
 *                                 |   v 5 s timeout      |
 *                             reconnecting <-------------+
 *
 *   disconnect: from any state back to disconnected
 * ```
 *
 * Timers (`after`) run on the node's clock. An event a state does not handle is ignored. A
 * frame that is not JSON crashes the process, and its supervisor starts a fresh connection.
 *
 * Replace each `throw new Error('TODO: ...')` with your code, and fill in the machine where a
 * `// TODO` says. The README has the tasks and hints.
 */
import { type GenServer, StateMachine, type Supervisor } from 'letitcrash'
import { assign, setup } from 'xstate'

export interface ConnectionInput {
  readonly url: string
}

export interface ConnectionContext {
  readonly url: string
  /** Attempts that failed in a row; 0 once connected. */
  readonly attempts: number
  /** The frames received, parsed, oldest first. */
  readonly inbox: readonly unknown[]
}

export type ConnectionEvent =
  | { readonly type: 'connect' }
  | { readonly type: 'opened' }
  | { readonly type: 'failed' }
  | { readonly type: 'dropped' }
  | { readonly type: 'disconnect' }
  | { readonly type: 'frame'; readonly data: string }

/** How long `connecting` waits for `opened`. */
export const CONNECT_TIMEOUT = 5000
/** The longest wait between two attempts. */
export const MAX_BACKOFF = 8000

/**
 * How long to wait before attempt number `attempts + 1`: 1 s, then twice as long each time,
 * at most {@link MAX_BACKOFF}.
 */
export function backoff(attempts: number): number {
  // TODO (task 2): 1000 ms for the first attempt, doubling, capped at MAX_BACKOFF.
  throw new Error(`TODO: backoff(${attempts})`)
}

export const connection = setup({
  types: {} as {
    input: ConnectionInput
    context: ConnectionContext
    events: ConnectionEvent
  },
  delays: {
    // TODO (task 2): name the delays: connectTimeout (CONNECT_TIMEOUT) and backoff (a function
    // of the context's attempts).
  },
}).createMachine({
  id: 'connection',
  context: ({ input }) => ({ url: input.url, attempts: 0, inbox: [] }),
  initial: 'disconnected',
  // TODO (task 1): 'disconnect' goes back to disconnected from any state (a top-level `on`).
  // TODO (task 2): ... and sets attempts back to 0.
  states: {
    disconnected: {
      // TODO (task 1): on 'connect', go to 'connecting'.
    },
    connecting: {
      // TODO (task 1): 'opened' goes to 'connected', 'failed' to 'reconnecting'.
      // TODO (task 2): after the connect timeout, go to 'reconnecting'.
    },
    connected: {
      // TODO (task 1): 'dropped' goes to 'reconnecting'.
      // TODO (task 2): entering, set attempts back to 0.
      // TODO (task 4): on 'frame', append JSON.parse(event.data) to the inbox.
    },
    reconnecting: {
      // TODO (task 2): entering, count one more attempt; after the backoff, go to 'connecting'.
    },
  },
})

/** The machine's type, for `StateMachine.call<Connection>(...)`. */
export type Connection = typeof connection

export interface StartOptions extends ConnectionInput {
  /** Register the connection under this name. */
  readonly name?: string
}

/**
 * Starts a connection process, disconnected, linked to the caller (its supervisor).
 * `:gen_statem.start_link/3`
 * @example const [, pid] = await startLink({ url: 'wss://chat.example', name: 'conn' })
 */
export function startLink({ url, name }: StartOptions): Promise<GenServer.OnStart> {
  // TODO (task 3): run `connection` in a process with StateMachine.startLink: `url` as its
  // input, registered under `name`.
  throw new Error(`TODO: startLink({ url: '${url}', name: ${name} })`)
}

/** The connection as a supervisor's child, with the id `'connection'`. */
export function childSpec(options: StartOptions): Supervisor.ChildSpec {
  // TODO (task 3): a child spec whose start calls startLink(options).
  throw new Error(`TODO: childSpec(${JSON.stringify(options)})`)
}
