/**
 * Where a task's reply and `DOWN` arrive. A task owned by a process uses that process's
 * mailbox (Elixir's way: the owner receives `{ref, result}`). Code outside any process has
 * no mailbox, so its tasks' messages wait in a small stand-in per node, with the same
 * selective receive and timeout.
 * @internal
 */
import type { Node } from './node.ts'
import type { Ref } from './pid.ts'
import type { Process } from './process.ts'
import { TIMEOUT } from './process-context.ts'
import type { Timeout } from './validate.ts'

/** Where a task's reply and `DOWN` arrive: the owner's mailbox, or its node's host inbox. */
export interface Inbox {
  deliver(message: unknown): void
  receive(match: (message: unknown) => boolean, timeout: Timeout): Promise<unknown>
  /** Drops every waiting message of the monitor `ref`, and the monitor itself. */
  forget(ref: Ref): void
}

const inboxes = new WeakMap<object, Inbox>()

/** A process owner: its own mailbox. */
export function processInbox(owner: Process): Inbox {
  let inbox = inboxes.get(owner)
  if (inbox === undefined) {
    inbox = {
      deliver: (message) => owner.deliver(message),
      receive: (match, timeout) => owner.receive(match, { timeout }),
      forget: (ref) => {
        owner.watching?.delete(ref)
        owner.mailbox.removeAll((m) => (m as { ref?: Ref } | null)?.ref === ref)
      },
    }
    inboxes.set(owner, inbox)
  }
  return inbox
}

/** Code outside any process has no mailbox: its tasks' messages wait here instead. */
export function hostInbox(node: Node): Inbox {
  let inbox = inboxes.get(node)
  if (inbox === undefined) {
    const messages: unknown[] = []
    const waiters = new Set<{ match: (m: unknown) => boolean; take: (m: unknown) => void }>()
    inbox = {
      deliver(message) {
        for (const waiter of waiters) {
          if (waiter.match(message)) return waiter.take(message)
        }
        messages.push(message)
      },
      receive(match, timeout) {
        const i = messages.findIndex(match)
        if (i >= 0) return Promise.resolve(messages.splice(i, 1)[0])
        if (timeout === 0) return Promise.resolve(TIMEOUT)
        return new Promise((resolve) => {
          const timer =
            timeout === 'infinity' ? undefined : node.clock.setTimer(timeout, () => finish(TIMEOUT))
          const finish = (message: unknown) => {
            waiters.delete(waiter)
            if (timer !== undefined) node.clock.cancelTimer(timer)
            resolve(message)
          }
          const waiter = { match, take: finish }
          waiters.add(waiter)
        })
      },
      forget(ref) {
        for (let i = messages.length - 1; i >= 0; i--)
          if ((messages[i] as { ref?: Ref } | null)?.ref === ref) messages.splice(i, 1)
      },
    }
    inboxes.set(node, inbox)
  }
  return inbox
}
