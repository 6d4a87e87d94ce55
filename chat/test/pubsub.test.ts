/** PubSub on a duplicate-keys Registry: fan-out, broadcastFrom, cleanup, fastlanes, adapters. */
import { exit, type Pid, Supervisor, spawn } from 'letitcrash'
import { beforeEach, describe, expect, it } from 'vitest'
import { useVirtualNode } from '../../runtime/test/helpers.ts'
import * as Presence from '../server/presence.ts'
import * as PubSub from '../server/pubsub.ts'

const t = useVirtualNode()

/** A process subscribed to `topic` on `pubsub` that records what it receives. */
function subscriber(pubsub: string, topic: string, options = {}): { pid: Pid; got: unknown[] } {
  const got: unknown[] = []
  const pid = spawn(async (ctx) => {
    PubSub.subscribe(ctx, pubsub, topic, options)
    for (;;) got.push(await ctx.receive())
  })
  return { pid, got }
}

describe('PubSub', () => {
  beforeEach(async () => {
    await PubSub.startLink({ name: 'ps' })
  })

  it('delivers a broadcast to every subscriber of the topic, and to nobody else', async () => {
    const a = subscriber('ps', 'room:a')
    const b = subscriber('ps', 'room:a')
    const other = subscriber('ps', 'room:b')
    await t.clock.runUntilIdle()
    PubSub.broadcast('ps', 'room:a', 'hello')
    await t.clock.runUntilIdle()
    expect([a.got, b.got, other.got]).toEqual([['hello'], ['hello'], []])
    expect(PubSub.subscriberCount('ps', 'room:a')).toBe(2)
  })

  it('broadcastFrom leaves out the sender', async () => {
    const a = subscriber('ps', 'room:a')
    const b = subscriber('ps', 'room:a')
    await t.clock.runUntilIdle()
    PubSub.broadcastFrom('ps', a.pid, 'room:a', 'from a')
    await t.clock.runUntilIdle()
    expect([a.got, b.got]).toEqual([[], ['from a']])
  })

  it('forgets a subscriber when it dies, and one that unsubscribes', async () => {
    const a = subscriber('ps', 'room:a')
    await t.clock.runUntilIdle()
    exit(a.pid, 'kill')
    expect(PubSub.subscriberCount('ps', 'room:a')).toBe(0)
    const got: unknown[] = []
    spawn(async (ctx) => {
      PubSub.subscribe(ctx, 'ps', 'room:a')
      PubSub.unsubscribe(ctx, 'ps', 'room:a')
      got.push(await ctx.receive({ timeout: 10 }))
    })
    await t.clock.runUntilIdle()
    PubSub.broadcast('ps', 'room:a', 'anyone?')
    await t.clock.advance(10)
    expect(got).toHaveLength(1)
    expect(got[0]).not.toBe('anyone?') // the receive timed out instead
  })

  it('lets a fastlane deliver a message itself, or decline and have it sent', async () => {
    const taken: unknown[] = []
    const fastlane = (message: unknown) => {
      if (message !== 'fast') return false
      taken.push(message)
      return true
    }
    const a = subscriber('ps', 'room:a', { fastlane })
    await t.clock.runUntilIdle()
    PubSub.broadcast('ps', 'room:a', 'fast')
    PubSub.broadcast('ps', 'room:a', 'slow')
    await t.clock.runUntilIdle()
    expect([taken, a.got]).toEqual([['fast'], ['slow']])
  })

  it('hands broadcasts to its adapter, so another server delivers them too', async () => {
    // Two "servers" in one node, joined by an adapter that carries JSON, as NOTIFY would.
    const wire = (to: string): PubSub.Adapter => ({
      broadcast: (topic, message) =>
        PubSub.localBroadcast(to, topic, JSON.parse(JSON.stringify(message))),
    })
    await PubSub.startLink({ name: 'server_a', adapter: wire('server_b') })
    await PubSub.startLink({ name: 'server_b', adapter: wire('server_a') })
    const onA = subscriber('server_a', 'room:x')
    const onB = subscriber('server_b', 'room:x')
    await t.clock.runUntilIdle()
    PubSub.broadcast('server_a', 'room:x', { text: 'across' })
    PubSub.localBroadcast('server_a', 'room:x', { text: 'only here' })
    await t.clock.runUntilIdle()
    expect(onA.got).toEqual([{ text: 'across' }, { text: 'only here' }])
    expect(onB.got).toEqual([{ text: 'across' }])
  })

  it('rejects a topic that is not a non-empty string', () => {
    expect(() => PubSub.broadcast('ps', '', 'x')).toThrow(
      'Expected `topic` to be a non-empty string',
    )
  })
})

describe('PubSub and Presence under a supervisor', () => {
  it('start from their child specs, PubSub first', async () => {
    const [tag] = await Supervisor.startLink(
      [
        PubSub.childSpec({ name: 'sup_ps' }),
        Presence.childSpec({ name: 'sup_presence', pubsub: 'sup_ps' }),
      ],
      { strategy: 'rest_for_one' },
    )
    expect(tag).toBe('ok')
    const a = subscriber('sup_ps', 'room:a')
    await t.clock.runUntilIdle()
    await Presence.track('sup_presence', a.pid, 'room:a', 'ann', {})
    await t.clock.runUntilIdle()
    expect(a.got).toEqual([expect.objectContaining({ event: 'presence_diff' })])
  })
})
