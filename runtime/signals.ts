/**
 * Exit signals and `DOWN` notifications travel through one queue, drained in order. A chain
 * of linked processes then dies one link at a time instead of recursing, and signals from one
 * process keep the order they were sent in: its links hear of its exit before its monitors do.
 * @internal
 */
import type { ExitReason } from './exit-reason.ts'
import type { RegisteredName } from './names.ts'
import type { Pid } from './pid.ts'
import type { Monitor, Process } from './process.ts'
import type { DownMessage } from './process-context.ts'

type Signal =
  | {
      readonly to: Process
      readonly from: Pid
      readonly reason: ExitReason
      readonly untrappable: boolean
    }
  | { readonly down: DownMessage; readonly watcher: Monitor['watcher'] }

const pending: Signal[] = []
let draining = false

/** Queues an exit signal from `from` to `to`. */
export function sendExitSignal(
  to: Process,
  from: Pid,
  reason: ExitReason,
  untrappable: boolean,
): void {
  pending.push({ to, from, reason, untrappable })
  drain()
}

/** Queues a `DOWN` for `watcher`: the process (or name) `who` ended with `reason`. */
export function deliverDown(
  watcher: Monitor['watcher'],
  ref: Monitor['ref'],
  who: Pid | RegisteredName,
  reason: ExitReason,
): void {
  pending.push({ watcher, down: { type: 'DOWN', ref, pid: who, reason } })
  drain()
}

/**
 * Runs `send`, which queues several signals, and delivers them only afterwards. A process that
 * exits queues all its exit signals and `DOWN`s at once, so a watcher hears of it before it
 * hears of the linked processes its exit took down (cause before effect, as on the BEAM).
 */
export function sendTogether(send: () => void): void {
  if (draining) {
    send()
    return
  }
  draining = true
  try {
    send()
  } finally {
    draining = false
  }
  drain()
}

function drain(): void {
  if (draining) return
  draining = true
  try {
    for (let i = 0; i < pending.length; i++) {
      const signal = pending[i]
      if ('to' in signal)
        signal.to.receiveExitSignal(signal.from, signal.reason, signal.untrappable)
      else notifyDown(signal.watcher, signal.down)
    }
  } finally {
    pending.length = 0
    draining = false
  }
}

function notifyDown(watcher: Monitor['watcher'], down: DownMessage): void {
  if (typeof watcher === 'function') {
    watcher(down)
    return
  }
  watcher.watching?.delete(down.ref)
  watcher.deliver(down)
}
