/**
 * The supervision tree demo of chapter 4, without the pictures: the chapter's tree running on
 * the real runtime, on a node of its own with a virtual clock.
 *
 *   root (one_for_one, at most 1 restart in 10 s)
 *   ├── cache
 *   └── workers (the strategy and limits the reader picks)
 *       ├── worker1
 *       ├── worker2
 *       └── worker3
 *
 * What the demo shows comes from the runtime: the log from telemetry events (exit, restart,
 * reached_max_restart_intensity, spawn), the tree from an observer snapshot. Time moves only
 * in `wait`, so the reader decides which crashes fall into one restart window.
 */
import {
  createNode,
  GenServer,
  type Node,
  Observer,
  type Pid,
  Supervisor,
  Telemetry,
  type VirtualClock,
} from '../../../runtime/index.ts'
import type { SupervisorSnapshot } from '../../../runtime/observer.ts'
import type { Locale } from '../panel/contract.ts'
import { muteCrashReports } from './quiet-reports.ts'
import { demoStrings, type SupervisionStrings } from './strings.ts'

export type Strategy = Supervisor.Strategy

/** What the reader picks for the `workers` supervisor. */
export interface TreeSettings {
  readonly strategy: Strategy
  readonly maxRestarts: number
  readonly maxSeconds: number
}

/** `root` allows one restart of `workers` in 10 s: a second escalation stops the tree. */
export const ROOT_LIMITS = { maxRestarts: 1, maxSeconds: 10 } as const
export const WORKER_IDS = ['worker1', 'worker2', 'worker3'] as const
/** Every process the reader can crash, in start order. */
export const CRASHABLE = ['cache', ...WORKER_IDS] as const

export interface LogLine {
  /** Counts lines since the demo started: a stable key for the page. */
  readonly seq: number
  /** The virtual clock, in ms. */
  readonly time: number
  readonly kind: 'crash' | 'stop' | 'restart' | 'give-up' | 'start' | 'note'
  readonly text: string
}

/** What the page draws after each step. */
export interface View {
  readonly time: number
  /** The root supervisor's tree, or null once the whole tree has stopped. */
  readonly tree: SupervisorSnapshot | null
  readonly log: readonly LogLine[]
  /** Pids started by the last step, in the order they started. */
  readonly started: readonly string[]
}

/** A worker that crashes when asked to: a stand-in for a bug met at run time. */
const Worker = {
  init: (name: string) => ['ok', name],
  handleCast(_request: 'crash', name: string): never {
    throw new Error(`${name} hit a bug`)
  },
} satisfies GenServer.Behaviour<string, string, never, 'crash'>

function worker(name: string): Supervisor.ChildSpec {
  return { id: name, start: () => GenServer.startLink(Worker, name, { name }) }
}

/** A telemetry event as it happened, turned into text once the step is over. */
interface Happened {
  readonly event: 'spawn' | 'exit' | 'restart' | 'give-up'
  readonly time: number
  readonly metadata: Telemetry.Metadata
}

let demos = 0

export class SupervisionDemo {
  readonly node: Node
  private readonly clock: VirtualClock
  private readonly handlerId: string
  private readonly unmute: () => void
  private settings: TreeSettings
  private happened: Happened[] = []
  private log: LogLine[] = []
  private seq = 0
  private started: string[] = []
  /** Names of processes that have exited, for log lines about them. */
  private readonly names = new Map<string, string>()
  /** The words of the log lines, in the page's language. */
  private readonly words: SupervisionStrings

  private constructor(settings: TreeSettings, locale: Locale) {
    this.settings = settings
    this.words = demoStrings(locale).supervision
    this.node = createNode({ clock: 'virtual', name: `supervision${++demos}@browser` })
    this.clock = this.node.clock as VirtualClock
    this.unmute = muteCrashReports(this.node)
    this.handlerId = `supervision-demo-${demos}`
    const events = Telemetry.events
    Telemetry.attach(
      this.handlerId,
      [events.spawn, events.exit, events.restart, events.maxIntensity],
      (name, measurements, metadata) => {
        if (metadata.node !== this.node.name) return
        const event =
          name === events.spawn
            ? 'spawn'
            : name === events.exit
              ? 'exit'
              : name === events.restart
                ? 'restart'
                : 'give-up'
        this.happened.push({ event, time: measurements.monotonicTime, metadata })
      },
    )
  }

  /** Starts the tree with `settings` for `workers`; the log is written in `locale`. */
  static async start(settings: TreeSettings, locale: Locale = 'en'): Promise<SupervisionDemo> {
    const demo = new SupervisionDemo(settings, locale)
    await demo.startTree()
    return demo
  }

  /** Crashes the process registered as `id` (a worker or the cache) and lets the tree react. */
  async crash(id: string): Promise<void> {
    const pid = this.node.whereis(id)
    if (pid === undefined) {
      this.note(this.words.logNotRunning(id))
      return
    }
    await this.step(() => GenServer.cast(pid, 'crash'))
  }

  /** Moves the virtual clock forward: older restarts leave the restart windows. */
  async wait(ms: number): Promise<void> {
    await this.step(() => this.clock.advance(ms))
  }

  /** Stops the tree (if it still runs) and starts a new one with `settings`. */
  async restart(settings: TreeSettings): Promise<void> {
    const root = this.node.whereis('root')
    if (root !== undefined) await Supervisor.stop(root)
    this.settings = settings
    this.log = []
    this.happened = []
    await this.startTree()
  }

  view(): View {
    const tree = Observer.snapshot(this.node).trees.find((t) => t.name === 'root') ?? null
    return { time: this.clock.now(), tree, log: this.log, started: this.started }
  }

  /** Stops everything the demo started. */
  dispose(): void {
    Telemetry.detach(this.handlerId)
    this.node.shutdown()
    this.unmute()
  }

  private async startTree(): Promise<void> {
    const { strategy, maxRestarts, maxSeconds } = this.settings
    const workers: Supervisor.ChildSpec = {
      id: 'workers',
      type: 'supervisor',
      start: () =>
        Supervisor.startLink(WORKER_IDS.map(worker), {
          strategy,
          maxRestarts,
          maxSeconds,
          name: 'workers',
        }),
    }
    this.note(this.words.logRootStarts(strategy, maxRestarts, maxSeconds))
    await this.step(async () => {
      const started = await Supervisor.startLink([worker('cache'), workers], {
        strategy: 'one_for_one',
        ...ROOT_LIMITS,
        name: 'root',
        node: this.node,
      })
      if (started[0] !== 'ok') throw new Error(`the demo tree did not start: ${String(started)}`)
    })
  }

  /** Runs `action`, lets every process run until all wait, and logs what happened meanwhile. */
  private async step(action: () => unknown): Promise<void> {
    this.happened = []
    await action()
    await this.clock.settle()
    this.started = this.happened
      .filter((h) => h.event === 'spawn')
      .map((h) => String(h.metadata.pid))
    for (const h of this.happened) {
      if (h.event === 'exit' && typeof h.metadata.name === 'string')
        this.names.set(String(h.metadata.pid), h.metadata.name)
    }
    for (const h of this.happened) this.describe(h)
    this.happened = []
  }

  /** A log line for one telemetry event, with names looked up now that the step is over. */
  private describe({ event, time, metadata }: Happened): void {
    const name = (pid: unknown) => this.nameOf(pid as Pid | undefined)
    const words = this.words
    if (event === 'spawn') {
      this.add(time, 'start', words.logStarts(name(metadata.pid), String(metadata.pid)))
    } else if (event === 'exit') {
      const reason = metadata.reason
      if (reason instanceof Error)
        this.add(time, 'crash', words.logCrashed(name(metadata.pid), reason.message))
      else this.add(time, 'stop', words.logExits(name(metadata.pid), String(reason)))
    } else if (event === 'restart') {
      const supervisor = name(metadata.supervisor)
      this.add(
        time,
        'restart',
        words.logRestarts(supervisor, String(metadata.childId), this.strategyOf(supervisor)),
      )
    } else {
      const supervisor = name(metadata.supervisor)
      const limits = supervisor === 'root' ? ROOT_LIMITS : this.settings
      this.add(time, 'give-up', words.logGivesUp(supervisor, limits.maxRestarts, limits.maxSeconds))
    }
  }

  private nameOf(pid: Pid | undefined): string {
    if (pid === undefined) return this.words.aProcess
    return this.node.processInfo(pid)?.registeredName ?? this.names.get(String(pid)) ?? String(pid)
  }

  private strategyOf(supervisor: string): Strategy {
    return supervisor === 'root' ? 'one_for_one' : this.settings.strategy
  }

  private note(text: string): void {
    this.add(this.clock.now(), 'note', text)
  }

  private add(time: number, kind: LogLine['kind'], text: string): void {
    this.log = [...this.log, { seq: this.seq++, time, kind, text }]
  }
}
