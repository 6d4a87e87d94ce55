/**
 * Exit reasons: why a process ended. Any value can be a reason; these carry special meaning,
 * exactly as in Erlang.
 *
 * - `'normal'`: the process finished its work. Links do not propagate it.
 * - `'shutdown'` and `{ shutdown: detail }`: an orderly stop, usually by a supervisor.
 *   Not an error for `transient` children, and not crash-reported.
 * - `'kill'`: sent with `exit(pid, 'kill')`, cannot be trapped; the target ends as `'killed'`.
 * - `'noproc'`, `'noconnection'`, `'timeout'`: the target was missing, unreachable, or slow.
 * - An `Error`: the process crashed by throwing it.
 */
export type ExitReason =
  | 'normal'
  | 'shutdown'
  | 'kill'
  | 'killed'
  | 'noproc'
  | 'noconnection'
  | 'timeout'
  | { readonly shutdown: unknown }
  | Error
  | (string & {})
  | object
  | number
  | boolean
  | null

/**
 * True for `'shutdown'` and `{ shutdown: detail }`: an orderly stop rather than a failure.
 * (no Elixir counterpart: OTP's supervisors and logger make this check inside)
 * @example isShutdown({ shutdown: 'closed' }) // true
 */
export function isShutdown(reason: ExitReason): boolean {
  return (
    reason === 'shutdown' ||
    (typeof reason === 'object' &&
      reason !== null &&
      !(reason instanceof Error) &&
      'shutdown' in reason &&
      Object.keys(reason).length === 1)
  )
}

/**
 * True for the reasons that are not failures: `'normal'`, `'shutdown'`, `{ shutdown: detail }`.
 * A `transient` child is restarted only after any other reason.
 * (no Elixir counterpart: OTP's supervisors and logger make this check inside)
 * @example isNormalExit('killed') // false
 */
export function isNormalExit(reason: ExitReason): boolean {
  return reason === 'normal' || isShutdown(reason)
}
