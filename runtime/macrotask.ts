/**
 * Runs a callback after pending I/O and microtasks: `setImmediate` in Node, a `MessageChannel`
 * in browsers (where `setTimeout(0)` is clamped to 4 ms).
 * @internal
 */
type Callback = () => void

const schedule: (cb: Callback) => void = (() => {
  const g = globalThis as { setImmediate?: (cb: Callback) => unknown }
  if (typeof g.setImmediate === 'function') return (cb: Callback) => void g.setImmediate!(cb)
  if (typeof MessageChannel === 'function') {
    const queue: Callback[] = []
    const channel = new MessageChannel()
    channel.port1.onmessage = () => queue.shift()?.()
    return (cb: Callback) => {
      queue.push(cb)
      channel.port2.postMessage(null)
    }
  }
  return (cb: Callback) => void setTimeout(cb, 0)
})()

/** Calls `cb` in a later macrotask. */
export function onMacrotask(cb: Callback): void {
  schedule(cb)
}

/** Resolves in a later macrotask, after every pending microtask has run. */
export function macrotask(): Promise<void> {
  return new Promise((resolve) => schedule(resolve))
}
