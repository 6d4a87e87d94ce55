/**
 * Presence: the tracker on its own (virtual clock), then end to end with the official
 * `phoenix` client's `Presence` class reading what the server sends.
 */
import { exit, type Pid, spawn } from 'letitcrash'
import { Presence as PhxPresence } from 'phoenix'
import { beforeEach, describe, expect, it } from 'vitest'
import { useVirtualNode } from '../../runtime/test/helpers.ts'
import type { Broadcast } from '../server/channel.ts'
import * as Presence from '../server/presence.ts'
import * as PubSub from '../server/pubsub.ts'
import { join, useSocketServer, waitFor } from './socket-helpers.ts'

describe('Presence tracker', () => {
  const t = useVirtualNode()
  let diffs: Presence.PresenceDiff[]

  beforeEach(async () => {
    await PubSub.startLink({ name: 'ps' })
    await Presence.startLink({ name: 'presence', pubsub: 'ps' })
    diffs = []
    spawn(async (ctx) => {
      PubSub.subscribe(ctx, 'ps', 'room:a')
      for (;;) {
        const message = (await ctx.receive()) as Broadcast
        if (message.event === 'presence_diff') diffs.push(message.payload as Presence.PresenceDiff)
      }
    })
    await t.clock.runUntilIdle()
  })

  /** A process that stays alive until killed, to be tracked. */
  const idle = (): Pid => spawn(async (ctx) => void (await ctx.receive()))

  it('lists presences by key, with a phx_ref per meta, and broadcasts the join', async () => {
    const ann = idle()
    const [tag, ref] = await Presence.track('presence', ann, 'room:a', 'ann', { device: 'phone' })
    expect(tag).toBe('ok')
    expect(await Presence.list('presence', 'room:a')).toEqual({
      ann: { metas: [{ device: 'phone', phx_ref: ref }] },
    })
    expect(await Presence.list('presence', 'room:other')).toEqual({})
    await t.clock.runUntilIdle()
    expect(diffs).toEqual([
      { joins: { ann: { metas: [{ device: 'phone', phx_ref: ref }] } }, leaves: {} },
    ])
  })

  it('keeps one meta per process under the same key, and refuses tracking one twice', async () => {
    const [tab1, tab2] = [idle(), idle()]
    await Presence.track('presence', tab1, 'room:a', 'ann', { tab: 1 })
    await Presence.track('presence', tab2, 'room:a', 'ann', { tab: 2 })
    expect(await Presence.track('presence', tab1, 'room:a', 'ann', { tab: 3 })).toEqual([
      'error',
      'already_tracked',
    ])
    const { ann } = await Presence.list('presence', 'room:a')
    expect(ann!.metas.map((m) => m.tab)).toEqual([1, 2])
    expect(new Set(ann!.metas.map((m) => m.phx_ref)).size).toBe(2)
  })

  it('makes the presences of a process leave when it dies, however it dies', async () => {
    const [ann, bob] = [idle(), idle()]
    const [, annRef] = await Presence.track('presence', ann, 'room:a', 'ann', {})
    await Presence.track('presence', bob, 'room:a', 'bob', {})
    exit(ann, 'kill')
    await t.clock.runUntilIdle()
    expect(Object.keys(await Presence.list('presence', 'room:a'))).toEqual(['bob'])
    expect(diffs.at(-1)).toEqual({ joins: {}, leaves: { ann: { metas: [{ phx_ref: annRef }] } } })
  })

  it('untracks, and updates as a join of the new meta and a leave of the old', async () => {
    const ann = idle()
    const [, first] = await Presence.track('presence', ann, 'room:a', 'ann', { status: 'here' })
    const [, second] = await Presence.update('presence', ann, 'room:a', 'ann', { status: 'away' })
    expect(second).not.toBe(first)
    await t.clock.runUntilIdle()
    expect(diffs.at(-1)).toEqual({
      joins: { ann: { metas: [{ status: 'away', phx_ref: second, phx_ref_prev: first }] } },
      leaves: { ann: { metas: [{ status: 'here', phx_ref: first }] } },
    })
    expect(await Presence.untrack('presence', ann, 'room:a', 'ann')).toBe('ok')
    expect(await Presence.list('presence', 'room:a')).toEqual({})
    expect(await Presence.update('presence', ann, 'room:a', 'ann', {})).toEqual([
      'error',
      'not_tracked',
    ])
  })

  it('sends payloads that the phoenix client Presence functions apply correctly', async () => {
    const [ann, bob] = [idle(), idle()]
    await Presence.track('presence', ann, 'room:a', 'ann', {})
    let state = PhxPresence.syncState({}, await Presence.list('presence', 'room:a'))
    await Presence.track('presence', bob, 'room:a', 'bob', {})
    exit(ann, 'kill')
    await t.clock.runUntilIdle()
    for (const diff of diffs.slice(1)) state = PhxPresence.syncDiff(state, diff)
    expect(PhxPresence.list(state, (key) => key)).toEqual(['bob'])
  })

  it("merges other servers' presences into list, and makes them leave when a server is gone", async () => {
    const ann = idle()
    const [, annRef] = await Presence.track('presence', ann, 'room:a', 'ann', {})
    const bob = { bob: { metas: [{ phx_ref: 'B1' }] } }
    // Server B's snapshot: bob on room:a. Local clients get him as a join.
    Presence.remoteState('presence', 'server-b', { 'room:a': bob }, true)
    expect(await Presence.list('presence', 'room:a')).toEqual({
      ann: { metas: [{ phx_ref: annRef }] },
      ...bob,
    })
    expect(await Presence.listLocal('presence')).toEqual({
      'room:a': { ann: { metas: [{ phx_ref: annRef }] } },
    })
    // A diff from B (carol joins there) updates the replica; B's diffs reach clients by themselves.
    const carol = { carol: { metas: [{ phx_ref: 'B2' }] } }
    Presence.remoteDiff('presence', 'server-b', 'room:a', { joins: carol, leaves: {} })
    expect(Object.keys(await Presence.list('presence', 'room:a')).sort()).toEqual([
      'ann',
      'bob',
      'carol',
    ])
    await t.clock.runUntilIdle()
    diffs.length = 0
    // B is gone: its users leave, here and for local clients.
    Presence.remoteDown('presence', 'server-b')
    expect(Object.keys(await Presence.list('presence', 'room:a'))).toEqual(['ann'])
    await t.clock.runUntilIdle()
    expect(diffs).toEqual([{ joins: {}, leaves: { ...bob, ...carol } }])
  })
})

describe('Presence over the socket, read by the phoenix client', () => {
  const t = useSocketServer()

  it('shows both users to each, then the one who stays sees the other leave', async () => {
    await t.start()
    const annChannel = t.connect('valid:ann').channel('room:lobby', { presence: true })
    const bobSocket = t.connect('valid:bob')
    const bobChannel = bobSocket.channel('room:lobby', { presence: true })
    const annSees = new PhxPresence(annChannel)
    const bobSees = new PhxPresence(bobChannel)
    const users = (presence: PhxPresence) => presence.list((key) => key).sort()
    const leaves: string[] = []
    annSees.onLeave((key) => {
      leaves.push(key!)
    })
    await join(annChannel)
    await waitFor(() => users(annSees).length === 1, 'ann to see herself')
    await join(bobChannel)
    await waitFor(() => users(annSees).length === 2, 'ann to see bob')
    await waitFor(() => users(bobSees).length === 2, 'bob to see ann')
    expect(users(annSees)).toEqual(['ann', 'bob'])
    expect(users(bobSees)).toEqual(['ann', 'bob'])
    bobSocket.disconnect()
    await waitFor(() => users(annSees).length === 1, 'ann to see bob leave')
    expect(users(annSees)).toEqual(['ann'])
    expect(leaves).toEqual(['bob'])
  })
})
