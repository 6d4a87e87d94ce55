import { afterEach, describe, expect, it } from 'vitest'
import {
  type Cluster,
  createCluster,
  type DownMessage,
  type ExitMessage,
  GenServer,
  type Node,
  type NodeMessage,
  Observer,
  type Pid,
  Process,
  type ProcessContext,
  setDefaultNode,
  Telemetry,
  TIMEOUT,
  type VirtualClock,
} from '../index.ts'
import { ok } from './helpers.ts'

const A = 'a@127.0.0.1'
const B = 'b@127.0.0.1'
const C = 'c@127.0.0.1'

let cluster: Cluster
let clock: VirtualClock
let previousDefault: Node | undefined

function setup(options: Parameters<typeof createCluster>[0] = {}): [Node, Node, Node] {
  cluster = createCluster({ seed: 1, tickTime: 1_000, ...options })
  clock = cluster.clock as VirtualClock
  const nodes = [A, B, C].map((name) => cluster.addNode(name)) as [Node, Node, Node]
  previousDefault = setDefaultNode(nodes[0])
  return nodes
}

afterEach(() => {
  for (const node of cluster?.nodes() ?? []) node.shutdown()
  if (previousDefault) setDefaultNode(previousDefault)
})

/** A process that records every message it gets (it traps exits once it has run). */
function recorder(node: Node): { pid: Pid; messages: unknown[] } {
  const messages: unknown[] = []
  const pid = node.spawn(async (ctx) => {
    ctx.trapExit(true)
    for (;;) messages.push(await ctx.receive())
  })
  return { pid, messages }
}

describe('Node.connect', () => {
  it('connects nodes with the same cookie and lists them on both sides', () => {
    const [a, b] = setup()
    expect(a.connect(B)).toBe(true)
    expect(a.nodes()).toEqual([B])
    expect(b.nodes()).toEqual([A])
  })

  it('fails with a different cookie', () => {
    const [a] = setup()
    cluster.addNode('d@127.0.0.1', { cookie: 'other' })
    expect(a.connect('d@127.0.0.1')).toBe(false)
    expect(a.nodes()).toEqual([])
  })

  it('is transitive: connecting to one node meets its peers', () => {
    const [a, b, c] = setup()
    b.connect(C)
    a.connect(B)
    expect(a.nodes().sort()).toEqual([B, C])
    expect(c.nodes().sort()).toEqual([A, B])
  })

  it('rejects bad input with clear errors', () => {
    const [a] = setup()
    expect(() => a.connect(A)).toThrow(/Cannot connect a@127.0.0.1 to itself/)
    expect(() => a.connect('nobody@127.0.0.1')).toThrow(/Unknown node/)
    expect(() => cluster.addNode('no-at-sign')).toThrow(/'name@host'/)
    expect(() => cluster.addNode(A)).toThrow(/already running/)
    expect(() => cluster.node('x@y')).toThrow(/Unknown node 'x@y'/)
    expect(() => createCluster({ tickTime: -1 })).toThrow(/tickTime/)
    expect(() => a.global.whereis(a, 42 as never)).toThrow(/global name to be a non-empty string/)
    expect(() => GenServer.start(Counter, 0, { name: { global: 42 } as never })).toThrow(
      /\{ global: name \}/,
    )
    expect(() => a.send({ global: 'nobody' }, 'hi')).toThrow(/no process is registered/)
  })

  it('disconnect drops the connection on both sides at once', () => {
    const [a, b] = setup()
    a.connect(B)
    expect(a.disconnect(B)).toBe(true)
    expect(b.nodes()).toEqual([])
  })
})

describe('messages between nodes', () => {
  it('arrive after the latency, in order, as copies', async () => {
    const [a, b] = setup({ latency: [1, 5] })
    const inbox = recorder(b)
    const payload = { items: [1] }
    a.spawn((ctx) => {
      for (let i = 0; i < 20; i++) ctx.send(inbox.pid, i)
      ctx.send(inbox.pid, payload)
      payload.items.push(2) // too late: the copy was made at the send
    })
    await clock.runUntilIdle()
    expect(inbox.messages.slice(0, 20)).toEqual([...Array(20).keys()])
    expect(inbox.messages[20]).toEqual({ items: [1] })
    expect(inbox.messages[20]).not.toBe(payload)
  })

  it('a sendAfter timer of any node can be read and cancelled from its ref alone', async () => {
    const [, b] = setup()
    const inbox = recorder(b)
    const timer = Process.sendAfter(inbox.pid, 'late', 1_000)
    await clock.advance(600)
    expect(Process.readTimer(timer)).toBe(400)
    expect(Process.cancelTimer(timer)).toBe(400)
    await clock.advance(1_000)
    expect(inbox.messages).toEqual([])
  })

  it('refuses a function at the send, with a message that says where it is', () => {
    const [a, b] = setup()
    const inbox = recorder(b)
    expect(() => a.send(inbox.pid, { reply: () => 1 })).toThrow(
      /Cannot send `message.reply` to another node: it is a function/,
    )
  })

  it('reach a registered name on another node with { name, node }', async () => {
    const [a, b] = setup()
    const inbox = recorder(b)
    b.register(inbox.pid, 'inbox')
    a.send({ name: 'inbox', node: B }, 'hello')
    a.send({ name: 'nobody', node: B }, 'dropped silently')
    await clock.runUntilIdle()
    expect(inbox.messages).toEqual(['hello'])
  })

  it('are lost during a partition, and nothing is delivered twice after the heal', async () => {
    const [a, b] = setup()
    const inbox = recorder(b)
    a.connect(B)
    cluster.partition([A], [B])
    a.send(inbox.pid, 'lost')
    await clock.advance(1_000)
    cluster.heal()
    a.send(inbox.pid, 'after heal')
    await clock.runUntilIdle()
    expect(inbox.messages.filter((m) => typeof m === 'string')).toEqual(['after heal'])
  })
})

describe('links and monitors across nodes', () => {
  it('carry exit signals over the network', async () => {
    const [a, b] = setup()
    const watcher = recorder(a)
    await clock.runUntilIdle()
    const remote = b.spawn(async (ctx) => {
      await ctx.receive()
      throw new Error('remote crash')
    })
    a.spawn((ctx) => {
      ctx.send(remote, 'go')
    })
    a.processes.get(watcher.pid.id)!.link(remote)
    await clock.runUntilIdle()
    const exit = watcher.messages[0] as ExitMessage
    expect(exit.type).toBe('EXIT')
    expect(exit.from).toBe(remote)
    expect((exit.reason as Error).message).toBe('remote crash')
  })

  it('fire noconnection on both sides one tick after a partition', async () => {
    const [a, b] = setup()
    const left = recorder(a)
    const right = recorder(b)
    await clock.runUntilIdle()
    a.processes.get(left.pid.id)!.link(right.pid)
    cluster.partition([A], [B])
    await clock.advance(999)
    expect(left.messages).toEqual([])
    await clock.advance(1)
    expect(left.messages).toEqual([{ type: 'EXIT', from: right.pid, reason: 'noconnection' }])
    expect(right.messages).toEqual([{ type: 'EXIT', from: left.pid, reason: 'noconnection' }])
  })

  it('deliver DOWN with noconnection and nodedown when a node crashes', async () => {
    const [a, b] = setup()
    const target = b.spawn(async (ctx) => {
      await ctx.receive()
    })
    const seen: unknown[] = []
    a.spawn(async (ctx: ProcessContext) => {
      ctx.monitorNode(B)
      ctx.monitor(target)
      seen.push(await ctx.receive(), await ctx.receive())
    })
    await clock.runUntilIdle()
    cluster.crash(B)
    await clock.advance(1_000)
    const down = seen.find((m) => (m as DownMessage).type === 'DOWN') as DownMessage
    expect(down.reason).toBe('noconnection')
    expect(seen).toContainEqual({ type: 'nodedown', node: B } satisfies NodeMessage)
  })

  it('monitorNodes reports nodeup and nodedown for every node', async () => {
    const [a] = setup()
    const seen: unknown[] = []
    a.spawn(async (ctx) => {
      ctx.monitorNodes(true)
      for (;;) seen.push(await ctx.receive())
    })
    await clock.runUntilIdle()
    a.connect(B)
    a.disconnect(B)
    await clock.runUntilIdle()
    expect(seen).toEqual([
      { type: 'nodeup', node: B },
      { type: 'nodedown', node: B },
    ])
  })

  it('a link to a node that cannot be reached breaks at once', async () => {
    const [a, b] = setup()
    const remote = b.spawn(async (ctx) => {
      await ctx.receive()
    })
    cluster.partition([A], [B])
    const local = recorder(a)
    await clock.runUntilIdle()
    a.processes.get(local.pid.id)!.link(remote)
    await clock.runUntilIdle()
    expect(local.messages).toEqual([{ type: 'EXIT', from: remote, reason: 'noconnection' }])
  })
})

describe('remote work', () => {
  it('spawnOn starts a process on another node', async () => {
    const [a, b] = setup()
    const pid = cluster.spawnOn(a, B, async (ctx) => {
      await ctx.receive()
    })
    expect(b.isAlive(pid)).toBe(true)
  })

  it('rpc returns the copied result, or fails with the reason, noconnection or timeout', async () => {
    const [a] = setup()
    const sum = cluster.rpc(a, B, (ctx) => `${ctx.node.name}: ${1 + 2}`)
    await clock.runUntilIdle()
    await expect(sum).resolves.toBe(`${B}: 3`)

    const crash = cluster
      .rpc(a, B, () => {
        throw new Error('rpc crash')
      })
      .catch((error) => error)
    const slow = cluster
      .rpc(
        a,
        B,
        async (ctx) => {
          await ctx.receive()
        },
        100,
      )
      .catch((error) => error)
    await clock.advance(100)
    expect(await crash).toMatchObject({ reason: { message: 'rpc crash' } })
    expect(await slow).toMatchObject({ reason: 'timeout' })

    cluster.partition([A], [B])
    await expect(cluster.rpc(a, B, () => 1)).rejects.toMatchObject({ reason: 'noconnection' })
  })
})

const Counter = {
  init: (start: number) => ['ok', start],
  handleCall: (_request: 'get', _from, count: number) => ['reply', count, count],
  handleCast: (_request: 'inc', count: number) => ['noreply', count + 1],
} satisfies GenServer.Behaviour<number, number, 'get', 'inc', number>

describe('GenServer across nodes and global names', () => {
  it('a { global } name is unique across connected nodes and reachable from each', async () => {
    const [a, b, c] = setup()
    a.connect(B)
    a.connect(C)
    const started = GenServer.start(Counter, 5, { name: { global: 'counter' }, node: b })
    await clock.runUntilIdle()
    const pid = ok(await started)
    const twice = GenServer.start(Counter, 0, { name: { global: 'counter' }, node: c })
    await clock.runUntilIdle()
    expect(await twice).toEqual(['error', ['already_started', pid]])

    const replies: number[] = []
    for (const node of [a, b, c]) {
      node.spawn(async (ctx) => {
        GenServer.cast({ global: 'counter' }, 'inc', { caller: ctx })
        replies.push(await GenServer.call({ global: 'counter' }, 'get', { caller: ctx }))
      })
    }
    await clock.runUntilIdle()
    expect(replies).toHaveLength(3)
    expect(Math.max(...replies)).toBe(8)
  })

  it('a call across a partition fails with noconnection after the tick time', async () => {
    const [a, b] = setup()
    a.connect(B)
    const started = GenServer.start(Counter, 0, { node: b })
    await clock.runUntilIdle()
    const pid = ok(await started)
    cluster.partition([A], [B])
    let outcome: unknown
    a.spawn(async (ctx) => {
      outcome = await GenServer.call(pid, 'get', { caller: ctx, timeout: 5_000 }).catch(
        (e) => e.reason,
      )
    })
    await clock.advance(1_000)
    expect(outcome).toBe('noconnection')
  })

  it('when a partition heals with the name on both sides, one process keeps it and the other is killed', async () => {
    const [a, b] = setup()
    a.connect(B)
    cluster.partition([A], [B])
    await clock.advance(1_000)
    const left = GenServer.start(Counter, 1, { name: { global: 'leader' }, node: a })
    const right = GenServer.start(Counter, 2, { name: { global: 'leader' }, node: b })
    await clock.runUntilIdle()
    const pids = [ok(await left), ok(await right)]
    cluster.heal()
    await clock.runUntilIdle()
    const alive = pids.filter((pid) => a.isAlive(pid) || b.isAlive(pid))
    expect(alive).toHaveLength(1)
    expect(a.global.whereis(a, 'leader')?.pid).toBe(alive[0])
    expect(b.global.whereis(b, 'leader')?.pid).toBe(alive[0])
  })
})

describe('determinism', () => {
  async function scenario(seed: number): Promise<string[]> {
    const [a, b] = setup({ seed, latency: [1, 20] })
    a.connect(B)
    const inbox = recorder(b)
    a.spawn(async (ctx) => {
      for (let i = 0; i < 50; i++) {
        ctx.send(inbox.pid, i)
        await ctx.receive({ timeout: 3 })
      }
    })
    await clock.advance(40)
    cluster.partition([A], [B])
    await clock.advance(1_000)
    cluster.heal()
    await clock.runUntilIdle()
    for (const node of cluster.nodes()) node.shutdown()
    return [...cluster.trace, JSON.stringify(inbox.messages)]
  }

  it('the same seed gives the same run, event for event', async () => {
    const first = await scenario(42)
    const second = await scenario(42)
    expect(second).toEqual(first)
    expect(first.length).toBeGreaterThan(10)
  })

  it('receive timeouts in a cluster read the cluster clock', async () => {
    const [a] = setup()
    let result: unknown
    a.spawn(async (ctx) => {
      result = await ctx.receive({ timeout: 500 })
    })
    await clock.advance(499)
    expect(result).toBeUndefined()
    await clock.advance(1)
    expect(result).toBe(TIMEOUT)
  })
})

describe('observing a cluster', () => {
  it('telemetry reports partition, nodedown, heal and nodeup', async () => {
    const [a] = setup()
    a.connect(B)
    const seen: string[] = []
    const { events } = Telemetry
    Telemetry.attach(
      'cluster-test',
      [events.partition, events.nodeDown, events.heal, events.nodeUp],
      (event, _m, meta) => seen.push(`${event.at(-1)} ${meta.node ?? ''}`.trim()),
    )
    try {
      cluster.partition([A], [B])
      await clock.advance(1_000)
      cluster.heal()
      await clock.runUntilIdle()
    } finally {
      Telemetry.detach('cluster-test')
    }
    expect(seen).toEqual(['partition', `down ${A}`, `down ${B}`, 'heal', `up ${A}`, `up ${B}`])
  })

  it('Observer.snapshot takes a cluster and lists the processes of every node', async () => {
    const [a, b] = setup()
    a.spawn(async (ctx) => {
      await ctx.receive()
    })
    b.spawn(async (ctx) => {
      await ctx.receive()
    })
    await clock.runUntilIdle()
    const snapshot = Observer.snapshot(cluster)
    expect(snapshot.processes).toHaveLength(2)
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot)
  })
})

describe('a crashed node', () => {
  it('looks alive to its peers until they notice: names stay, calls end in noconnection at the tick', async () => {
    const [a, b] = setup()
    a.connect(B)
    const started = GenServer.start(Counter, 0, { name: { global: 'counter' }, node: b })
    await clock.runUntilIdle()
    const pid = ok(await started)
    cluster.crash(B)
    expect(a.global.whereis(a, 'counter')?.pid).toBe(pid)
    let outcome: unknown
    a.spawn(async (ctx) => {
      outcome = await GenServer.call(pid, 'get', { caller: ctx }).catch(
        (error) => `${error.reason} at ${clock.now()}`,
      )
    })
    await clock.advance(1_000)
    expect(outcome).toBe('noconnection at 1000')
    expect(a.global.whereis(a, 'counter')).toBeUndefined()
    expect(b.list()).toEqual([])
  })
})
