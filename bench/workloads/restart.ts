/**
 * Restart latency: kill the child of a one_for_one supervisor 1,000 times, and time each kill
 * until the restarted child (registered under a name) tells a watcher process it has started.
 * The median, in microseconds.
 */
import { GenServer, type Pid, Process, Supervisor, spawn } from 'letitcrash'
import { median, report, SIZES } from './common.ts'

const { kills } = SIZES.restart
const NAME = 'bench-child'

// The child registers NAME (GenServer's `name` option) and reports to the watcher in init.
const Child = {
  init(watcher: Pid) {
    this.send(watcher, this.self)
    return ['ok', null]
  },
} satisfies GenServer.Behaviour<null, Pid>

const latencies = await new Promise<number[]>((resolve, reject) => {
  const watcher = spawn(async (ctx) => {
    const latencies: number[] = []
    let child = (await ctx.receive()) as Pid
    for (let i = 0; i < kills; i++) {
      const start = performance.now()
      ctx.exit(child, 'kill')
      const restarted = (await ctx.receive()) as Pid
      latencies.push((performance.now() - start) * 1000)
      if (restarted === child || Process.whereis(NAME) !== restarted) {
        reject(new Error('the restarted child is not registered under its name'))
        return
      }
      child = restarted
    }
    resolve(latencies)
  })
  Supervisor.startLink(
    [{ id: 'child', start: () => GenServer.startLink(Child, watcher, { name: NAME }) }],
    // Allow every kill: restart intensity is not what this measures.
    { strategy: 'one_for_one', maxRestarts: kills + 1, maxSeconds: 3600 },
  ).then((started) => {
    if (started[0] !== 'ok') reject(new Error(`the supervisor did not start: ${started}`))
  }, reject)
})

report({ kills, medianMicroseconds: median(latencies) })
