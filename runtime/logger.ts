/**
 * Crash reports: when a process crashes, the runtime tells the logger (Erlang's `logger`):
 * which process, its name, the reason and the stack. Replace the handler to send reports
 * elsewhere, or to keep tests quiet.
 *
 * @example
 * setLogger((report) => myLog.error(report.message, report))
 */
import { formatReason, formatValue } from './errors.ts'
import type { ExitReason } from './exit-reason.ts'
import type { Pid } from './pid.ts'
import { assertFunction } from './validate.ts'

export interface CrashReport {
  /**
   * `'crash'`: a process body threw. `'terminating'`: a behaviour stopped abnormally.
   * `'unexpected'`: a GenServer without `handleInfo` got a plain message and dropped it.
   * `'handler'`: a telemetry handler threw and was detached (`name` is the handler's id).
   */
  readonly kind: 'crash' | 'terminating' | 'unexpected' | 'handler'
  /** The process; `undefined` for a telemetry handler, which runs on behalf of no process. */
  readonly pid: Pid | undefined
  readonly name: string | undefined
  /** `'process'`, `'GenServer'`, `'Supervisor'`, ... */
  readonly behaviour: string
  readonly reason: ExitReason
  /** The stack of the error, when the reason is one. */
  readonly stack: string | undefined
  /** Behaviour-specific details: the last message, the state. */
  readonly details: Readonly<Record<string, unknown>>
  /** One readable line. */
  readonly message: string
}

export type Logger = (report: CrashReport) => void

const consoleLogger: Logger = (report) => {
  console.error(report.message + (report.stack ? `\n${report.stack}` : ''))
}

let current: Logger = consoleLogger

/**
 * Replaces the crash-report handler for every node; returns the previous one. Like Erlang's
 * `logger:add_handler/3`, except that there is one handler and the new one replaces it.
 * @example
 * const previous = setLogger((report) => reports.push(report))
 * setLogger(previous) // back to the console
 */
export function setLogger(logger: Logger): Logger {
  assertFunction(logger, 'logger')
  const previous = current
  current = logger
  return previous
}

/** @internal */
export function reportCrash(
  kind: CrashReport['kind'],
  pid: Pid | undefined,
  name: string | undefined,
  behaviour: string,
  reason: ExitReason,
  details: Record<string, unknown> = {},
): void {
  const who = name ? `${pid} (${name})` : String(pid)
  const message =
    kind === 'crash'
      ? `[crash] ${behaviour} ${who} crashed: ${formatReason(reason)}`
      : kind === 'terminating'
        ? `[crash] ${behaviour} ${who} terminating: ${formatReason(reason)}`
        : kind === 'handler'
          ? `[error] telemetry handler '${name}' failed on ${formatValue(details.event)} and was detached: ${formatReason(reason)}`
          : `[warning] ${behaviour} ${who} has no handleInfo and dropped a message: ${formatValue(details.message)}`
  const stack = reason instanceof Error ? reason.stack : undefined
  try {
    current({ kind, pid, name, behaviour, reason, stack, details, message })
  } catch {
    // A broken logger must not take the runtime down with it.
  }
}
