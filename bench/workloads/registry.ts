/**
 * Registry lookups: 10,000 processes each register a unique key in a `Registry`, then
 * 1,000,000 `Registry.lookup`s go round the keys. Lookups per second.
 */
import { type Pid, Registry, spawn } from 'letitcrash'
import { registryKeys, report, SIZES, signal } from './common.ts'

const { keys: count, lookups } = SIZES.registry
const keys = registryKeys(count)

const started = await Registry.startLink({ keys: 'unique', name: 'bench' })
if (started[0] !== 'ok') throw new Error(`the registry did not start: ${started}`)

const registered = signal()
let left = count
const pids: Pid[] = keys.map((key) =>
  spawn(async (ctx) => {
    Registry.register(ctx, 'bench', key, null)
    if (--left === 0) registered.resolve()
    await ctx.receive()
  }),
)
await registered.done

const start = performance.now()
for (let i = 0; i < lookups; i++) {
  const k = i % count
  if (Registry.lookup('bench', keys[k])[0][0] !== pids[k]) throw new Error('wrong pid')
}
const ms = performance.now() - start

report({ keys: count, lookups, lookupsPerSecond: (lookups / ms) * 1000 })
