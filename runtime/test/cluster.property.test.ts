/**
 * Property test of the simulated cluster: random sends, partitions, heals, node crashes and
 * restarts, clock advances and global-name registrations over 3–4 nodes. Once the network is
 * whole again, global names are unique and agreed on, no message arrived twice, and each
 * sender's messages to a receiver arrived in the order they were sent (some may be lost).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type Cluster,
  createCluster,
  GenServer,
  type Node,
  type NodeMessage,
  type Pid,
  type VirtualClock,
} from '../index.ts'

const TICK = 100
const NAMES = ['g1', 'g2'] as const

type Command =
  | { readonly kind: 'send'; readonly from: number; readonly to: number; readonly count: number }
  | { readonly kind: 'partition'; readonly groups: readonly number[] }
  | { readonly kind: 'heal' }
  | { readonly kind: 'crash'; readonly node: number }
  | { readonly kind: 'restart'; readonly node: number }
  | { readonly kind: 'advance'; readonly ms: number }
  | { readonly kind: 'register'; readonly node: number; readonly name: (typeof NAMES)[number] }

interface Scenario {
  readonly seed: number
  readonly nodeCount: number
  readonly commands: readonly Command[]
}

const nodeIndex = fc.integer({ min: 0, max: 3 })
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('send' as const),
      from: nodeIndex,
      to: nodeIndex,
      count: fc.integer({ min: 1, max: 5 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('partition' as const),
      groups: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 4, maxLength: 4 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('heal' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('crash' as const), node: nodeIndex }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const), node: nodeIndex }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      ms: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 3 * TICK })),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('register' as const),
      node: nodeIndex,
      name: fc.constantFrom(...NAMES),
    }),
  },
)
const scenario: fc.Arbitrary<Scenario> = fc.record({
  seed: fc.nat(),
  nodeCount: fc.integer({ min: 3, max: 4 }),
  commands: fc.array(command, { minLength: 5, maxLength: 40, size: 'max' }),
})

/** What a recorder got: a sender's pid and that sender's sequence number for this receiver. */
interface Numbered {
  readonly from: Pid
  readonly seq: number
}

/** Asks a recorder to send `seqs` to `to`, one message each. */
interface SendOrder {
  readonly order: 'send'
  readonly to: Pid
  readonly seqs: readonly number[]
}

/** A process on each node that sends on request and records what it receives. */
interface Recorder {
  readonly pid: Pid
  readonly node: Node
  readonly inbox: Numbered[]
  /** The node's peers when the recorder started, then every `nodeup`/`nodedown` after. */
  peersAtStart: string[]
  readonly nodeEvents: NodeMessage[]
}

function spawnRecorder(node: Node): Recorder {
  const recorder: Recorder = { pid: undefined!, node, inbox: [], peersAtStart: [], nodeEvents: [] }
  const pid = node.spawn(async (ctx) => {
    ctx.monitorNodes(true)
    recorder.peersAtStart = ctx.node.nodes()
    for (;;) {
      const message = (await ctx.receive()) as Numbered | SendOrder | NodeMessage
      if ('order' in message) {
        for (const seq of message.seqs) ctx.send(message.to, { from: ctx.self, seq })
      } else if ('type' in message) recorder.nodeEvents.push(message)
      else recorder.inbox.push(message)
    }
  })
  return Object.assign(recorder, { pid })
}

/** A server that only holds a global name. */
const Holder = { init: () => ['ok', null] } satisfies GenServer.Behaviour<null, null>

/**
 * Runs a scenario on a fresh cluster, then heals it, restarts crashed nodes and lets every loss
 * be noticed. Returns what happened; the caller shuts the nodes down.
 */
async function run({ seed, nodeCount, commands }: Scenario) {
  const cluster = createCluster({ seed, tickTime: TICK, latency: [1, 10] })
  const clock = cluster.clock as VirtualClock
  const names = Array.from({ length: nodeCount }, (_, i) => `n${i}@127.0.0.1`)
  for (const name of names) cluster.addNode(name)
  const at = (i: number) => cluster.node(names[i % nodeCount])
  const up = (i: number) => cluster.nodes().includes(at(i))

  /** The recorder of each node (its latest incarnation), and every recorder ever started. */
  const recorders: Recorder[] = []
  const everyRecorder: Recorder[] = []
  const startRecorder = (i: number) => {
    recorders[i] = spawnRecorder(at(i))
    everyRecorder.push(recorders[i])
  }
  /** How many messages each sender sent to each receiver: `sender>receiver` -> count. */
  const sent = new Map<string, number>()
  const holders: { name: string; pid: Pid }[] = []

  for (let i = 1; i < nodeCount; i++) at(0).connect(names[i])
  for (let i = 0; i < nodeCount; i++) startRecorder(i)
  await clock.settle()

  for (const step of commands) {
    switch (step.kind) {
      case 'send': {
        const [from, to] = [step.from % nodeCount, step.to % nodeCount]
        if (from === to || !up(from)) break
        const [sender, receiver] = [recorders[from].pid, recorders[to].pid]
        const key = `${sender}>${receiver}`
        const first = sent.get(key) ?? 0
        sent.set(key, first + step.count)
        const seqs = Array.from({ length: step.count }, (_, k) => first + k + 1)
        at(from).send(sender, { order: 'send', to: receiver, seqs } satisfies SendOrder)
        break
      }
      case 'partition': {
        const groups = new Map<number, string[]>()
        for (const [i, name] of names.entries()) {
          groups.set(step.groups[i], [...(groups.get(step.groups[i]) ?? []), name])
        }
        cluster.partition(...groups.values())
        break
      }
      case 'heal':
        cluster.heal()
        break
      case 'crash':
        cluster.crash(names[step.node % nodeCount])
        break
      case 'restart':
        if (up(step.node)) break
        cluster.restart(names[step.node % nodeCount])
        startRecorder(step.node % nodeCount)
        break
      case 'advance':
        await clock.advance(step.ms)
        break
      case 'register':
        if (!up(step.node)) break
        GenServer.start(Holder, null, { name: { global: step.name }, node: at(step.node) }).then(
          (result) => {
            if (result[0] === 'ok') holders.push({ name: step.name, pid: result[1] })
          },
        )
        break
    }
    await clock.settle()
  }

  // Make the network whole again: heal, bring crashed nodes back, let everyone notice.
  cluster.heal()
  for (let i = 0; i < nodeCount; i++) {
    if (!up(i)) {
      cluster.restart(names[i])
      startRecorder(i)
    }
  }
  await clock.advance(5 * TICK)
  await clock.runUntilIdle()
  return { cluster, clock, recorders, everyRecorder, sent, holders, nodes: cluster.nodes() }
}

/** Each connected pair of nodes resolves every global name to the same live process. */
function expectNamesAgree(cluster: Cluster, nodes: readonly Node[]): void {
  for (const node of nodes) {
    for (const name of NAMES) {
      const held = cluster.global.whereis(node, name)
      if (held !== undefined) expect(held.alive).toBe(true)
      for (const peer of node.nodes().map((n) => cluster.node(n))) {
        expect(cluster.global.whereis(peer, name), `${name} at ${node} and ${peer}`).toBe(held)
      }
    }
  }
}

/** What each recorder received, with senders named by their place in `recorders` (pids differ between runs). */
function received(recorders: readonly Recorder[]): string[][] {
  const place = new Map(recorders.map((r, i) => [r.pid, i]))
  return recorders.map((r) => r.inbox.map(({ from, seq }) => `${place.get(from)}:${seq}`))
}

/** A node and the nodes it is connected to, sorted. */
function members(node: Node): string[] {
  return [node.name, ...node.nodes()].sort()
}

describe('cluster under random faults (property)', () => {
  it('keeps global names unique and messages unduplicated and in order', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (input) => {
        const { cluster, clock, recorders, everyRecorder, sent, holders, nodes } = await run(input)
        try {
          // Nodes that see each other see the same peers (global names need that), and agree
          // on every global name.
          for (const node of nodes) {
            for (const peer of node.nodes()) {
              expect(members(cluster.node(peer)), `peers of ${peer} and ${node}`).toEqual(
                members(node),
              )
            }
          }
          expectNamesAgree(cluster, nodes)

          // Connect every pair (an operator's `Node.connect`) and let global names settle: one
          // live holder per name at most, and every node resolves the name to it.
          for (const a of nodes) for (const b of nodes) if (a !== b) a.connect(b.name)
          await clock.advance(5 * TICK)
          await clock.runUntilIdle()
          for (const node of nodes) expect(members(node)).toHaveLength(nodes.length)
          expectNamesAgree(cluster, nodes)
          for (const name of NAMES) {
            const living = holders.filter(
              (h) => h.name === name && nodes.some((n) => n.isAlive(h.pid)),
            )
            expect(living.length, `live holders of ${name}`).toBeLessThanOrEqual(1)
            expect(cluster.global.whereis(nodes[0], name)?.pid).toBe(living[0]?.pid)
          }

          // Per sender and receiver: each sequence number at most once, strictly increasing.
          for (const { pid: receiver, inbox } of everyRecorder) {
            const last = new Map<Pid, number>()
            for (const { from, seq } of inbox) {
              expect(seq).toBeGreaterThan(last.get(from) ?? 0)
              expect(seq).toBeLessThanOrEqual(sent.get(`${from}>${receiver}`) ?? 0)
              last.set(from, seq)
            }
          }

          // Each node's nodeup/nodedown stream alternates per peer and ends where Node.list is.
          for (const { node, peersAtStart, nodeEvents } of recorders) {
            const peers = new Set(peersAtStart)
            for (const { type, node: peer } of nodeEvents) {
              expect(peers.has(peer), `${type} ${peer} at ${node}`).toBe(type === 'nodedown')
              if (type === 'nodeup') peers.add(peer)
              else peers.delete(peer)
            }
            expect([...peers].sort(), `peers of ${node}`).toEqual(node.nodes().sort())
          }
        } finally {
          for (const node of cluster.nodes()) node.shutdown()
        }
      }),
      { numRuns: 100 },
    )
  })

  it('gives the same trace for the same seed and commands', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (input) => {
        const first = await run(input)
        for (const node of first.nodes) node.shutdown()
        const second = await run(input)
        for (const node of second.nodes) node.shutdown()
        expect(second.cluster.trace).toEqual(first.cluster.trace)
        expect(received(second.everyRecorder)).toEqual(received(first.everyRecorder))
      }),
      { numRuns: 40 },
    )
  })
})

// Small cases the property found, kept as plain examples.
describe('Cluster.heal after several partitions', () => {
  it('reconnects a pair an earlier partition broke, so a global name stays unique', async () => {
    const cluster = createCluster({ tickTime: TICK })
    const clock = cluster.clock as VirtualClock
    const [a, b, c] = ['a@h', 'b@h', 'c@h'].map((name) => cluster.addNode(name))
    a.connect('b@h')
    a.connect('c@h')
    cluster.partition(['a@h', 'b@h'], ['c@h'])
    await clock.advance(TICK / 2)
    cluster.partition(['a@h'], ['b@h'], ['c@h'])
    cluster.partition(['a@h', 'b@h'], ['c@h'])
    cluster.heal()
    await clock.advance(2 * TICK)
    expect(members(a)).toEqual(['a@h', 'b@h', 'c@h'])
    expect(members(b)).toEqual(['a@h', 'b@h', 'c@h'])

    const first = GenServer.start(Holder, null, { name: { global: 'g' }, node: a })
    const second = GenServer.start(Holder, null, { name: { global: 'g' }, node: b })
    await clock.runUntilIdle()
    expect((await first)[0]).toBe('ok')
    expect((await second)[0]).toBe('error')
    for (const node of [a, b, c]) node.shutdown()
  })
})

describe('Cluster.restart before the peers noticed the crash', () => {
  it('peers get nodedown for the old incarnation before nodeup for the new one', async () => {
    const cluster = createCluster({ tickTime: TICK })
    const clock = cluster.clock as VirtualClock
    const [a, b] = ['a@h', 'b@h'].map((name) => cluster.addNode(name))
    a.connect('b@h')
    const seen: NodeMessage[] = []
    b.spawn(async (ctx) => {
      ctx.monitorNodes(true)
      for (;;) seen.push((await ctx.receive()) as NodeMessage)
    })
    await clock.settle()
    cluster.crash('a@h')
    await clock.advance(TICK / 2)
    const restarted = cluster.restart('a@h')
    await clock.advance(2 * TICK)
    expect(seen).toEqual([
      { type: 'nodedown', node: 'a@h' },
      { type: 'nodeup', node: 'a@h' },
    ])
    expect(b.nodes()).toEqual(['a@h'])
    for (const node of [a, b, restarted]) node.shutdown()
  })
})
