/**
 * Type tests: `npx tsc --noEmit -p .` checks them (each `@ts-expect-error` must meet an error),
 * and vitest runs the few runtime assertions. A behaviour written as an object literal with
 * `satisfies GenServer.Behaviour<...>` gets its callback parameters typed from context.
 */
import { describe, expect, expectTypeOf, it } from 'vitest'
import {
  type ExitReason,
  GenServer,
  type Pid,
  type ProcessContext,
  spawn,
  type TIMEOUT,
} from '../index.ts'
import { ok, useVirtualNode } from './helpers.ts'

const t = useVirtualNode()

type State = string[]
type Call = 'pop' | { peek: number }
type Cast = { push: string }
type Reply = string | undefined
type Info = 'flush'

const Stack = {
  init: (csv: string) => ['ok', csv.split(',')],
  handleCall(request, from, state) {
    expectTypeOf(request).toEqualTypeOf<Call>()
    expectTypeOf(from).toEqualTypeOf<GenServer.From<Reply>>()
    expectTypeOf(state).toEqualTypeOf<State>()
    expectTypeOf(this).toEqualTypeOf<ProcessContext>()
    if (request === 'pop') return ['reply', state[0], state.slice(1)]
    return ['reply', state[request.peek], state]
  },
  handleCast: (request, state) => {
    expectTypeOf(request).toEqualTypeOf<Cast>()
    return ['noreply', [request.push, ...state]]
  },
  handleInfo: async (message, state) => {
    expectTypeOf(message).toEqualTypeOf<Info>()
    return ['noreply', state, ['continue', 'after flush']]
  },
  handleContinue: (_arg, state) => ['noreply', state],
  terminate: (reason, state) => {
    expectTypeOf(reason).toEqualTypeOf<ExitReason>()
    expectTypeOf(state).toEqualTypeOf<State>()
  },
} satisfies GenServer.Behaviour<State, string, Call, Cast, Reply, Info>

describe('GenServer types', () => {
  it('a satisfies-checked behaviour runs as written', async () => {
    const pid = ok(await GenServer.start(Stack, 'a,b'))
    GenServer.cast(pid, { push: 'z' })
    expect(await GenServer.call<Reply>(pid, 'pop')).toBe('z')
    expect(await GenServer.call<Reply>(pid, { peek: 1 })).toBe('b')
  })

  it('start results are tagged tuples that narrow on the tag', () => {
    expectTypeOf(GenServer.start(Stack, 'a')).toEqualTypeOf<Promise<GenServer.OnStart>>()
    // @ts-expect-error init takes a string here
    void (() => GenServer.start(Stack, 42))
    const narrow = (result: GenServer.OnStart) => {
      if (result[0] === 'ok') expectTypeOf(result[1]).toEqualTypeOf<Pid>()
      if (result[0] === 'error') expectTypeOf(result[1]).toEqualTypeOf<ExitReason>()
    }
    expectTypeOf(narrow).toBeFunction()
    expectTypeOf<ReturnType<typeof GenServer.call<number>>>().toEqualTypeOf<Promise<number>>()
  })

  it('receive narrows with a type guard and adds TIMEOUT with a timeout', () => {
    spawn(async (ctx) => {
      const pair = ctx.receive((m): m is [number, number] => Array.isArray(m))
      expectTypeOf(pair).toEqualTypeOf<Promise<[number, number]>>()
      const maybe = ctx.receive((m): m is string => typeof m === 'string', { timeout: 10 })
      expectTypeOf(maybe).toEqualTypeOf<Promise<string | typeof TIMEOUT>>()
      expectTypeOf(ctx.receive()).toEqualTypeOf<Promise<unknown>>()
    })
    expect(t.node.list()).toHaveLength(1)
  })
})

// --- Wrong results do not compile ----------------------------------------------------------
// Each `@ts-expect-error` below must meet a type error, or tsc fails.

const WrongResults = {
  // @ts-expect-error init must return ['ok', state], not a bare state
  init: (csv: string) => csv.split(','),
  // @ts-expect-error 'replied' is not a result tag
  handleCall: (_request, _from, state) => ['replied', undefined, state],
  // @ts-expect-error handleCast cannot reply
  handleCast: (_request, state) => ['reply', 'x', state],
  // @ts-expect-error ['noreply'] needs the state
  handleInfo: () => ['noreply'],
  // @ts-expect-error the continue tag is misspelled
  handleContinue: (_arg, state) => ['noreply', state, ['contine', 1]],
} satisfies GenServer.Behaviour<State, string, Call, Cast, Reply, Info>

const WrongTypes = {
  // @ts-expect-error the state must be a string[]
  init: () => ['ok', 42],
  // @ts-expect-error the reply must be a Reply (string | undefined)
  handleCall: (_request, _from, state) => ['reply', 42, state],
  // @ts-expect-error the new state must be a string[]
  handleCast: (_request, _state) => ['noreply', 'not a list'],
  // @ts-expect-error ['stop', reason, state] needs the reason
  handleInfo: (_message, state) => ['stop', state],
  // @ts-expect-error terminate gets the state, a string[], not a number
  terminate: (_reason: ExitReason, _state: number) => {},
} satisfies GenServer.Behaviour<State, string, Call, Cast, Reply, Info>

const StopResults = {
  init: () => ['ok', [], ['continue', 'load']],
  handleCall: (_request, _from, state) => ['stop', 'normal', 'bye', state],
  handleCast: (_request, state) => ['stop', { shutdown: 'done' }, state],
  handleInfo: (_message, state) => ['noreply', state],
} satisfies GenServer.Behaviour<State, string, Call, Cast, Reply, Info>

const NoInit = {
  handleCast: (_request, state) => ['noreply', state],
  // @ts-expect-error a behaviour needs init
} satisfies GenServer.Behaviour<State, string, Call, Cast, Reply, Info>

it('the behaviours above are only checked by tsc', () => {
  for (const behaviour of [WrongResults, WrongTypes, StopResults, NoInit])
    expect(typeof behaviour).toBe('object')
})
