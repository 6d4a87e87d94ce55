import {
  type Cluster,
  type ExitMessage,
  GenServer,
  type Node,
  NoProcError,
  type Pid,
  type ProcessContext,
  type VirtualClock,
} from 'letitcrash'
import { afterEach, describe, expect, it } from 'vitest'
import * as Failover from '../../runtime/test/examples/failover.ts'
import * as ReplicatedState from '../../runtime/test/examples/replicated-state.ts'
import { A, B, C, threeNodes, watchRemote } from './cluster.ts'

let cluster: Cluster
let clock: VirtualClock

/** Three nodes, connected: a to b and a to c (so b and c meet through a). */
function connected() {
  const nodes = threeNodes()
  cluster = nodes.cluster
  clock = cluster.clock as VirtualClock
  nodes.a.connect(B)
  nodes.a.connect(C)
  return nodes
}

afterEach(() => {
  for (const node of cluster?.nodes() ?? []) node.shutdown()
})

/** Lets every process of the cluster run, then resolves with `promise`. */
async function run<T>(promise: Promise<T>): Promise<T> {
  await clock.runUntilIdle()
  return promise
}

/** Runs `fn` in a new process on `node` and resolves with its result. */
async function onNode<T>(
  node: Node,
  fn: (ctx: ProcessContext) => Promise<T>,
): Promise<T> {
  let outcome: { value: T } | { error: unknown } | undefined
  node.spawn(async (ctx) => {
    outcome = await fn(ctx).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    )
  })
  for (let waited = 0; outcome === undefined && waited < 5000; waited += 10)
    await clock.advance(10)
  if (outcome === undefined) throw new Error(`the process on ${node} hung`)
  if ('error' in outcome) throw outcome.error
  return outcome.value
}

/** A process on `node`, registered there as `name`, that keeps what it gets. */
function collector(node: Node, name: string) {
  const messages: unknown[] = []
  const pid = node.spawn(async (ctx) => {
    ctx.register(name)
    for (;;) messages.push(await ctx.receive())
  })
  return { pid, messages }
}

describe('chapter 8: nodes and connections', () => {
  it('connects nodes with the same cookie, transitively; refuses another cookie', () => {
    const nodes = threeNodes()
    cluster = nodes.cluster
    // #region connect
    const { a, b } = nodes
    b.connect(C) // b and c form a cluster of two

    expect(a.connect(B)).toBe(true)
    // a meets b's peers too: connections are transitive.
    expect(a.nodes().sort()).toEqual([B, C])

    const stranger = cluster.addNode('d@127.0.0.1', { cookie: 'other' })
    expect(stranger.connect(B)).toBe(false) // wrong cookie
    expect(stranger.nodes()).toEqual([])
    // #endregion connect
  })
})

describe('chapter 8: messages between nodes', () => {
  it('reach a pid or a { name, node } on another node, in order, as copies', async () => {
    const { a, b } = connected()
    // #region send
    const inbox = collector(b, 'inbox') // a process on b, registered there
    const order = { items: ['tea'] }
    a.spawn((ctx) => {
      ctx.send(inbox.pid, order) // a pid is a pid, wherever it lives
      ctx.send({ name: 'inbox', node: B }, 'by name') // Erlang's {inbox, node}
      order.items.push('cake') // too late: the message was copied at the send
    })
    await clock.runUntilIdle()
    expect(inbox.messages).toEqual([{ items: ['tea'] }, 'by name'])

    // A function cannot travel to another node: the send fails at once.
    expect(() => a.send(inbox.pid, { reply: () => 'hi' })).toThrow(
      /Cannot send `message.reply` to another node: it is a function/,
    )
    // #endregion send
  })
})

describe('chapter 8: failures across nodes', () => {
  it('a crashed node is noticed after the tick time: DOWN noconnection, nodedown', async () => {
    const { a, b } = connected()
    // #region noconnection
    const target = b.spawn((ctx) => ctx.receive())
    const seen: unknown[] = []
    watchRemote(a, target, (message) => seen.push(message))
    await clock.runUntilIdle()

    cluster.crash(B)
    await clock.advance(999)
    expect(seen).toEqual([]) // silence: b might only be slow
    await clock.advance(1)
    expect(seen).toMatchObject([
      { type: 'DOWN', pid: target, reason: 'noconnection' },
      { type: 'nodedown', node: B },
    ])
    // #endregion noconnection
  })

  it('a link across a partition fires noconnection on both sides', async () => {
    const { a, b } = connected()
    const exits: ExitMessage[] = []
    const remote = b.spawn((ctx) => ctx.receive())
    a.spawn(async (ctx) => {
      ctx.trapExit(true)
      ctx.link(remote)
      exits.push((await ctx.receive()) as ExitMessage)
    })
    await clock.runUntilIdle()
    cluster.partition([A], [B, C])
    await clock.advance(1000)
    expect(exits).toEqual([
      { type: 'EXIT', from: remote, reason: 'noconnection' },
    ])
    expect(b.isAlive(remote)).toBe(false)
  })
})

describe('chapter 8: the article’s ReplicatedState', () => {
  it('is one process under a global name, reached from every node', async () => {
    const { a, b, c } = connected()
    // #region global
    const started = await run(ReplicatedState.startLink({ users: ['ana'] }, a))
    expect(started[0]).toBe('ok')

    // Any node reaches it by name, without knowing where it runs.
    await onNode(c, async (ctx) =>
      ReplicatedState.updateState(ctx, { users: ['ana', 'bo'] }),
    )
    expect(await onNode(b, (ctx) => ReplicatedState.getState(ctx))).toEqual({
      users: ['ana', 'bo'],
    })

    // The name is unique in the whole cluster.
    const again = await run(ReplicatedState.startLink({}, b))
    expect(again).toEqual(['error', ['already_started', started[1]]])
    // #endregion global
  })

  it('lives on one node: when that node crashes, the state is gone', async () => {
    const { a, b } = connected()
    await run(ReplicatedState.startLink({ users: ['ana'] }, a))
    cluster.crash(A)
    await clock.advance(1000)
    await expect(
      onNode(b, (ctx) => ReplicatedState.getState(ctx)),
    ).rejects.toBeInstanceOf(NoProcError)
  })
})

describe('chapter 8: partitions', () => {
  it('both sides may take a global name; the heal keeps one and kills the other', async () => {
    const { a, b } = connected()
    // #region heal
    cluster.partition([A, C], [B])
    await clock.advance(1000) // each side notices the other is gone

    // The name is free on both sides of the cut, so each side starts its own.
    const left = await run(ReplicatedState.startLink({ side: 'a' }, a))
    const right = await run(ReplicatedState.startLink({ side: 'b' }, b))
    const pids = [left, right].map(([, pid]) => pid as Pid)

    cluster.heal()
    await clock.runUntilIdle()
    // One keeps the name; global killed the other, and its state with it.
    const alive = pids.filter((pid) => a.isAlive(pid) || b.isAlive(pid))
    expect(alive).toHaveLength(1)
    const fromA = await onNode(a, (ctx) => ReplicatedState.getState(ctx))
    const fromB = await onNode(b, (ctx) => ReplicatedState.getState(ctx))
    expect(fromA).toEqual(fromB) // { side: 'a' } or { side: 'b' }, never both
    // #endregion heal
    expect(a.global.whereis(a, 'replicated_state')?.pid).toBe(alive[0])
    expect(b.global.whereis(b, 'replicated_state')?.pid).toBe(alive[0])
  })

  it('the same seed picks the same survivor', async () => {
    const survivors: string[] = []
    for (let round = 0; round < 2; round++) {
      const nodes = connected()
      cluster.partition([A], [B, C])
      await clock.advance(1000)
      const started = [nodes.a, nodes.b].map((node) =>
        GenServer.start(
          ReplicatedState.ReplicatedState,
          { side: node.name },
          {
            name: ReplicatedState.NAME,
            node,
          },
        ),
      )
      await clock.runUntilIdle()
      await Promise.all(started)
      cluster.heal()
      await clock.runUntilIdle()
      survivors.push(
        await onNode(nodes.c, async (ctx) =>
          JSON.stringify(await ReplicatedState.getState(ctx)),
        ),
      )
      for (const node of cluster.nodes()) node.shutdown()
    }
    expect(survivors[1]).toBe(survivors[0])
  })
})

describe('chapter 8: failover', () => {
  it('a watcher on b starts the singleton there one tick after a crashes', async () => {
    const { a, b, c } = connected()
    // #region failover
    await run(Failover.startOrFind(a))
    Failover.startFailoverWatcher(b)
    expect(await onNode(c, (ctx) => Failover.where(ctx))).toBe(A)

    cluster.crash(A)
    // One tick later, b's watcher gets DOWN (noconnection) and starts it on b.
    await clock.advance(1000)
    expect(await onNode(c, (ctx) => Failover.where(ctx))).toBe(B)
    // #endregion failover
  })
})
