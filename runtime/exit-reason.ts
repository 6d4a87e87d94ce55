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

/** `shutdown` or `{ shutdown: ... }`: an orderly stop rather than a failure. */
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

/** Reasons that are not failures: `normal`, `shutdown`, `{ shutdown: ... }`. */
export function isNormalExit(reason: ExitReason): boolean {
  return reason === 'normal' || isShutdown(reason)
}
