/**
 * StateMachine: a process whose logic is an XState machine. Erlang's `gen_statem`.
 *
 * A GenServer keeps data; a state machine also keeps *which state it is in*, and the same event
 * means different things in different states. Here the states, transitions, guards and timeouts
 * are an XState v5 machine, run in a process: it gets a pid, a name, calls, links, a supervisor.
 *
 * @example
 * import { setup } from 'xstate'
 *
 * const doorLock = setup({
 *   types: {} as {
 *     input: { code: string }
 *     context: { code: string }
 *     events: { type: 'enter'; code: string } | { type: 'lock' }
 *   },
 * }).createMachine({
 *   context: ({ input }) => ({ code: input.code }),
 *   initial: 'locked',
 *   states: {
 *     locked: {
 *       on: {
 *         enter: { guard: ({ context, event }) => event.code === context.code, target: 'open' },
 *       },
 *     },
 *     open: { after: { 10_000: 'locked' }, on: { lock: 'locked' } },
 *   },
 * })
 *
 * const [, pid] = await StateMachine.start(doorLock, { input: { code: '1234' }, name: 'door' })
 * await StateMachine.call('door', { type: 'enter', code: '1234' }) // { value: 'open', context: ... }
 * // ten seconds later the door locks itself: `after` timers run on the node's clock
 *
 * How it maps to Erlang/Elixir's `gen_statem`:
 * - `:gen_statem.start_link/3` is {@link startLink}; `init/1` is `context: ({ input }) => ...`.
 * - The state functions (`locked/3`, `open/3`) are the machine's `states: { ... on: ... }`.
 * - `{:next_state, :open, data, [{:state_timeout, 10_000, :lock}]}` is `after: { 10_000: ... }`.
 * - `:gen_statem.call/3` is {@link call}: the event goes to the machine, and the caller gets the
 *   state it led to, `{ value, context }`. That is the `{:reply, from, {state, data}}` action,
 *   written once for every call instead of in every state function.
 * - `:gen_statem.cast/2` is {@link cast}; a plain message `send(pid, { type: 'lock' })` (any object
 *   with a string `type`, including `DOWN` and trapped `EXIT` messages) is an event too.
 * - A `type: 'final'` state is `{:stop, :normal}`: the process exits with reason `'normal'`.
 * - A crash (a throwing action or guard, an invoked actor's error nobody handles) ends the
 *   process with that error, so its supervisor restarts it with a fresh machine.
 *
 * Differences: an event the current state does not handle is ignored (XState's rule), where a
 * `gen_statem` would crash. There is no `init` callback in which to trap exits: pass
 * `trapExit: true`. Calls go through `GenServer.call`, so a failed call names `GenServer.call`.
 *
 * @see https://www.erlang.org/doc/apps/stdlib/gen_statem.html
 */
import type { ContextFrom, EventFromLogic, EventObject, InputFrom, SnapshotFrom } from 'xstate'
import {
  type AnyStateMachine,
  createActor,
  type Actor as XStateActor,
  StateMachine as XStateMachine,
} from 'xstate'
import type { ChildSpec } from './child-spec.ts'
import type { Timer } from './clock.ts'
import { exitReasonOf } from './errors.ts'
import { type ExitReason, isNormalExit } from './exit-reason.ts'
import * as GenServer from './gen-server.ts'
import { reportCrash } from './logger.ts'
import { assertName } from './names.ts'
import { getDefaultNode, Node, startingParent } from './node.ts'
import { assertContext, type Process } from './process.ts'
import {
  assertKnownKeys,
  assertObject,
  assertTimeout,
  describeGot,
  type Timeout,
} from './validate.ts'

// --- Types ---------------------------------------------------------------------------------

/** What a machine is at a moment: its state `value` (`'open'`, `{ on: 'red' }`) and `context`. */
export interface Snapshot<TMachine extends AnyStateMachine = AnyStateMachine> {
  readonly value: SnapshotFrom<TMachine>['value']
  readonly context: ContextFrom<TMachine>
}

export interface StartOptions<TInput = unknown> extends GenServer.StartOptions {
  /** Given to the machine as `input` (its `context: ({ input }) => ...` reads it). */
  readonly input?: TInput
  /** Trap exits from the start, as `Process.flag(:trap_exit, true)` in `init` would. */
  readonly trapExit?: boolean
}

// --- Client --------------------------------------------------------------------------------

/**
 * Starts a process running `machine`, not linked, once it is in its initial state: `['ok', pid]`,
 * or `['error', reason]` if creating it threw. `:gen_statem.start/3`
 * @example const [, pid] = await StateMachine.start(doorLock, { input: { code: '1234' } })
 */
export function start<TMachine extends AnyStateMachine>(
  machine: TMachine,
  options: StartOptions<InputFrom<TMachine>> = {},
): Promise<GenServer.OnStart> {
  return startMachine(machine, options, false)
}

/**
 * Like {@link start}, linked to the caller (the supervisor starting it, or `options.parent`).
 * `:gen_statem.start_link/3`
 * @example children: [{ id: 'door', start: () => StateMachine.startLink(doorLock, { input }) }]
 */
export function startLink<TMachine extends AnyStateMachine>(
  machine: TMachine,
  options: StartOptions<InputFrom<TMachine>> = {},
): Promise<GenServer.OnStart> {
  return startMachine(machine, options, true)
}

/**
 * Sends `event` to the machine and resolves with the state it led to. Fails like
 * `GenServer.call`: `CallTimeoutError` after `timeout` ms, `NoProcError` if nothing runs there,
 * an `ExitError` with the reason if the machine crashes on the event. `:gen_statem.call/3`
 * @example const { value } = await StateMachine.call('door', { type: 'enter', code: '1234' })
 */
export function call<TMachine extends AnyStateMachine = AnyStateMachine>(
  server: GenServer.Server,
  event: EventFromLogic<TMachine>,
  timeout: Timeout = 5000,
): Promise<Snapshot<TMachine>> {
  assertEvent(event)
  return GenServer.call(server, event, timeout)
}

/**
 * Sends `event` to the machine without waiting. Never fails, even if nothing runs there.
 * `:gen_statem.cast/2`
 * @example StateMachine.cast('door', { type: 'lock' })
 */
export function cast<TMachine extends AnyStateMachine = AnyStateMachine>(
  server: GenServer.Server,
  event: EventFromLogic<TMachine>,
): void {
  assertEvent(event)
  GenServer.cast(server, event)
}

/**
 * The machine's current `{ value, context }`, without sending it an event. `:sys.get_state/1`
 * @example (await StateMachine.getState('door')).value // 'locked'
 */
export function getState<TMachine extends AnyStateMachine = AnyStateMachine>(
  server: GenServer.Server,
  timeout: Timeout = 5000,
): Promise<Snapshot<TMachine>> {
  return GenServer.call(server, GET_STATE, timeout)
}

/**
 * Stops the machine with `reason` (default `'normal'`) and resolves once it has exited.
 * `:gen_statem.stop/3`
 * @example await StateMachine.stop('door')
 */
export function stop(
  server: GenServer.Server,
  reason: ExitReason = 'normal',
  timeout: Timeout = 'infinity',
): Promise<void> {
  return GenServer.stop(server, reason, timeout)
}

/**
 * A child spec that starts `machine` under a supervisor; its id is the machine's `id`. In a
 * children list, `[machine, input]` is short for it. `Supervisor.child_spec/2`
 * @example Supervisor.startLink([StateMachine.childSpec(doorLock, { input })], options)
 */
export function childSpec<TMachine extends AnyStateMachine>(
  machine: TMachine,
  options: StartOptions<InputFrom<TMachine>> = {},
): ChildSpec {
  assertMachine(machine)
  checkOptions(options)
  return { id: machine.id, start: () => startLink(machine, options) }
}

/** @internal True for an XState machine (from `createMachine` or `setup(...).createMachine`). */
export function isMachine(value: unknown): value is AnyStateMachine {
  return value instanceof XStateMachine
}

// --- Server --------------------------------------------------------------------------------

type Actor = XStateActor<AnyStateMachine>
type Ack = (result: GenServer.OnStart) => void

/** The request `getState` calls with: a symbol, so no event can be mistaken for it. */
const GET_STATE = Symbol('StateMachine.getState')
/** Wakes the loop when the actor errs or finishes on its own (an invoked actor's result). */
const STATUS_CHANGED = Symbol('StateMachine.statusChanged')

/** A machine timer that fired: it reaches the machine through the mailbox, like any event. */
class TimerFired {
  cancelled = false
  timer: Timer | undefined = undefined
  constructor(readonly fire: () => void) {}
}

function startMachine(
  machine: AnyStateMachine,
  options: StartOptions,
  link: boolean,
): Promise<GenServer.OnStart> {
  assertMachine(machine)
  checkOptions(options)
  const parent = link ? ((options.parent as Process | undefined) ?? startingParent()) : undefined
  parent?.assertAlive()
  const node = parent?.node ?? options.node ?? getDefaultNode()
  const timeout = options.timeout ?? 'infinity'
  const body = (process: Process, ack: Ack) => run(process, machine, options, ack)
  return GenServer.startProcess(node, parent, options.name, timeout, 'StateMachine', body)
}

/** Runs the machine in `process`: start it, acknowledge, then feed it one message at a time. */
async function run(process: Process, machine: AnyStateMachine, options: StartOptions, ack: Ack) {
  if (options.trapExit) process.trapExit(true)
  const actor = createActor(machine, { input: options.input, clock: clockOf(process) })
  // However the process ends (a crash, a kill, a stop), the machine stops with it: its timers
  // are cancelled and the actors it invoked are stopped.
  process.node.watch(process, process.pid, () => actor.stop())
  // Without an error observer XState rethrows errors from a real setTimeout, outside any process.
  const wake = () => process.deliver(STATUS_CHANGED)
  actor.subscribe({ error: wake, complete: wake })
  actor.start()
  const snapshot = actor.getSnapshot()
  // Like `init` throwing: the start fails with the error and the process exits with it.
  if (snapshot.status === 'error') throw snapshot.error
  ack(['ok', process.pid])
  if (snapshot.status === 'done') return
  await loop(process, actor)
}

async function loop(process: Process, actor: Actor): Promise<void> {
  let message: unknown
  try {
    for (;;) {
      message = await process.receive()
      const stopReason = stopReasonOf(process, message)
      if (stopReason !== undefined) return finish(process, actor, stopReason, message)
      const from = handle(process, actor, message)
      const { status, error } = actor.getSnapshot()
      if (status === 'error') return finish(process, actor, error as ExitReason, message)
      from?.deliver(snapshotOf(actor))
      if (status === 'done') return finish(process, actor, 'normal', message)
    }
  } catch (error) {
    return finish(process, actor, exitReasonOf(error), message)
  }
}

/** `StateMachine.stop`, or (as a GenServer) the parent's exit signal while trapping exits. */
function stopReasonOf(process: Process, message: unknown): ExitReason | undefined {
  const m = message as { type?: unknown; from?: unknown; reason?: ExitReason } | null
  if (m?.type === '$gen_stop') return m.reason
  if (m?.type === 'EXIT' && process.trapping && m.from === process.parent?.pid) return m.reason
  return undefined
}

/** Hands `message` to the machine as an event; for a call, returns who waits for the reply. */
function handle(process: Process, actor: Actor, message: unknown): GenServer.From | undefined {
  if (message instanceof TimerFired) {
    if (!message.cancelled) message.fire()
    return undefined
  }
  const type = (message as { type?: unknown } | null)?.type
  if (type === '$gen_call') {
    const { from, request } = message as GenServer.CallMessage
    if (request !== GET_STATE) actor.send(request as EventObject)
    return from
  }
  if (type === '$gen_cast') actor.send((message as GenServer.CastMessage).request as EventObject)
  else if (typeof type === 'string') actor.send(message as EventObject)
  else if (message !== STATUS_CHANGED) {
    const { pid, registeredName: name } = process
    reportCrash('unexpected', pid, name, 'StateMachine', 'unexpected_message', { message })
  }
  return undefined
}

/** Ends the process with `reason`, reporting it (with the machine's state) if abnormal. */
function finish(process: Process, actor: Actor, reason: ExitReason, lastMessage: unknown): void {
  if (!process.alive) return
  const details = { lastMessage, state: snapshotOf(actor) }
  if (!isNormalExit(reason))
    reportCrash('terminating', process.pid, process.registeredName, 'StateMachine', reason, details)
  process.terminate(reason)
}

function snapshotOf(actor: Actor): Snapshot {
  const { value, context } = actor.getSnapshot()
  return { value, context }
}

/**
 * The clock XState schedules `after` transitions and delayed events with: the node's clock. A
 * timer that fires is a message in the mailbox (as gen_statem's timeouts are events in its
 * queue), so the machine only ever runs inside its process, one message at a time.
 */
function clockOf(process: Process) {
  const clock = process.node.clock
  return {
    setTimeout(fire: () => void, ms: number): TimerFired {
      const fired = new TimerFired(fire)
      fired.timer = clock.setTimer(ms, () => process.deliver(fired))
      return fired
    },
    clearTimeout(fired: TimerFired): void {
      // It may have fired already and be waiting in the mailbox: the loop skips it.
      fired.cancelled = true
      if (fired.timer !== undefined) clock.cancelTimer(fired.timer)
    },
  }
}

function assertMachine(machine: unknown): asserts machine is AnyStateMachine {
  if (isMachine(machine)) return
  throw new TypeError(
    `Expected \`machine\` to be an XState machine (from createMachine or setup(...).createMachine), ${describeGot(machine)}`,
  )
}

function checkOptions(options: StartOptions): void {
  assertObject(options, 'options')
  assertKnownKeys(options, ['input', 'name', 'timeout', 'parent', 'node', 'trapExit'])
  if (options.name !== undefined) assertName(options.name, 'options.name')
  if (options.timeout !== undefined) assertTimeout(options.timeout, 'options.timeout')
  if (options.parent !== undefined) assertContext(options.parent, 'options.parent')
  if (options.node !== undefined && !(options.node instanceof Node))
    throw new TypeError(`Expected \`options.node\` to be a Node, ${describeGot(options.node)}`)
  if (options.trapExit !== undefined && typeof options.trapExit !== 'boolean')
    throw new TypeError(
      `Expected \`options.trapExit\` to be a boolean, ${describeGot(options.trapExit)}`,
    )
}

function assertEvent(event: unknown): void {
  if (typeof (event as { type?: unknown } | null)?.type === 'string') return
  throw new TypeError(
    `Expected \`event\` to be an event object with a string \`type\` (like { type: 'lock' }), ${describeGot(event)}`,
  )
}
