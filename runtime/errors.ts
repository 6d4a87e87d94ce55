/**
 * Errors the runtime throws and rejects with.
 *
 * A failed call is an *exit*, as in Elixir: `{:noproc, {GenServer, :call, [server, request, 5000]}}`
 * becomes a `NoProcError` whose `reason` is `'noproc'` and whose `call` says what was attempted.
 */
import type { ExitReason } from './exit-reason.ts'
import { Pid, Ref } from './pid.ts'

/** What a failed call was trying to do: Elixir's `{GenServer, :call, [server, request, timeout]}`. */
export interface FailedCall {
  readonly fn: string
  readonly args: readonly unknown[]
}

/**
 * Base class of every exit the runtime raises: carries the exit `reason` and the failed `call`.
 * `ctx.exit(reason)` throws one without a `call` (Elixir's `exit/1`).
 */
export class ExitError extends Error {
  override name = 'ExitError'
  constructor(
    readonly reason: ExitReason,
    readonly call?: FailedCall,
    message?: string,
  ) {
    super(message ?? describeExit(reason, call))
  }
}

/** The target process does not exist (or was not registered): reason `'noproc'`. */
export class NoProcError extends ExitError {
  override name = 'NoProcError'
  constructor(call?: FailedCall, message?: string) {
    super('noproc', call, message)
  }
}

/** A call got no reply in time: reason `'timeout'`. */
export class CallTimeoutError extends ExitError {
  override name = 'CallTimeoutError'
  constructor(call?: FailedCall, message?: string) {
    super('timeout', call, message)
  }
}

/**
 * Thrown into the code of a process that has already exited (killed, or ended by a link) when
 * it touches the runtime again: a dead process can do nothing more.
 */
export class ProcessExitedError extends Error {
  override name = 'ProcessExitedError'
  constructor(readonly reason: ExitReason) {
    super(
      `this process has already exited (reason: ${formatReason(reason)}); it can do nothing more`,
    )
  }
}

/** A callback returned something that is not one of its documented results. */
export class BadReturnError extends Error {
  override name = 'BadReturnError'
  constructor(
    readonly callback: string,
    readonly value: unknown,
    expected: string,
  ) {
    super(`${callback} returned ${formatValue(value)}; expected ${expected}`)
  }
}

/**
 * @internal True for what `ctx.exit(reason)` throws: an `ExitError` naming no failed call. It
 * stands for exactly its `reason`, like Erlang's `exit/1` exception.
 */
export function isExit(thrown: unknown): thrown is ExitError {
  return thrown instanceof ExitError && thrown.call === undefined
}

/** @internal The exit reason a thrown value ends a process with. */
export function exitReasonOf(thrown: unknown): ExitReason {
  return isExit(thrown) ? thrown.reason : (thrown as ExitReason)
}

function describeExit(reason: ExitReason, call?: FailedCall): string {
  const what = call ? ` in ${call.fn}(${call.args.map(formatValue).join(', ')})` : ''
  if (reason === 'noproc')
    return `no process${what}: the process is not alive or the name is not registered`
  if (reason === 'timeout') return `timeout${what}: no reply in time`
  return `exited${what} with reason ${formatReason(reason)}`
}

/** Prints an exit reason briefly: `'shutdown'`, `Error: boom`, `{"shutdown":"x"}`. */
export function formatReason(reason: ExitReason): string {
  if (reason instanceof Error) return `${reason.name}: ${reason.message}`
  return formatValue(reason)
}

/** Prints any value the way an error message should show it. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`
  if (typeof value === 'function') return `[function ${value.name || 'anonymous'}]`
  if (typeof value === 'symbol' || typeof value === 'bigint' || typeof value === 'number')
    return String(value)
  if (value === undefined) return 'undefined'
  if (value instanceof Error) return `${value.name}: ${value.message}`
  if (value instanceof Pid || value instanceof Ref) return value.toString()
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    // A value may refuse to print (a throwing toJSON, no prototype): its tag is all we show.
    return Object.prototype.toString.call(value)
  }
}
