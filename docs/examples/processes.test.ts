import { type Pid, Process, type ProcessContext, spawn } from 'letitcrash'
import { describe, expect, it } from 'vitest'
import { useVirtualNode } from '../../runtime/test/helpers.ts'
import { ask, startEcho, startOracle, tally } from './processes.ts'

const t = useVirtualNode()

/** Runs `body` in a fresh process and resolves with what it returns. */
async function inProcess<T>(body: (ctx: ProcessContext) => Promise<T>) {
  let result: { value: T } | undefined
  spawn(async (ctx) => {
    result = { value: await body(ctx) }
  })
  await t.clock.runUntilIdle()
  return result
}

describe('chapter 1: processes and messages', () => {
  it('the echo process answers in capitals, then ends', async () => {
    const echo = startEcho()
    const result = await inProcess(async (ctx) => {
      ctx.send(echo, { from: ctx.self, text: 'hello' })
      return ctx.receive()
    })
    expect(result?.value).toBe('HELLO')
    expect(Process.isAlive(echo)).toBe(false)
  })

  it('a tally keeps its total in its loop and reports it on request', async () => {
    const counter: Pid = spawn(tally)
    const result = await inProcess(async (ctx) => {
      ctx.send(counter, ['add', 2])
      ctx.send(counter, ['add', 40])
      ctx.send(counter, ['total', ctx.self])
      return ctx.receive()
    })
    expect(result?.value).toEqual(['total', 42])
    expect(Process.isAlive(counter)).toBe(true)
  })

  it('ask takes the tagged answer and leaves other mail in the mailbox, in order', async () => {
    const oracle = startOracle('42')
    const result = await inProcess(async (ctx) => {
      ctx.send(ctx.self, 'first')
      ctx.send(ctx.self, 'second')
      const answer = await ask(ctx, oracle, 'the answer?')
      return [answer, await ctx.receive(), await ctx.receive()]
    })
    expect(result?.value).toEqual(['42', 'first', 'second'])
  })

  it('ask gives up after its timeout when no answer comes', async () => {
    const slow = startOracle('late', 5000)
    let answer: string | undefined
    spawn(async (ctx) => {
      answer = await ask(ctx, slow, 'anyone?', 1000)
    })
    await t.clock.advance(999)
    expect(answer).toBeUndefined()
    await t.clock.advance(1)
    expect(answer).toBe('no answer')
  })
})
