/**
 * Two processes send 1,000,000 messages back and forth (500,000 round trips): messages per
 * second, and the longest event-loop stall meanwhile (timers and I/O must keep running).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { type Pid, spawn } from 'letitcrash'
import { quick, report } from './common.ts'

const messages = quick ? 100_000 : 1_000_000

const pong = spawn(async (ctx) => {
  const ping = (await ctx.receive()) as Pid
  for (;;) ctx.send(ping, await ctx.receive())
})

const stalls = monitorEventLoopDelay({ resolution: 1 })
stalls.enable()
const start = performance.now()
await new Promise<void>((resolve) => {
  spawn(async (ctx) => {
    ctx.send(pong, ctx.self)
    for (let i = 0; i < messages / 2; i++) {
      ctx.send(pong, i)
      await ctx.receive()
    }
    resolve()
  })
})
const ms = performance.now() - start
stalls.disable()

report({
  messages,
  messagesPerSecond: (messages / ms) * 1000,
  // The histogram's max is the longest a 1 ms timer fired late, in nanoseconds.
  maxStallMs: stalls.max / 1e6,
})
