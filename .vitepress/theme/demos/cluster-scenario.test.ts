import { afterEach, describe, expect, it } from 'vitest'
import { ClusterDemo, TICK_MS } from './cluster-scenario.ts'

let demo: ClusterDemo | undefined

afterEach(() => demo?.dispose())

/** What each node sees, as `a:a b:a c:a`; `-` for nothing, `down` for a crashed node. */
function sees(d: ClusterDemo): string {
  return d
    .view()
    .nodes.map((n) => `${n.short}:${n.up ? (n.sees ?? '-') : 'down'}`)
    .join(' ')
}

/** Where singletons run, as `a` or `a b` in a split brain. */
function runs(d: ClusterDemo): string {
  return d
    .view()
    .nodes.filter((n) => n.runs.length > 0)
    .map((n) => n.short)
    .join(' ')
}

describe('the cluster demo', () => {
  it('starts three connected nodes; the singleton runs on a and everyone knows it', async () => {
    demo = await ClusterDemo.start()
    expect(sees(demo)).toBe('a:a b:a c:a')
    expect(runs(demo)).toBe('a')
    expect(demo.view().nodes.map((n) => n.peers.join(''))).toEqual(['bc', 'ac', 'ab'])
    expect(demo.view().log.some((l) => l.text.startsWith('global register singleton'))).toBe(true)
  })

  it('a partition makes the other side start its own singleton after the tick: split brain', async () => {
    demo = await ClusterDemo.start()
    await demo.cutOff('a@127.0.0.1')
    expect(demo.view().nodes[0].isolated).toBe(true)
    expect(sees(demo)).toBe('a:a b:a c:a') // nobody has noticed yet
    await demo.wait(TICK_MS)
    expect(sees(demo)).toBe('a:a b:b c:b')
    expect(runs(demo)).toBe('a b')
  })

  it('healing settles the conflict: one singleton is killed, all nodes agree again', async () => {
    demo = await ClusterDemo.start()
    await demo.cutOff('a@127.0.0.1')
    await demo.wait(TICK_MS)
    await demo.heal()
    const view = demo.view()
    expect(view.nodes.every((n) => n.sees === view.nodes[0].sees)).toBe(true)
    expect(runs(demo)).toHaveLength(1)
    expect(view.log.some((l) => l.text.startsWith('global conflict singleton'))).toBe(true)
  })

  it('a crash of the holder moves the name to another node one tick later', async () => {
    demo = await ClusterDemo.start()
    await demo.crash('a@127.0.0.1')
    expect(sees(demo)).toBe('a:down b:a c:a')
    await demo.wait(TICK_MS)
    expect(sees(demo)).toBe('a:down b:b c:b')
    expect(demo.view().time).toBe(TICK_MS)

    await demo.restart('a@127.0.0.1')
    expect(sees(demo)).toBe('a:b b:b c:b')
    expect(runs(demo)).toBe('b')
  })
})
