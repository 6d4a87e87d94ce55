/**
 * Observer: a picture of a running system, Erlang's `:observer` without the window. A
 * snapshot lists every live process (what `Process.info/1` tells) and draws the supervision
 * trees (what `:sys.get_state/1` would show of each supervisor, read without a call).
 *
 * A snapshot is plain data: pids are strings like `#PID<0.42.0>`, a missing value is `null`, so
 * `JSON.stringify` sends it to a browser or a log as it is. {@link format} prints it as text.
 *
 * @example
 * const snap = Observer.snapshot()
 * snap.processes.filter((p) => p.messageQueueLength > 100) // who is falling behind?
 * console.log(Observer.format(snap))
 * // nonode@nohost, 4 processes, clock at 0 ms
 * // #PID<0.1.0> 'app' Supervisor one_for_one, restarts 0 (0 of 3 in 5 s)
 * // ├─ cache  #PID<0.2.0> GenServer  worker permanent
 * // └─ rooms  #PID<0.3.0> DynamicSupervisor one_for_one, restarts 0 (0 of 3 in 5 s)  supervisor permanent
 * //    └─ #PID<0.4.0> GenServer  worker transient
 *
 * A snapshot is taken at once, in one synchronous read: nothing runs while it is taken, so it
 * is consistent, but it is out of date as soon as processes run again.
 */
import type { ChildType, RestartType } from './child-spec.ts'
import { formatValue } from './errors.ts'
import { getDefaultNode, Node } from './node.ts'
import type { ProcessStatus } from './process-context.ts'
import { describeSupervisor, type SupervisorInfo } from './supervision.ts'
import { describeGot } from './validate.ts'

/** A live process, as `Process.info/1` describes it. Pids are strings. */
export interface ProcessSnapshot {
  readonly pid: string
  readonly node: string
  readonly name: string | null
  /** `'process'`, `'GenServer'`, `'Supervisor'`, `'Task'`, ... */
  readonly behaviour: string
  readonly status: Exclude<ProcessStatus, 'exited'>
  /** Messages waiting in the mailbox. */
  readonly messageQueueLength: number
  /** Messages received since the process started. */
  readonly messageCount: number
  readonly links: string[]
  /** Processes this process monitors. */
  readonly monitors: string[]
  /** Processes that monitor this one. */
  readonly monitoredBy: string[]
  readonly trapExit: boolean
  /** The process that started it with a link (its supervisor, usually). */
  readonly parent: string | null
}

/** A supervisor and its children, children that are supervisors drawn with their own. */
export interface SupervisorSnapshot {
  readonly pid: string
  readonly node: string
  readonly name: string | null
  readonly behaviour: 'Supervisor' | 'DynamicSupervisor'
  readonly strategy: string
  readonly maxRestarts: number
  readonly maxSeconds: number
  /** Restarts since it started. */
  readonly restarts: number
  /** Restarts within the last `maxSeconds`: it gives up at `maxRestarts + 1`. */
  readonly recentRestarts: number
  /** In start order. */
  readonly children: ChildSnapshot[]
}

/** One child of a supervisor (`whichChildren`'s entry, with its restart type). */
export interface ChildSnapshot {
  /** The child id, readable (`null` for a DynamicSupervisor's children). */
  readonly id: string | null
  /** `null` when not running; `'restarting'` while a failed restart waits to be tried again. */
  readonly pid: string | null
  readonly type: ChildType
  readonly restart: RestartType
  /** The child's own tree, when it is a running supervisor. */
  readonly supervisor: SupervisorSnapshot | null
}

/** Everything {@link snapshot} saw. */
export interface Snapshot {
  /** The nodes looked at, with their clock's time (ms). */
  readonly nodes: { readonly name: string; readonly time: number }[]
  /** Every live process, in the order they were spawned, node by node. */
  readonly processes: ProcessSnapshot[]
  /** The supervision trees: supervisors that no supervisor supervises, with their children. */
  readonly trees: SupervisorSnapshot[]
}

/**
 * Takes a snapshot of `nodes` (the default node if none; a node list, or a cluster): every
 * live process and the supervision trees. What `:observer` shows, from `Process.info/1` and
 * each supervisor's state.
 * @example JSON.stringify(Observer.snapshot()) // send it to a dashboard
 */
export function snapshot(
  nodes: Node | readonly Node[] | { nodes(): Node[] } = getDefaultNode(),
): Snapshot {
  const list = Array.isArray(nodes)
    ? nodes
    : nodes instanceof Node
      ? [nodes]
      : typeof (nodes as { nodes?: unknown })?.nodes === 'function'
        ? (nodes as { nodes(): Node[] }).nodes()
        : [nodes as unknown as Node]
  for (const [i, node] of list.entries()) {
    if (!(node instanceof Node)) {
      const argument = Array.isArray(nodes) ? `nodes[${i}]` : 'nodes'
      throw new TypeError(`Expected \`${argument}\` to be a Node, ${describeGot(node)}`)
    }
  }
  const processes: ProcessSnapshot[] = []
  const supervisors = new Map<string, [node: Node, info: SupervisorInfo]>()
  for (const node of list as Node[]) {
    for (const pid of node.list()) {
      const info = node.processInfo(pid)
      if (info === undefined) continue
      processes.push({
        pid: String(pid),
        node: node.name,
        name: info.registeredName ?? null,
        behaviour: info.behaviour,
        status: info.status,
        messageQueueLength: info.messageQueueLength,
        messageCount: info.messageCount,
        links: info.links.map(String),
        monitors: info.monitors.map(String),
        monitoredBy: info.monitoredBy.map(String),
        trapExit: info.trapExit,
        parent: info.parent === undefined ? null : String(info.parent),
      })
      const supervisor = describeSupervisor(node.resolve(pid)!)
      if (supervisor !== undefined) supervisors.set(String(pid), [node, supervisor])
    }
  }
  const supervised = new Set(
    [...supervisors.values()].flatMap(([, s]) => s.children.map((c) => String(c.pid))),
  )
  const names = new Map(processes.map((p) => [p.pid, p.name]))
  const tree = (pid: string, seen: Set<string>): SupervisorSnapshot => {
    const [node, info] = supervisors.get(pid)!
    seen.add(pid)
    return {
      pid,
      node: node.name,
      name: names.get(pid) ?? null,
      behaviour: info.behaviour,
      strategy: info.strategy,
      maxRestarts: info.maxRestarts,
      maxSeconds: info.maxSeconds,
      restarts: info.restarts,
      recentRestarts: info.recentRestarts,
      children: info.children.map((child) => {
        const pid = child.pid === undefined ? null : String(child.pid)
        const nested = pid !== null && supervisors.has(pid) && !seen.has(pid)
        return {
          id: readableId(child.id),
          pid,
          type: child.type,
          restart: child.restart,
          supervisor: nested ? tree(pid, seen) : null,
        }
      }),
    }
  }
  return {
    nodes: list.map((node) => ({ name: node.name, time: node.clock.now() })),
    processes,
    trees: [...supervisors.keys()]
      .filter((pid) => !supervised.has(pid))
      .map((pid) => tree(pid, new Set())),
  }
}

/**
 * Prints a snapshot as text: per node, its supervision trees (like the applications tab of
 * `:observer`), then a table of its processes. (no Elixir counterpart: `:observer` draws in a
 * window; `observer_cli` prints to a terminal)
 * @example console.log(Observer.format(Observer.snapshot()))
 */
export function format(snap: Snapshot): string {
  const byPid = new Map(snap.processes.map((p) => [p.pid, p]))
  const lines: string[] = []
  const describe = (s: SupervisorSnapshot) =>
    `${s.behaviour} ${s.strategy}, restarts ${s.restarts} (${s.recentRestarts} of ${s.maxRestarts} in ${s.maxSeconds} s)`
  const draw = (s: SupervisorSnapshot, indent: string) => {
    s.children.forEach((child, i) => {
      const last = i === s.children.length - 1
      const what = child.supervisor
        ? describe(child.supervisor)
        : (byPid.get(child.pid ?? '')?.behaviour ?? 'not running')
      const id = child.id === null ? '' : `${child.id}  `
      lines.push(
        `${indent}${last ? '└─' : '├─'} ${id}${child.pid ?? '-'} ${what}  ${child.type} ${child.restart}`,
      )
      if (child.supervisor) draw(child.supervisor, indent + (last ? '   ' : '│  '))
    })
  }
  for (const node of snap.nodes) {
    const processes = snap.processes.filter((p) => p.node === node.name)
    lines.push(`${node.name}, ${processes.length} processes, clock at ${node.time} ms`)
    for (const tree of snap.trees.filter((t) => t.node === node.name)) {
      lines.push(`${tree.pid}${tree.name ? ` '${tree.name}'` : ''} ${describe(tree)}`)
      draw(tree, '')
    }
    const rows = processes.map((p) => [
      p.pid,
      p.name ?? '',
      p.behaviour,
      p.status,
      String(p.messageQueueLength),
      String(p.messageCount),
      String(p.links.length),
    ])
    lines.push(
      '',
      ...table(['pid', 'name', 'behaviour', 'status', 'queue', 'received', 'links'], rows),
      '',
    )
  }
  return lines.join('\n')
}

/** A child id as text: a string as it is, a module by its `name` or its callbacks. */
function readableId(id: unknown): string | null {
  if (id === undefined) return null
  if (typeof id === 'string') return id
  if (typeof id === 'object' && id !== null && !Array.isArray(id)) {
    const name = (id as { name?: unknown }).name
    if (typeof name === 'string') return name
    const values = Object.values(id)
    if (values.length > 0 && values.every((v) => typeof v === 'function'))
      return `#Module<${Object.keys(id).join(',')}>`
  }
  return formatValue(id)
}

/** Left-aligned columns, two spaces apart. */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  return [header, ...rows].map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd(),
  )
}
