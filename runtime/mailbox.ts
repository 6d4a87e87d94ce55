/**
 * A mailbox only queues: messages in arrival order, with selective take.
 * @internal
 */

/** Returned by `take` when no message matched. */
export const NONE: unique symbol = Symbol('none')

export class Mailbox {
  private items: unknown[] = []
  private head = 0

  get length(): number {
    return this.items.length - this.head
  }

  push(message: unknown): void {
    this.items.push(message)
  }

  /**
   * Removes and returns the first message `match` accepts (the first message when there is no
   * `match`), or `NONE`. The others keep their order.
   */
  take(match?: (message: unknown) => boolean): unknown {
    const items = this.items
    if (match === undefined) {
      if (this.head === items.length) return NONE
      const message = items[this.head]
      items[this.head++] = undefined
      if (this.head === items.length) this.clear()
      else if (this.head > 1024 && this.head * 2 > items.length) this.compact()
      return message
    }
    for (let i = this.head; i < items.length; i++) {
      const message = items[i]
      if (match(message)) {
        this.removeAt(i)
        return message
      }
    }
    return NONE
  }

  /** Removes every message `match` accepts; returns how many. */
  removeAll(match: (message: unknown) => boolean): number {
    const kept = this.toArray().filter((message) => !match(message))
    const removed = this.length - kept.length
    this.items = kept
    this.head = 0
    return removed
  }

  toArray(): unknown[] {
    return this.items.slice(this.head)
  }

  clear(): void {
    this.items = []
    this.head = 0
  }

  private compact(): void {
    this.items = this.items.slice(this.head)
    this.head = 0
  }

  private removeAt(i: number): void {
    if (i === this.head) {
      this.items[this.head++] = undefined
      if (this.head === this.items.length) this.clear()
    } else {
      this.items.splice(i, 1)
    }
  }
}
