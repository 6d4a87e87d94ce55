/**
 * The server side of a GenServer: the loop that runs `init`, then takes one message at a time
 * from the mailbox and hands it to the matching callback. Elixir's `:gen_server` loop.
 * @internal
 */
import { BadReturnError, exitReasonOf } from './errors.ts'
import { type ExitReason, isNormalExit } from './exit-reason.ts'
import type {
  Behaviour,
  CallMessage,
  CastMessage,
  From,
  OnStart,
  StopMessage,
} from './gen-server.ts'
import { reportCrash } from './logger.ts'
import type { Process } from './process.ts'
import type { ExitMessage } from './process-context.ts'

type AnyBehaviour = Behaviour<any, any, any, any, any, any>

/** How a callback wants the loop to go on; `reply` is the reply a call result carries. */
type Next =
  | {
      readonly stop: false
      readonly state: unknown
      readonly continueWith?: readonly [unknown]
      readonly reply?: readonly [unknown]
    }
  | {
      readonly stop: true
      readonly reason: ExitReason
      readonly state: unknown
      readonly reply?: readonly [unknown]
    }

/** A reply to send after `terminate`, for `['stop', reason, reply, state]`. */
type PendingReply = readonly [from: From<unknown>, reply: unknown] | undefined

const INIT_RESULTS =
  "['ok', state], ['ok', state, ['continue', arg]], ['ignore'] or ['stop', reason]"
const CALL_RESULTS =
  "['reply', reply, state], ['noreply', state], either with ['continue', arg] last, ['stop', reason, reply, state] or ['stop', reason, state]"
const NOREPLY_RESULTS =
  "['noreply', state], ['noreply', state, ['continue', arg]] or ['stop', reason, state]"

/** Runs a GenServer in `process`; `ack` reports the outcome of `init` to the starter. */
export async function serve(
  process: Process,
  behaviour: AnyBehaviour,
  arg: unknown,
  ack: (result: OnStart) => void,
): Promise<void> {
  let result: unknown
  try {
    result = await behaviour.init.call(process, arg)
  } catch (error) {
    // Crash first, so the report still shows the name (the start fails with the same reason).
    process.crash(error)
    ack(['error', exitReasonOf(error)])
    return
  }
  if (!isTuple(result) || !isValidInit(result)) {
    const error = new BadReturnError('init', result, INIT_RESULTS)
    process.crash(error)
    ack(['error', error])
    return
  }
  if (result[0] === 'ignore') {
    ack(['ignore'])
    process.terminate('normal')
    return
  }
  if (result[0] === 'stop') {
    ack(['error', result[1] as ExitReason])
    process.terminate(result[1] as ExitReason)
    return
  }
  ack(['ok', process.pid])
  await loop(
    process,
    behaviour,
    result[1],
    result.length === 3 ? [(result[2] as unknown[])[1]] : undefined,
  )
}

async function loop(
  process: Process,
  behaviour: AnyBehaviour,
  initialState: unknown,
  initialContinue: readonly [unknown] | undefined,
): Promise<void> {
  let state = initialState
  let continueWith = initialContinue
  let message: unknown
  try {
    for (;;) {
      while (continueWith !== undefined) {
        const next = await runCallback(
          process,
          behaviour,
          'handleContinue',
          [continueWith[0], state],
          false,
        )
        if (next.stop)
          return finish(process, behaviour, next.reason, next.state, message, undefined)
        state = next.state
        continueWith = next.continueWith
      }
      message = await process.receive()
      let next = dispatch(process, behaviour, message, state)
      if (next instanceof Promise) next = await next
      const from =
        (message as CallMessage | null)?.type === '$gen_call'
          ? (message as CallMessage).from
          : undefined
      if (next.stop) {
        const pending: PendingReply = from && next.reply ? [from, next.reply[0]] : undefined
        return finish(process, behaviour, next.reason, next.state, message, pending)
      }
      // The reply goes out before any continue runs.
      if (from && next.reply) from.deliver(next.reply[0])
      state = next.state
      continueWith = next.continueWith
    }
  } catch (error) {
    return finish(process, behaviour, exitReasonOf(error), state, message, undefined)
  }
}

function dispatch(
  process: Process,
  behaviour: AnyBehaviour,
  message: unknown,
  state: unknown,
): Next | Promise<Next> {
  const type = (message as { type?: unknown } | null)?.type
  if (type === '$gen_call') {
    const { from, request } = message as CallMessage
    return runCallback(process, behaviour, 'handleCall', [request, from, state], true)
  }
  if (type === '$gen_cast') {
    return runCallback(
      process,
      behaviour,
      'handleCast',
      [(message as CastMessage).request, state],
      false,
    )
  }
  if (type === '$gen_stop') return { stop: true, reason: (message as StopMessage).reason, state }
  if (
    type === 'EXIT' &&
    process.trapping &&
    (message as ExitMessage).from === process.parent?.pid
  ) {
    // The parent (usually a supervisor) is shutting us down: stop instead of handling it.
    return { stop: true, reason: (message as ExitMessage).reason, state }
  }
  if (behaviour.handleInfo === undefined) {
    // Like Elixir's default handle_info/2: an unexpected message is logged and dropped.
    reportUnexpected(process, message)
    return { stop: false, state }
  }
  return runCallback(process, behaviour, 'handleInfo', [message, state], false)
}

/** Calls a callback and checks its result; a sync callback stays sync (no extra await). */
function runCallback(
  process: Process,
  behaviour: AnyBehaviour,
  name: 'handleCall' | 'handleCast' | 'handleInfo' | 'handleContinue',
  args: unknown[],
  isCall: boolean,
): Next | Promise<Next> {
  const callback = behaviour[name] as ((...a: unknown[]) => unknown) | undefined
  if (callback === undefined) {
    throw new Error(
      `${process.pid} received a ${name === 'handleCall' ? 'call' : name === 'handleCast' ? 'cast' : 'continue'}, but its behaviour has no ${name} callback`,
    )
  }
  const result = callback.apply(process, args)
  if (result instanceof Promise) return result.then((r) => interpret(name, r, isCall))
  return interpret(name, result, isCall)
}

function interpret(callback: string, result: unknown, isCall: boolean): Next {
  if (isTuple(result)) {
    const [tag] = result
    const n = result.length
    const continueOf = (c: unknown): readonly [unknown] | undefined | null =>
      c === undefined
        ? undefined
        : isTuple(c) && c.length === 2 && c[0] === 'continue'
          ? [c[1]]
          : null
    if (isCall && tag === 'reply' && (n === 3 || n === 4)) {
      const continueWith = continueOf(result[3])
      if (continueWith !== null)
        return { stop: false, state: result[2], continueWith, reply: [result[1]] }
    }
    if (tag === 'noreply' && (n === 2 || n === 3)) {
      const continueWith = continueOf(result[2])
      if (continueWith !== null) return { stop: false, state: result[1], continueWith }
    }
    if (tag === 'stop' && n === 3)
      return { stop: true, reason: result[1] as ExitReason, state: result[2] }
    if (isCall && tag === 'stop' && n === 4) {
      return { stop: true, reason: result[1] as ExitReason, state: result[3], reply: [result[2]] }
    }
  }
  throw new BadReturnError(callback, result, isCall ? CALL_RESULTS : NOREPLY_RESULTS)
}

/**
 * Runs `terminate`, then sends a pending stop reply, reports an abnormal exit, and ends the
 * process. A crash inside `terminate` becomes the exit reason.
 */
async function finish(
  process: Process,
  behaviour: AnyBehaviour,
  reason: ExitReason,
  state: unknown,
  lastMessage: unknown,
  pendingReply: PendingReply,
): Promise<void> {
  if (!process.alive) return
  let finalReason = reason
  if (behaviour.terminate !== undefined) {
    try {
      await behaviour.terminate.call(process, reason, state)
    } catch (error) {
      finalReason = exitReasonOf(error)
    }
  }
  if (!process.alive) return
  if (pendingReply !== undefined) pendingReply[0].deliver(pendingReply[1])
  if (!isNormalExit(finalReason)) {
    reportCrash(
      'terminating',
      process.pid,
      process.registeredName,
      process.behaviour,
      finalReason,
      {
        lastMessage,
        state,
      },
    )
  }
  process.terminate(finalReason)
}

function reportUnexpected(process: Process, message: unknown): void {
  reportCrash(
    'unexpected',
    process.pid,
    process.registeredName,
    process.behaviour,
    'unexpected_message',
    {
      message,
    },
  )
}

function isTuple(value: unknown): value is readonly unknown[] {
  return Array.isArray(value) && value.length > 0
}

function isValidInit(result: readonly unknown[]): boolean {
  const [tag] = result
  if (tag === 'ok') {
    if (result.length === 2) return true
    const next = result[2]
    return result.length === 3 && isTuple(next) && next.length === 2 && next[0] === 'continue'
  }
  if (tag === 'ignore') return result.length === 1
  return tag === 'stop' && result.length === 2
}
