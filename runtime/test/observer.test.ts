/** Observer: a JSON-safe snapshot of processes and supervision trees, and its text form. */
import { describe, expect, it } from 'vitest'
import {
  Application,
  createNode,
  DynamicSupervisor,
  GenServer,
  Observer,
  type Pid,
  Supervisor,
  spawn,
} from '../index.ts'
import { ok, useVirtualNode } from './helpers.ts'
import { pidsOf, stopWith, Worker, worker } from './test-workers.ts'

const t = useVirtualNode()

/** An application whose root supervises a worker `cache` and a DynamicSupervisor `rooms`. */
const Shop = {
  name: 'shop',
  start: () =>
    Supervisor.startLink(
      [
        worker('cache', []),
        {
          id: 'rooms',
          type: 'supervisor',
          start: () => DynamicSupervisor.startLink({ name: 'rooms', maxRestarts: 5 }),
        },
      ],
      { strategy: 'one_for_all', name: 'shop_sup' },
    ),
} satisfies Application.Behaviour

async function startShop(): Promise<{ root: Pid; rooms: Pid[] }> {
  const root = ok(await Application.start(Shop))
  const rooms: Pid[] = []
  for (const id of ['lobby', 'games'])
    rooms.push(
      ok(await DynamicSupervisor.startChild('rooms', { ...worker(id, []), restart: 'transient' })),
    )
  return { root, rooms }
}

const processOf = (snap: Observer.Snapshot, pid: Pid) =>
  snap.processes.find((p) => p.pid === String(pid))

describe('Observer.snapshot processes', () => {
  it('lists every live process with what Process.info tells, pids as strings', async () => {
    const watcher = spawn(async (ctx) => {
      ctx.register('watcher')
      ctx.trapExit(true)
      ctx.link(busy)
      ctx.monitor(busy)
      await ctx.receive((m) => m === 'never')
    })
    const busy = spawn(async (ctx) => {
      await ctx.receive((m) => m === 'never')
    })
    await t.clock.runUntilIdle()
    for (const m of ['a', 'b', 'c']) t.node.send(busy, m)
    const snap = Observer.snapshot()
    expect(snap.nodes).toEqual([{ name: 'nonode@nohost', time: 0 }])
    expect(snap.processes.map((p) => p.pid)).toEqual([String(watcher), String(busy)])
    expect(processOf(snap, watcher)).toEqual({
      pid: String(watcher),
      node: 'nonode@nohost',
      name: 'watcher',
      behaviour: 'process',
      status: 'waiting',
      messageQueueLength: 0,
      messageCount: 0,
      links: [String(busy)],
      monitors: [String(busy)],
      monitoredBy: [],
      trapExit: true,
      parent: null,
    })
    expect(processOf(snap, busy)).toMatchObject({
      name: null,
      messageQueueLength: 3,
      messageCount: 3,
      links: [String(watcher)],
      monitoredBy: [String(watcher)],
      trapExit: false,
    })
  })

  it('takes several nodes at once (a cluster passes its nodes)', async () => {
    const other = createNode({ clock: 'virtual', name: 'b@host' })
    try {
      const here = spawn(async (ctx) => void (await ctx.receive()))
      const there = other.spawn(async (ctx) => void (await ctx.receive()))
      const snap = Observer.snapshot([t.node, other])
      expect(snap.nodes.map((n) => n.name)).toEqual(['nonode@nohost', 'b@host'])
      expect(snap.processes.map((p) => [p.node, p.pid])).toEqual([
        ['nonode@nohost', String(here)],
        ['b@host', String(there)],
      ])
    } finally {
      other.shutdown()
    }
  })

  it('checks its argument', () => {
    expect(() => Observer.snapshot('node' as never)).toThrow(/`nodes` to be a Node, got `'node'`/)
    expect(() => Observer.snapshot([t.node, {} as never])).toThrow(/`nodes\[1\]` to be a Node/)
  })
})

describe('Observer.snapshot supervision trees', () => {
  it('nests a DynamicSupervisor inside its application root', async () => {
    const { root, rooms } = await startShop()
    const [tree, ...others] = Observer.snapshot().trees
    expect(others).toEqual([])
    const { children, ...rootFields } = tree
    expect(rootFields).toEqual({
      pid: String(root),
      node: 'nonode@nohost',
      name: 'shop_sup',
      behaviour: 'Supervisor',
      strategy: 'one_for_all',
      maxRestarts: 3,
      maxSeconds: 5,
      restarts: 0,
      recentRestarts: 0,
    })
    const [cache, roomsChild] = children
    expect(cache).toMatchObject({
      id: 'cache',
      type: 'worker',
      restart: 'permanent',
      supervisor: null,
    })
    expect(roomsChild).toMatchObject({ id: 'rooms', type: 'supervisor', restart: 'permanent' })
    expect(roomsChild.supervisor).toMatchObject({
      pid: roomsChild.pid,
      name: 'rooms',
      behaviour: 'DynamicSupervisor',
      strategy: 'one_for_one',
      maxRestarts: 5,
    })
    expect(roomsChild.supervisor?.children).toEqual(
      rooms.map((pid) => ({
        id: null,
        pid: String(pid),
        type: 'worker',
        restart: 'transient',
        supervisor: null,
      })),
    )
  })

  it('counts restarts, and the ones in the current window, after a crash', async () => {
    const { rooms } = await startShop()
    stopWith(rooms[0], new Error('boom'))
    await t.clock.runUntilIdle()
    const roomsTree = () => Observer.snapshot().trees[0].children[1].supervisor!
    expect(roomsTree()).toMatchObject({ restarts: 1, recentRestarts: 1 })
    expect(roomsTree().children.map((c) => c.pid)).not.toContain(String(rooms[0]))
    await t.clock.advance(5001)
    expect(roomsTree()).toMatchObject({ restarts: 1, recentRestarts: 0 })
  })

  it('shows a child that is not running without a pid, and a module id readably', async () => {
    const sup = ok(
      await Supervisor.startLink(
        [{ ...worker('job', []), restart: 'transient' }, [Worker, { id: 'm', log: [] }]],
        { strategy: 'one_for_one' },
      ),
    )
    stopWith((await pidsOf(sup)).job, 'normal')
    await t.clock.runUntilIdle()
    const [job, module] = Observer.snapshot().trees[0].children
    expect(job).toMatchObject({ id: 'job', pid: null })
    expect(module.id).toBe('#Module<init,handleCall,handleCast,terminate>')
  })

  it('is plain JSON: a round trip gives the same snapshot', async () => {
    await startShop()
    spawn(async (ctx) => void (await ctx.receive()))
    ok(await GenServer.start(Worker, { id: 'x', log: [] }, { name: 'lonely' }))
    const snap = Observer.snapshot()
    expect(JSON.parse(JSON.stringify(snap))).toStrictEqual(snap)
  })
})

describe('Observer.format', () => {
  it('prints the trees and a process table', async () => {
    const { root, rooms } = await startShop()
    const text = Observer.format(Observer.snapshot())
    const lines = text.split('\n')
    expect(lines[0]).toBe('nonode@nohost, 5 processes, clock at 0 ms')
    expect(lines[1]).toBe(`${root} 'shop_sup' Supervisor one_for_all, restarts 0 (0 of 3 in 5 s)`)
    expect(lines[2]).toMatch(/^├─ cache {2}#PID<\S+> GenServer {2}worker permanent$/)
    expect(lines[3]).toMatch(
      /^└─ rooms {2}#PID<\S+> DynamicSupervisor one_for_one, restarts 0 \(0 of 5 in 5 s\) {2}supervisor permanent$/,
    )
    expect(lines[4]).toBe(`   ├─ ${rooms[0]} GenServer  worker transient`)
    expect(lines[5]).toBe(`   └─ ${rooms[1]} GenServer  worker transient`)
    expect(text).toMatch(/pid\s+name\s+behaviour\s+status\s+queue\s+received\s+links/)
    expect(text).toMatch(/shop_sup\s+Supervisor\s+waiting/)
  })
})
