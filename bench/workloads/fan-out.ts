/**
 * One message to each of 10,000 processes, each replies to the sender: the time per round
 * (median of 20 rounds), from the first send to the last reply.
 */
import { type Pid, spawn } from 'letitcrash'
import { median, report, SIZES } from './common.ts'

const { processes, rounds } = SIZES.fanOut

const workers: Pid[] = []
for (let i = 0; i < processes; i++) {
  workers.push(
    spawn(async (ctx) => {
      for (;;) ctx.send((await ctx.receive()) as Pid, 'done')
    }),
  )
}

const times = await new Promise<number[]>((resolve) => {
  spawn(async (ctx) => {
    const times: number[] = []
    for (let round = 0; round < rounds; round++) {
      const start = performance.now()
      for (const worker of workers) ctx.send(worker, ctx.self)
      for (let i = 0; i < processes; i++) await ctx.receive()
      times.push(performance.now() - start)
    }
    resolve(times)
  })
})

report({ processes, rounds, msPerRound: median(times) })
