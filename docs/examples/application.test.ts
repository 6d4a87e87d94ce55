import {
  Application,
  type DownMessage,
  exit,
  Process,
  type RegisteredName,
  Supervisor,
  spawn,
} from 'letitcrash'
import { describe, expect, it } from 'vitest'
import { ok, useVirtualNode } from '../../runtime/test/helpers.ts'
import { history, Metrics, ROOT, SAMPLERS, STORE } from './application.ts'

const t = useVirtualNode()

/** Monitors each name from a process, and lists the names in the order they went down. */
function downOrder(...names: string[]): string[] {
  const order: string[] = []
  spawn(async (ctx) => {
    for (const name of names) ctx.monitor(name)
    for (const _ of names) {
      const down = await ctx.receive(
        (m): m is DownMessage => (m as DownMessage).type === 'DOWN',
      )
      order.push((down.pid as RegisteredName).name)
    }
  })
  return order
}

describe('chapter 5: the metrics application', () => {
  it('starts the store, then the samplers, under one root', async () => {
    const root = ok(await Application.start(Metrics))
    expect(Process.whereis(ROOT)).toBe(root)
    const children = await Supervisor.whichChildren(root)
    expect(children.map((child) => child.id)).toEqual(['samplers', 'store'])
    expect(Application.startedApplications()).toEqual(['metrics'])
  })

  it('samples at the configured interval, and keeps the last `keep` values', async () => {
    // #region config
    await Application.start(Metrics, { env: { interval: 500 } })
    expect(Application.getEnv('metrics', 'interval')).toBe(500)
    expect(Application.getEnv('metrics', 'keep')).toBe(10) // a default

    await t.clock.advance(2000)
    // Five processes: the root, the store, the samplers' supervisor, two samplers.
    expect(await history('processes')).toEqual([5, 5, 5, 5])

    // Changed while it runs: the samplers read it at their next tick.
    Application.putEnv('metrics', 'interval', 1000)
    await t.clock.advance(2000)
    expect(await history('processes')).toHaveLength(6)
    // #endregion config
    await t.clock.advance(10_000)
    expect(await history('names')).toEqual(Array(10).fill(3))
  })

  it('stops the tree from the top, each supervisor stopping its children last started first', async () => {
    // #region stop
    await Application.start(Metrics)
    // A process monitors each name and notes the order of the DOWN messages.
    const order = downOrder(ROOT, STORE, SAMPLERS)

    expect(await Application.stop('metrics')).toEqual(['ok'])
    await t.clock.runUntilIdle()
    expect(order).toEqual([SAMPLERS, STORE, ROOT])
    expect(Application.startedApplications()).toEqual([])
    // #endregion stop
  })

  it('is over when its root supervisor exits on its own', async () => {
    const root = ok(await Application.start(Metrics))
    exit(root, 'kill')
    await t.clock.runUntilIdle()
    expect(Application.startedApplications()).toEqual([])
    expect(Process.whereis(STORE)).toBeUndefined()
    expect(await Application.stop('metrics')).toEqual([
      'error',
      ['not_started', 'metrics'],
    ])
  })
})
