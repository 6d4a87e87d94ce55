/**
 * Two processes send 1,000,000 messages back and forth (500,000 round trips): messages per
 * second, and the longest event-loop stall meanwhile (timers and I/O must keep running).
 */
import { type Pid, spawn } from 'letitcrash'
import { report, SIZES, timeWithStalls } from './common.ts'

const { messages } = SIZES.pingPong

const pong = spawn(async (ctx) => {
  const ping = (await ctx.receive()) as Pid
  for (;;) ctx.send(ping, await ctx.receive())
})

const [ms, maxStallMs] = await timeWithStalls(
  () =>
    new Promise<void>((resolve) => {
      spawn(async (ctx) => {
        ctx.send(pong, ctx.self)
        for (let i = 0; i < messages / 2; i++) {
          ctx.send(pong, i)
          await ctx.receive()
        }
        resolve()
      })
    }),
)

report({ messages, messagesPerSecond: (messages / ms) * 1000, maxStallMs })
