/**
 * The scheduler: one run queue for every node in this JavaScript realm.
 *
 * A process becomes runnable when a message it waits for arrives, its receive times out, or it
 * is spawned. The scheduler resumes runnable processes in order (FIFO), at most `BATCH` at a
 * time. JavaScript cannot preempt a running function, so fairness comes from every process
 * going back through this queue at each `receive`. To keep I/O flowing, the scheduler works in
 * slices: after `SLICE_MS` of back-to-back work it continues in a later macrotask, letting
 * sockets, timers and rendering run in between.
 * @internal
 */
import { onMacrotask } from './macrotask.ts'

export interface Runnable {
  resume(): void
}

const BATCH = 1024
const SLICE_MS = 2
const CHECK_EVERY = 64
const FAST_RECEIVES = 256

let queue: (Runnable | undefined)[] = []
let head = 0
let scheduled = false
let sliceStart = 0
let untilCheck = CHECK_EVERY
let fastReceivesLeft = FAST_RECEIVES
// `resolved.then(run)` rather than `queueMicrotask(run)`: Node wraps every queueMicrotask
// callback in an async-hooks resource, which costs more than the run itself.
const resolved = Promise.resolve()

/** Puts a process at the back of the run queue. */
export function enqueue(runnable: Runnable): void {
  queue.push(runnable)
  if (!scheduled) schedule()
}

/**
 * A receive that finds its message already waiting may skip the run queue, the way a BEAM
 * process keeps running until its reductions are used up. The budget is shared and refilled
 * at each run, so a process draining a long mailbox still comes back through the queue (and
 * the slice check) every `FAST_RECEIVES` messages.
 */
export function takeFastPath(): boolean {
  if (fastReceivesLeft === 0) return false
  fastReceivesLeft--
  return true
}

/** True while anything is queued or a run is scheduled. */
export function isBusy(): boolean {
  return scheduled || head < queue.length
}

function schedule(): void {
  scheduled = true
  if (--untilCheck <= 0) {
    untilCheck = CHECK_EVERY
    if (sliceStart !== 0 && performance.now() - sliceStart > SLICE_MS) {
      onMacrotask(run)
      return
    }
  }
  resolved.then(run)
}

function endSlice(): void {
  sliceStart = 0
}

function run(): void {
  fastReceivesLeft = FAST_RECEIVES
  if (sliceStart === 0) {
    sliceStart = performance.now()
    onMacrotask(endSlice)
  }
  const end = Math.min(queue.length, head + BATCH)
  try {
    while (head < end) {
      const next = queue[head]!
      queue[head++] = undefined
      next.resume()
    }
  } finally {
    // Even if a resume threw (a runtime bug: user errors are caught in the process), the
    // other processes must keep running.
    if (head === queue.length) {
      queue = []
      head = 0
      scheduled = false
    } else {
      schedule()
    }
  }
}
