/**
 * Global names (Erlang's `:global`): a name that means one process across every connected
 * node. Start a GenServer with `{ name: { global: 'repl' } }` and any node reaches it with
 * `GenServer.call({ global: 'repl' }, ...)`.
 *
 * Each node keeps its own copy of the name table; connected nodes agree. During a partition
 * each side forgets the names of processes it can no longer see, so each side may register
 * the same name. When the sides meet again, one process keeps the name and the other is
 * killed, picked at random (from the cluster's seed), as Erlang's default resolver
 * `:global.random_exit_name/3` does.
 *
 * @example
 * await GenServer.start(Counter, 0, { name: { global: 'counter' }, node: a })
 * await GenServer.call({ global: 'counter' }, 'get')
 */
import type { Node } from './node.ts'
import type { Process } from './process.ts'

/** Elixir's `{:global, name}`. */
export interface GlobalName {
  readonly global: string
}

export function isGlobalName(value: unknown): value is GlobalName {
  return (
    typeof value === 'object' && value !== null && typeof (value as GlobalName).global === 'string'
  )
}

/** A global name table, one copy per node; a cluster has one (`cluster.global`), a lone node its own. */
export class Global {
  private readonly views = new Map<Node, Map<string, Process>>()

  /** @internal */
  constructor(
    private readonly peers: (node: Node) => Node[],
    private readonly random: () => number,
    private readonly record: (event: string) => void = () => {},
  ) {}

  /**
   * Registers `process` as `name` on `node` and every node connected to it; false if the name
   * is taken. Usually done for you by `GenServer.start(..., { name: { global: name } })`.
   * `:global.register_name/2`
   * @example cluster.global.register(a, 'leader', process) // true
   */
  register(node: Node, name: string, process: Process): boolean {
    assertGlobal(name)
    if (!process.alive || this.whereis(node, name) !== undefined) return false
    for (const member of [node, ...this.peers(node)]) this.view(member).set(name, process)
    // The name goes with its process: whoever holds it forgets it when it exits.
    process.node.watch(process, process.pid, () => this.forgetProcess(process))
    this.record(`global register ${name} ${traced(process)}`)
    return true
  }

  /**
   * Removes `name` on `node` and its peers. `:global.unregister_name/1`
   * @example cluster.global.unregister(a, 'leader')
   */
  unregister(node: Node, name: string): void {
    assertGlobal(name)
    for (const member of [node, ...this.peers(node)]) this.view(member).delete(name)
  }

  /**
   * The live process `name` means, as `node` sees it. `:global.whereis_name/1`
   * @example cluster.global.whereis(b, 'leader')?.pid
   */
  whereis(node: Node, name: string): Process | undefined {
    assertGlobal(name)
    const process = this.views.get(node)?.get(name)
    return process?.alive ? process : undefined
  }

  /**
   * Every global name `node` knows. `:global.registered_names/0`
   * @example cluster.global.names(a) // ['leader']
   */
  names(node: Node): string[] {
    return [...this.view(node).entries()].filter(([, p]) => p.alive).map(([name]) => name)
  }

  /** @internal Two nodes just connected: merge their tables, settling conflicts. */
  sync(a: Node, b: Node): void {
    const members = [...new Set([a, ...this.peers(a), b, ...this.peers(b)])]
    const merged = new Map<string, Process>()
    for (const member of members) {
      for (const [name, process] of this.view(member)) {
        if (!process.alive) continue
        const held = merged.get(name)
        if (held === undefined || held === process) merged.set(name, process)
        else merged.set(name, this.resolveConflict(name, held, process))
      }
    }
    for (const member of members) this.views.set(member, new Map(merged))
  }

  /** @internal `local` lost `remote`: it forgets the names of `remote`'s processes. */
  forgetNode(local: Node, remote: Node): void {
    const view = this.view(local)
    for (const [name, process] of view) if (process.node === remote) view.delete(name)
  }

  private resolveConflict(name: string, a: Process, b: Process): Process {
    const [keep, kill] = this.random() < 0.5 ? [a, b] : [b, a]
    this.record(`global conflict ${name}: keep ${traced(keep)}, kill ${traced(kill)}`)
    kill.node.exit(kill.pid, 'kill')
    return keep
  }

  private forgetProcess(process: Process): void {
    for (const view of this.views.values()) {
      for (const [name, held] of view) if (held === process) view.delete(name)
    }
  }

  private view(node: Node): Map<string, Process> {
    let view = this.views.get(node)
    if (view === undefined) this.views.set(node, (view = new Map()))
    return view
  }
}

/** A process as the trace names it. A pid's first number counts every node made so far, so it differs between runs. */
function traced(process: Process): string {
  return `process ${process.pid.id} on ${process.node}`
}

function assertGlobal(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new TypeError(
      `Expected a global name to be a non-empty string, got \`${String(name)}\` (${typeof name})`,
    )
  }
}
