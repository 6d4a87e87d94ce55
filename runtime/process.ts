/**
 * A process: a mailbox plus a body, with links, monitors and an exit reason.
 *
 * The body is a function (usually async) that gets the process's context. It runs until it
 * returns (exit reason `'normal'`), throws (the error is the reason), calls `ctx.exit(reason)`,
 * or is ended by an exit signal. A crash is caught here, once, and turned into exit signals for
 * the process's links and `DOWN` messages for its monitors: user code never needs a try/catch
 * to keep the runtime alive.
 *
 * There is no hidden "current process" (Elixir's implicit `self()`): code acts for a process
 * only through its `ctx` (or `this` in a behaviour callback), so pass `ctx` to helpers that
 * need it. JavaScript cannot stop an async function from outside, so a killed process's code
 * may keep running after an `await` that is not a `receive` (a `fetch`, say); a pending
 * `receive` never resolves, and any runtime call through its `ctx` throws `ProcessExitedError`.
 *
 * @example
 * const echo = spawn<{ from: Pid; text: string }>(async (ctx) => {
 *   const { from, text } = await ctx.receive()
 *   ctx.send(from, text)
 * })
 */

import type { Timer } from './clock.ts'
import { copyMessage } from './copy.ts'
import { ExitError, exitReasonOf, isExit, NoProcError, ProcessExitedError } from './errors.ts'
import type { ExitReason } from './exit-reason.ts'
import { reportCrash } from './logger.ts'
import { Mailbox, NONE } from './mailbox.ts'
import type { Dest, RegisteredName } from './names.ts'
import type { Node } from './node.ts'
import { type Pid, Ref } from './pid.ts'
import {
  type DownMessage,
  type ExitMessage,
  type ProcessBody,
  type ProcessContext,
  type ProcessStatus,
  type ReceiveOptions,
  TIMEOUT,
} from './process-context.ts'
import { enqueue, type Runnable, takeFastPath } from './scheduler.ts'
import { deliverDown, sendExitSignal, sendTogether } from './signals.ts'
import { exited, active as telemetryOn } from './telemetry.ts'
import {
  assertFunction,
  assertKnownKeys,
  assertObject,
  assertTimeout,
  describeGot,
} from './validate.ts'

/** A watch on a process; the watcher is a process or a runtime-internal callback. @internal */
export interface Monitor {
  readonly ref: Ref
  readonly watcher: Process | ((down: DownMessage) => void)
  /** The node the watcher lives on: a `DOWN` from another node travels over the network. */
  readonly home: Node
  readonly target: Process
  readonly byName: RegisteredName | undefined
}

/** @internal The runtime's process; learners see it through {@link ProcessContext}. */
export class Process implements ProcessContext<any>, Runnable {
  status: ProcessStatus = 'runnable'
  exitReason: ExitReason = undefined as unknown as ExitReason
  trapping = false
  registeredName: string | undefined = undefined
  /** The process that started this one with a link (a supervisor, for instance). */
  parent: Process | undefined = undefined
  /** What kind of process this is, for the observer and crash reports. */
  behaviour = 'process'
  links: Set<Process> | null = null
  /** Monitors watching this process. */
  monitors: Map<Ref, Monitor> | null = null
  /** Monitors this process holds on others. */
  watching: Map<Ref, Monitor> | null = null
  private box: Mailbox | null = null
  messageCount = 0
  private body: ProcessBody<any> | null
  private waitMatch: ((message: unknown) => boolean) | undefined = undefined
  private waitResolve: ((value: unknown) => void) | null = null
  private waitTimer: Timer | null = null
  private handover: unknown = undefined

  constructor(
    readonly node: Node,
    readonly pid: Pid,
    body: ProcessBody<any>,
  ) {
    this.body = body
  }

  get self(): Pid {
    return this.pid
  }

  /** @internal Created on first use: most processes wait far more than they queue. */
  get mailbox(): Mailbox {
    if (this.box === null) this.box = new Mailbox()
    return this.box
  }

  get alive(): boolean {
    return this.status !== 'exited'
  }

  // --- Messages -------------------------------------------------------------------------------

  /** @internal Puts a message in the mailbox, or hands it straight to a matching receive. */
  deliver(message: unknown): void {
    if (this.status === 'exited') return
    this.messageCount++
    if (this.status === 'waiting') {
      const match = this.waitMatch
      let accepted = true
      if (match !== undefined) {
        try {
          accepted = match(message)
        } catch (error) {
          this.mailbox.push(message)
          this.crash(error)
          return
        }
      }
      if (accepted) {
        this.wake(message)
        return
      }
    }
    this.mailbox.push(message)
  }

  receive(
    matchOrOptions?: ((message: any) => boolean) | ReceiveOptions,
    maybeOptions?: ReceiveOptions,
  ): Promise<any> {
    this.assertAlive()
    const hasMatch = typeof matchOrOptions === 'function'
    const match = hasMatch ? matchOrOptions : undefined
    const options = hasMatch ? maybeOptions : matchOrOptions
    if (!hasMatch && matchOrOptions !== undefined && typeof matchOrOptions !== 'object') {
      throw new TypeError(
        `Expected \`match\` to be a function (or \`options\` an object), ${describeGot(matchOrOptions)}`,
      )
    }
    if (options !== undefined) {
      assertObject(options, 'options')
      assertKnownKeys(options, ['timeout'])
    }
    const timeout = options?.timeout ?? 'infinity'
    assertTimeout(timeout, 'options.timeout')
    if (this.waitResolve !== null) {
      throw new Error(
        `${this.pid} called receive while another receive of its own was still waiting; await each receive before the next`,
      )
    }
    const found =
      this.box === null ? NONE : this.box.take(match as ((message: unknown) => boolean) | undefined)
    if (found !== NONE && takeFastPath()) return Promise.resolve(found)
    const promise = new Promise(captureResolve)
    this.waitResolve = captured!
    if (found !== NONE) {
      this.wake(found)
    } else if (timeout === 0) {
      this.wake(TIMEOUT)
    } else {
      this.status = 'waiting'
      this.waitMatch = match as ((message: unknown) => boolean) | undefined
      if (timeout !== 'infinity') {
        this.waitTimer = this.node.clock.setTimer(timeout, () => {
          if (this.status === 'waiting') this.wake(TIMEOUT)
        })
      }
    }
    return promise
  }

  /** Hands `value` to the pending receive, through the run queue. */
  private wake(value: unknown): void {
    if (this.waitTimer !== null) {
      this.node.clock.cancelTimer(this.waitTimer)
      this.waitTimer = null
    }
    this.waitMatch = undefined
    this.handover = value
    this.status = 'runnable'
    enqueue(this)
  }

  /** @internal Called by the scheduler: starts the body, or resolves the pending receive. */
  resume(): void {
    if (this.status === 'exited' || this.node.halted) return
    this.status = 'running'
    const body = this.body
    if (body !== null) {
      this.body = null
      this.run(body)
      return
    }
    const resolve = this.waitResolve!
    const value = this.handover
    this.waitResolve = null
    this.handover = undefined
    resolve(value)
  }

  send(dest: Dest, message: unknown): void {
    this.assertAlive()
    this.node.send(dest, message)
  }

  // --- Lifecycle ------------------------------------------------------------------------------

  private run(body: ProcessBody<any>): void {
    let result: unknown
    try {
      result = body(this)
    } catch (error) {
      this.crash(error)
      return
    }
    if (isThenable(result)) {
      // Bound methods rather than arrow functions: an idle process keeps these, so they are
      // part of what every process costs in memory.
      result.then(this.finish.bind(this), this.crash.bind(this))
    } else {
      this.terminate('normal')
    }
  }

  /** The body returned: the process exits normally. */
  private finish(): void {
    this.terminate('normal')
  }

  /**
   * @internal The body threw `error`: report it, then exit with it as the reason. What
   * `ctx.exit(reason)` throws is no crash: the process just exits with `reason`.
   */
  crash(error: unknown): void {
    if (this.status === 'exited') return
    if (!isExit(error))
      reportCrash('crash', this.pid, this.registeredName, this.behaviour, error as ExitReason)
    this.terminate(exitReasonOf(error))
  }

  /**
   * @internal Ends this process now: it is removed from its node, its links get exit signals,
   * then its monitors get `DOWN`. Nothing it was waiting for will ever resolve.
   */
  terminate(reason: ExitReason): void {
    if (this.status === 'exited') return
    this.status = 'exited'
    this.exitReason = reason
    if (this.waitTimer !== null) this.node.clock.cancelTimer(this.waitTimer)
    this.waitTimer = null
    this.waitResolve = null
    this.waitMatch = undefined
    this.handover = undefined
    this.body = null
    this.box = null
    this.node.forget(this)
    if (telemetryOn) exited(this, reason)
    if (this.watching !== null) {
      for (const monitor of this.watching.values()) monitor.target.monitors?.delete(monitor.ref)
      this.watching = null
    }
    const links = this.links
    const monitors = this.monitors
    this.links = null
    this.monitors = null
    sendTogether(() => {
      for (const linked of links ?? []) {
        if (linked.node === this.node) {
          linked.links?.delete(this)
          sendExitSignal(linked, this.pid, reason, false)
        } else {
          // Over the network; if the connection is lost first, the other side sees `noconnection`.
          const copy = copyMessage(reason)
          this.node.route(linked.node, () => {
            if (linked.links?.delete(this)) sendExitSignal(linked, this.pid, copy, false)
          })
        }
      }
      for (const m of monitors?.values() ?? []) {
        if (m.home === this.node) deliverDown(m.watcher, m.ref, m.byName ?? this.pid, reason)
        else this.node.network!.sendDown(this.node, m, copyMessage(reason))
      }
    })
  }

  /**
   * @internal An exit signal arrives (Erlang's signal semantics): `kill` from `exit/2` cannot
   * be trapped; a trapping process gets an `EXIT` message; `normal` is ignored unless it comes
   * from the process itself; anything else ends the process with the same reason.
   */
  receiveExitSignal(from: Pid, reason: ExitReason, untrappable: boolean): void {
    if (this.status === 'exited') return
    if (untrappable) this.terminate('killed')
    else if (this.trapping) this.deliver({ type: 'EXIT', from, reason } satisfies ExitMessage)
    else if (reason !== 'normal') this.terminate(reason)
    else if (from === this.pid) this.terminate('normal')
  }

  exit(reason: ExitReason): never
  exit(pid: Pid, reason: ExitReason): void
  exit(...args: [reason: ExitReason] | [pid: Pid, reason: ExitReason]): void {
    this.assertAlive()
    assertReason(args.at(-1))
    if (args.length === 1) throw new ExitError(args[0])
    this.node.exit(args[0], args[1], this.pid)
    if (this.status === 'exited') throw new ProcessExitedError(this.exitReason)
  }

  trapExit(flag: boolean): boolean {
    this.assertAlive()
    if (typeof flag !== 'boolean')
      throw new TypeError(`Expected \`flag\` to be a boolean, ${describeGot(flag)}`)
    const previous = this.trapping
    this.trapping = flag
    return previous
  }

  // --- Links and monitors ---------------------------------------------------------------------

  link(pid: Pid): void {
    this.assertAlive()
    const other = this.node.lookupPid(pid, 'pid')
    if (other === this) return
    if (other === undefined) {
      if (this.trapping)
        this.deliver({ type: 'EXIT', from: pid, reason: 'noproc' } satisfies ExitMessage)
      else throw new NoProcError({ fn: 'Process.link', args: [pid] })
      return
    }
    if (!this.node.canReach(other.node)) {
      // A link to a node that cannot be reached breaks at once, as after a lost connection.
      sendExitSignal(this, pid, 'noconnection', false)
      return
    }
    linkBoth(this, other)
  }

  unlink(pid: Pid): void {
    this.assertAlive()
    const other = this.node.lookupPid(pid, 'pid')
    if (other === undefined) return
    this.links?.delete(other)
    other.links?.delete(this)
  }

  monitor(target: Pid | string): Ref {
    this.assertAlive()
    return this.node.monitor(this, target)
  }

  demonitor(ref: Ref, options: { flush?: boolean } = {}): boolean {
    this.assertAlive()
    if (!(ref instanceof Ref))
      throw new TypeError(`Expected \`ref\` to be a monitor reference, ${describeGot(ref)}`)
    assertObject(options, 'options')
    assertKnownKeys(options, ['flush'])
    const monitor = this.watching?.get(ref)
    if (monitor !== undefined) {
      this.watching!.delete(ref)
      monitor.target.monitors?.delete(ref)
    }
    if (options.flush) {
      this.mailbox.removeAll(
        (m) => (m as DownMessage)?.type === 'DOWN' && (m as DownMessage).ref === ref,
      )
    }
    return monitor !== undefined
  }

  // --- Spawning -------------------------------------------------------------------------------

  spawn<N = unknown>(body: ProcessBody<N>): Pid {
    this.assertAlive()
    return this.node.spawnProcess(body).pid
  }

  spawnLink<N = unknown>(body: ProcessBody<N>): Pid {
    this.assertAlive()
    return this.node.spawnProcess(body, { link: this }).pid
  }

  spawnMonitor<N = unknown>(body: ProcessBody<N>): [pid: Pid, ref: Ref] {
    this.assertAlive()
    const child = this.node.spawnProcess(body)
    return [child.pid, this.node.monitor(this, child.pid)]
  }

  register(name: string): void {
    this.assertAlive()
    this.node.register(this.pid, name)
  }

  monitorNode(node: string): void {
    this.assertAlive()
    this.network('monitorNode').monitorNode(this, node)
  }

  monitorNodes(flag: boolean): void {
    this.assertAlive()
    this.network('monitorNodes').monitorNodes(this, flag)
  }

  private network(what: string) {
    if (this.node.network === undefined) {
      throw new TypeError(
        `${what} needs a cluster: ${this.node} is a standalone node (see createCluster)`,
      )
    }
    return this.node.network
  }

  /** @internal Throws into the code of a process that has already exited. */
  assertAlive(): void {
    if (this.status === 'exited') throw new ProcessExitedError(this.exitReason)
  }

  toString(): string {
    return String(this.pid)
  }
}

/** @internal */
export function linkBoth(a: Process, b: Process): void {
  if (a.links === null) a.links = new Set()
  if (b.links === null) b.links = new Set()
  a.links.add(b)
  b.links.add(a)
}

// One shared executor instead of a closure per receive: receive is the hottest path there is.
let captured: ((value: unknown) => void) | undefined
function captureResolve(resolve: (value: unknown) => void): void {
  captured = resolve
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function'
}

/** Validates an exit reason given to `exit`: any value but `undefined`. @internal */
export function assertReason(reason: unknown): asserts reason is ExitReason {
  if (reason === undefined) {
    throw new TypeError(
      `Expected \`reason\` to be an exit reason (any value but undefined), ${describeGot(reason)}`,
    )
  }
}

/** Validates a process body argument. @internal */
export function assertBody(body: unknown): asserts body is ProcessBody<any> {
  assertFunction(body, 'body')
}

/** Validates a `ctx` argument (the caller's process context, Elixir's implicit `self()`). @internal */
export function assertContext(ctx: unknown, argument = 'ctx'): asserts ctx is Process {
  if (ctx instanceof Process) return
  throw new TypeError(
    `Expected \`${argument}\` to be a process context (a body's \`ctx\`, or \`this\` in a callback), ${describeGot(ctx)}`,
  )
}
