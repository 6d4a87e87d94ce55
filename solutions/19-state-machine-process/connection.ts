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

// #region backoff
/**
 * How long to wait before attempt number `attempts + 1`: 1 s, then twice as long each time,
 * at most {@link MAX_BACKOFF}. Waiting longer and longer gives a server that is down time to
 * come back, instead of hammering it.
 */
export function backoff(attempts: number): number {
  return Math.min(1000 * 2 ** (attempts - 1), MAX_BACKOFF)
}
// #endregion backoff

// #region machine
export const connection = setup({
  types: {} as {
    input: ConnectionInput
    context: ConnectionContext
    events: ConnectionEvent
  },
  delays: {
    connectTimeout: CONNECT_TIMEOUT,
    backoff: ({ context }) => backoff(context.attempts),
  },
}).createMachine({
  id: 'connection',
  context: ({ input }) => ({ url: input.url, attempts: 0, inbox: [] }),
  initial: 'disconnected',
  // Handled in every state (unless a state handles it itself).
  on: {
    disconnect: { target: '.disconnected', actions: assign({ attempts: 0 }) },
  },
  states: {
    disconnected: {
      on: { connect: 'connecting' },
    },
    connecting: {
      on: { opened: 'connected', failed: 'reconnecting' },
      // Leaving `connecting` cancels this timer: an `opened` at 4.9 s is never undone.
      after: { connectTimeout: 'reconnecting' },
    },
    connected: {
      entry: assign({ attempts: 0 }),
      on: {
        dropped: 'reconnecting',
        // No try/catch: a frame that is not JSON means the other side speaks another protocol.
        // Let it crash; the supervisor starts a fresh connection.
        frame: {
          actions: assign({
            inbox: ({ context, event }) => [...context.inbox, JSON.parse(event.data)],
          }),
        },
      },
    },
    reconnecting: {
      entry: assign({ attempts: ({ context }) => context.attempts + 1 }),
      after: { backoff: 'connecting' },
    },
  },
})
// #endregion machine

// #region process
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
  return StateMachine.startLink(connection, { input: { url }, name })
}

/** The connection as a supervisor's child, with the id `'connection'`. */
export function childSpec(options: StartOptions): Supervisor.ChildSpec {
  return { id: 'connection', start: () => startLink(options) }
}
// #endregion process
