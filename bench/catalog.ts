/**
 * What `npm run bench` measures, and with what: the workloads (each reports one or more
 * metrics), and the implementations that run them: this runtime, the JS libraries a user might
 * pick instead, and the BEAM when `elixir` is installed.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import type { WorkloadName } from './shared.ts'

export interface Metric {
  /** The key in the workload's JSON line. */
  readonly key: string
  /** What the row measures; `sizes` are the workload's own numbers (counts). */
  readonly label: (sizes: Partial<Record<string, number>>) => string
  readonly unit: 'ms' | 'B' | 'msg/s' | 'calls/s' | 'lookups/s' | 'µs'
  /** This runtime's own goal (the runtime issue's targets), not a peer's result. */
  readonly target?: number
  /** Whether less is better (time, memory) or more (throughput). */
  readonly better: 'lower' | 'higher'
}

export interface Workload {
  readonly name: WorkloadName
  readonly metrics: readonly Metric[]
}

/** A size for a label; '?' when no run reported it. */
const n = (value: number | undefined) => value?.toLocaleString('en-US') ?? '?'

export const WORKLOADS: readonly Workload[] = [
  {
    name: 'spawn',
    metrics: [
      {
        key: 'ms',
        label: (s) => `spawn ${n(s.processes)} idle processes, until all wait`,
        unit: 'ms',
        target: 100,
        better: 'lower',
      },
      {
        key: 'bytesPerProcess',
        label: () => 'memory per idle process',
        unit: 'B',
        target: 600,
        better: 'lower',
      },
    ],
  },
  {
    name: 'ping-pong',
    metrics: [
      {
        key: 'messagesPerSecond',
        label: (s) => `ping-pong, ${n(s.messages)} messages`,
        unit: 'msg/s',
        target: 3_000_000,
        better: 'higher',
      },
      {
        key: 'maxStallMs',
        label: () => 'longest stall of a 1 ms timer during ping-pong',
        unit: 'ms',
        target: 10,
        better: 'lower',
      },
    ],
  },
  {
    name: 'call',
    metrics: [
      {
        key: 'callsPerSecond',
        label: (s) => `${n(s.calls)} sequential request/reply calls`,
        unit: 'calls/s',
        target: 500_000,
        better: 'higher',
      },
    ],
  },
  {
    name: 'fan-out',
    metrics: [
      {
        key: 'msPerRound',
        label: (s) => `one message to each of ${n(s.processes)} processes and back (median round)`,
        unit: 'ms',
        target: 4,
        better: 'lower',
      },
    ],
  },
  {
    name: 'restart',
    metrics: [
      {
        key: 'medianMicroseconds',
        label: (s) => `supervisor restart latency (median of ${n(s.kills)})`,
        unit: 'µs',
        target: 25,
        better: 'lower',
      },
    ],
  },
  {
    name: 'registry',
    metrics: [
      {
        key: 'lookupsPerSecond',
        label: (s) => `Registry lookups (${n(s.keys)} keys)`,
        unit: 'lookups/s',
        better: 'higher',
      },
    ],
  },
  {
    name: 'dynamic-supervisor',
    metrics: [
      {
        key: 'ms',
        label: (s) => `DynamicSupervisor starts ${n(s.children)} children`,
        unit: 'ms',
        better: 'lower',
      },
    ],
  },
]

export interface Implementation {
  readonly id: string
  /** The column title. */
  readonly title: string
  readonly version: string
  /** The script: this runtime's workloads are a file each, a peer's are one file. */
  readonly kind: 'runtime' | 'peer' | 'beam'
  /** The BEAM is a reference, not a peer: ratios compare it with the best JS library. */
  readonly reference?: boolean
}

const root = new URL('..', import.meta.url)
const versionOf = (pkg: string) =>
  JSON.parse(readFileSync(new URL(`node_modules/${pkg}/package.json`, root), 'utf8')).version

/** Elixir's and OTP's versions, or undefined when `elixir` is not installed. */
function beamVersion(): string | undefined {
  try {
    const out = execFileSync('elixir', ['--version'], { encoding: 'utf8', stdio: 'pipe' })
    const match = /Elixir (\S+) \(compiled with Erlang\/OTP (\d+)\)/.exec(out)
    return match ? `Elixir ${match[1]}, OTP ${match[2]}` : out.trim().split('\n').at(-1)
  } catch {
    return undefined
  }
}

export function implementations(): Implementation[] {
  const own = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')).version
  const list: Implementation[] = [
    { id: 'letitcrash', title: 'letitcrash', version: own, kind: 'runtime' },
    { id: 'xstate', title: 'XState', version: versionOf('xstate'), kind: 'peer' },
    { id: 'nact', title: 'nact', version: versionOf('nact'), kind: 'peer' },
    { id: 'comedy', title: 'comedy', version: versionOf('comedy'), kind: 'peer' },
    { id: 'effect', title: 'Effect', version: versionOf('effect'), kind: 'peer' },
  ]
  const beam = beamVersion()
  if (beam !== undefined)
    list.push({ id: 'beam', title: 'BEAM', version: beam, kind: 'beam', reference: true })
  return list
}
