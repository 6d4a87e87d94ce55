/**
 * Clocks: every timeout, `sendAfter`, restart window and shutdown timer in a node reads its
 * node's clock. A `RealClock` follows wall time; a `VirtualClock` only moves when a test tells it
 * to, so a five-second restart window is checked in microseconds and every run is the same.
 *
 * @example
 * const node = createNode({ clock: 'virtual' })
 * const clock = node.clock as VirtualClock
 * await clock.advance(5_000)   // fires every timer due in the next five seconds, in order
 */
import { macrotask, onMacrotask } from './macrotask.ts'
import { assertKnownKeys, assertNonNegativeInteger, assertObject, describeGot } from './validate.ts'

/** A handle to a pending timer. */
export interface Timer {
  /** @internal */ cancelled: boolean
  /** When it fires, in the clock's milliseconds. */
  readonly at: number
}

/** Where a node reads time: a {@link RealClock}, a {@link VirtualClock}, or one of your own. */
export interface Clock {
  /** True for a {@link VirtualClock}. */
  readonly virtual: boolean
  /**
   * Milliseconds since the clock started. `erlang:monotonic_time/1` in milliseconds
   * @example const started = node.clock.now()
   */
  now(): number
  /**
   * Calls `fire` after `ms` milliseconds of this clock's time. Like `erlang:start_timer/3`,
   * but it calls a function instead of sending a message.
   * @example const timer = node.clock.setTimer(1000, () => console.log('a second later'))
   */
  setTimer(ms: number, fire: () => void): Timer
  /**
   * Stops a timer from firing; harmless if it already fired. `erlang:cancel_timer/1`
   * @example node.clock.cancelTimer(timer)
   */
  cancelTimer(timer: Timer): void
}

/** A clock that follows real time (`performance.now()` and `setTimeout`). */
export class RealClock implements Clock {
  readonly virtual = false
  private readonly origin = performance.now()
  /** Timers set since the last macrotask, not yet handed to `setTimeout`. */
  private unarmed: RealTimer[] = []

  now(): number {
    return performance.now() - this.origin
  }

  /**
   * Most timers are cancelled within microseconds (a call's timeout, once the reply is in), so
   * a timer only becomes a real `setTimeout` if it is still pending at the next macrotask.
   * That saves a `setTimeout`/`clearTimeout` pair per call, a fifth of a call's cost.
   * Like `:erlang.start_timer/3`, with a callback instead of a message.
   * @example clock.setTimer(5_000, () => console.log('five seconds later'))
   */
  setTimer(ms: number, fire: () => void): Timer {
    const timer: RealTimer = { cancelled: false, at: this.now() + ms, handle: undefined, fire }
    if (this.unarmed.push(timer) === 1) onMacrotask(this.arm)
    return timer
  }

  cancelTimer(timer: Timer): void {
    timer.cancelled = true
    const { handle } = timer as RealTimer
    if (handle !== undefined) clearTimeout(handle)
  }

  private readonly arm = (): void => {
    const now = this.now()
    for (const timer of this.unarmed) {
      if (timer.cancelled) continue
      timer.handle = setTimeout(
        () => {
          if (!timer.cancelled) timer.fire()
        },
        Math.max(0, timer.at - now),
      )
    }
    this.unarmed = []
  }
}

interface RealTimer extends Timer {
  handle: ReturnType<typeof setTimeout> | undefined
  readonly fire: () => void
}

interface VirtualTimer extends Timer {
  readonly seq: number
  readonly fire: () => void
}

/**
 * A clock that stands still until told to move. `advance(ms)` and `runUntilIdle()` let every
 * runnable process run to its next wait before each timer fires, so tests see the same order
 * of events on every run.
 */
export class VirtualClock implements Clock {
  readonly virtual = true
  private time = 0
  private seq = 0
  private readonly heap: VirtualTimer[] = []
  /** @internal Tells whether any process still has work to do; set by the scheduler. */
  busy: () => boolean = () => false

  now(): number {
    return this.time
  }

  setTimer(ms: number, fire: () => void): Timer {
    const timer: VirtualTimer = { cancelled: false, at: this.time + ms, seq: this.seq++, fire }
    heapPush(this.heap, timer)
    return timer
  }

  cancelTimer(timer: Timer): void {
    timer.cancelled = true
  }

  /** Number of timers still pending. */
  get pendingTimers(): number {
    return this.heap.filter((t) => !t.cancelled).length
  }

  /**
   * Moves time forward by `ms`, firing due timers in order and letting processes run between
   * them. Resolves once everything due by then has happened.
   * (no Elixir counterpart: the BEAM's clock cannot be moved; tests there wait or mock time)
   * @example await clock.advance(5_000) // a `sendAfter(pid, 'tick', 5000)` has been delivered
   */
  async advance(ms: number): Promise<void> {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0)
      throw new TypeError(`Expected \`ms\` to be a non-negative finite number, ${describeGot(ms)}`)
    const target = this.time + ms
    await this.settle()
    for (let next = this.nextDue(); next && next.at <= target; next = this.nextDue()) {
      this.fireNext(next)
      await this.settle()
    }
    this.time = target
  }

  /**
   * Fires every pending timer, in order, until no process has work left and no timer is pending.
   * Gives up with an error after `maxTimers` timers (a periodic timer never lets a node go idle).
   * (no Elixir counterpart: the BEAM's clock cannot be moved)
   * @example await clock.runUntilIdle() // every process now waits for a message
   */
  async runUntilIdle(options: { maxTimers?: number } = {}): Promise<void> {
    assertObject(options, 'options')
    assertKnownKeys(options, ['maxTimers'])
    const { maxTimers = 100_000 } = options
    assertNonNegativeInteger(maxTimers, 'options.maxTimers')
    await this.settle()
    let fired = 0
    for (let next = this.nextDue(); next; next = this.nextDue()) {
      if (++fired > maxTimers) {
        throw new Error(
          `runUntilIdle fired ${maxTimers} timers and timers are still pending at ${this.time} ms; a periodic timer keeps the node busy: use advance(ms) instead`,
        )
      }
      this.fireNext(next)
      await this.settle()
    }
  }

  /**
   * Waits until no process is runnable, without moving time.
   * (no Elixir counterpart: BEAM processes run on their own; a test there waits for a message)
   * @example
   * send(pid, 'ping')
   * await clock.settle() // pid has handled 'ping'
   */
  async settle(): Promise<void> {
    do await macrotask()
    while (this.busy())
  }

  private nextDue(): VirtualTimer | undefined {
    while (this.heap.length > 0 && this.heap[0].cancelled) heapPop(this.heap)
    return this.heap[0]
  }

  private fireNext(timer: VirtualTimer): void {
    heapPop(this.heap)
    this.time = Math.max(this.time, timer.at)
    timer.cancelled = true
    timer.fire()
  }
}

// A binary min-heap ordered by (at, seq): equal deadlines fire in the order they were set.

function before(a: VirtualTimer, b: VirtualTimer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq)
}

function heapPush(heap: VirtualTimer[], timer: VirtualTimer): void {
  heap.push(timer)
  let i = heap.length - 1
  while (i > 0) {
    const parent = (i - 1) >> 1
    if (!before(heap[i], heap[parent])) break
    ;[heap[i], heap[parent]] = [heap[parent], heap[i]]
    i = parent
  }
}

function heapPop(heap: VirtualTimer[]): void {
  const last = heap.pop()!
  if (heap.length === 0) return
  heap[0] = last
  let i = 0
  for (;;) {
    const l = 2 * i + 1
    const r = l + 1
    let min = i
    if (l < heap.length && before(heap[l], heap[min])) min = l
    if (r < heap.length && before(heap[r], heap[min])) min = r
    if (min === i) return
    ;[heap[i], heap[min]] = [heap[min], heap[i]]
    i = min
  }
}
