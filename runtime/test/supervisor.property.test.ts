/**
 * Model-based test: random children and random events, checked step by step against a small
 * reference model of OTP's restart rules (restart types, strategies, restart intensity).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  createNode,
  isPid,
  type Pid,
  Process,
  Supervisor,
  setDefaultNode,
  type VirtualClock,
} from '../index.ts'
import { ok } from './helpers.ts'
import { pidsOf, stopWith, worker } from './test-workers.ts'

type Step =
  | {
      readonly kind: 'crash' | 'normal' | 'shutdown' | 'terminate' | 'restart'
      readonly child: number
    }
  | { readonly kind: 'advance'; readonly ms: number }

interface Config {
  readonly strategy: Supervisor.Strategy
  readonly maxRestarts: number
  readonly restarts: readonly Supervisor.RestartType[]
  readonly steps: readonly Step[]
}

const MAX_SECONDS = 5

// --- The reference model ---------------------------------------------------------------------

interface ModelChild {
  readonly id: string
  readonly restart: Supervisor.RestartType
  running: boolean
}

class Model {
  children: ModelChild[]
  alive = true
  now = 0
  private restarts: number[] = []

  constructor(readonly config: Config) {
    this.children = config.restarts.map((restart, i) => ({ id: `c${i}`, restart, running: true }))
  }

  /** Applies a step; returns the ids started by it, in order. */
  apply(step: Step): string[] {
    if (step.kind === 'advance') {
      this.now += step.ms
      return []
    }
    const child = this.children.find((c) => c.id === `c${step.child}`)
    if (!this.alive || child === undefined) return []
    if (step.kind === 'terminate') {
      this.stop(child)
      return []
    }
    if (step.kind === 'restart') {
      if (child.running) return []
      child.running = true
      return [child.id]
    }
    if (!child.running) return []
    const abnormal = step.kind === 'crash'
    if (child.restart === 'temporary' || (child.restart === 'transient' && !abnormal)) {
      this.stop(child)
      return []
    }
    // One restart more; more than maxRestarts within MAX_SECONDS and the supervisor gives up.
    this.restarts = [...this.restarts.filter((t) => t >= this.now - MAX_SECONDS * 1000), this.now]
    if (this.restarts.length > this.config.maxRestarts) {
      this.alive = false
      this.children = []
      return []
    }
    const at = this.children.indexOf(child)
    const group =
      this.config.strategy === 'one_for_one'
        ? [child]
        : this.config.strategy === 'one_for_all'
          ? [...this.children]
          : this.children.slice(at)
    for (const c of group) this.stop(c)
    const started = group.filter((c) => this.children.includes(c))
    for (const c of started) c.running = true
    return started.map((c) => c.id)
  }

  private stop(child: ModelChild): void {
    child.running = false
    if (child.restart === 'temporary') this.children.splice(this.children.indexOf(child), 1)
  }
}

// --- The real thing --------------------------------------------------------------------------

async function run(config: Config): Promise<void> {
  const node = createNode({ clock: 'virtual' })
  setDefaultNode(node)
  const clock = node.clock as VirtualClock
  try {
    const log: string[] = []
    const children = config.restarts.map((restart, i) => worker(`c${i}`, log, { restart }))
    const sup = ok(
      await Supervisor.startLink(children, {
        strategy: config.strategy,
        maxRestarts: config.maxRestarts,
        maxSeconds: MAX_SECONDS,
      }),
    )
    const model = new Model(config)
    let pids = await pidsOf(sup)
    for (const step of config.steps) {
      log.length = 0
      const expected = model.apply(step)
      await perform(sup, pids, step, clock)
      expect(log).toEqual(expected)
      expect(Process.isAlive(sup)).toBe(model.alive)
      if (!model.alive) {
        expect(Process.list()).toEqual([])
        return
      }
      const now = await pidsOf(sup)
      expect(Object.keys(now)).toEqual(model.children.map((c) => c.id).reverse())
      for (const c of model.children) {
        expect(isPid(now[c.id])).toBe(c.running)
        // A new pid exactly for the children the model restarted.
        if (c.running) expect(now[c.id] !== pids[c.id]).toBe(expected.includes(c.id))
      }
      pids = now
    }
  } finally {
    node.shutdown()
  }
}

async function perform(
  sup: Pid,
  pids: Record<string, Supervisor.ChildInfo['pid']>,
  step: Step,
  clock: VirtualClock,
): Promise<void> {
  if (step.kind === 'advance') return clock.advance(step.ms)
  if (!Process.isAlive(sup)) return
  const id = `c${step.child}`
  if (step.kind === 'terminate') await Supervisor.terminateChild(sup, id)
  else if (step.kind === 'restart') await Supervisor.restartChild(sup, id)
  else if (isPid(pids[id])) {
    const reason = step.kind === 'crash' ? new Error('crash') : step.kind
    stopWith(pids[id], reason)
  }
  await clock.settle()
}

// --- The property ----------------------------------------------------------------------------

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constantFrom('crash', 'normal', 'shutdown', 'terminate', 'restart'),
      child: fc.integer({ min: 0, max: 4 }),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('advance'), ms: fc.integer({ min: 0, max: 3000 }) }),
    weight: 1,
  },
) as fc.Arbitrary<Step>

const config: fc.Arbitrary<Config> = fc.record({
  strategy: fc.constantFrom('one_for_one', 'one_for_all', 'rest_for_one'),
  maxRestarts: fc.integer({ min: 0, max: 3 }),
  restarts: fc.array(fc.constantFrom('permanent', 'transient', 'temporary'), {
    minLength: 2,
    maxLength: 5,
  }),
  steps: fc.array(step, { maxLength: 25 }),
})

describe('Supervisor (model-based)', () => {
  it('restarts, keeps and gives up exactly as the reference model of the OTP rules says', async () => {
    await fc.assert(fc.asyncProperty(config, run), { numRuns: 100 })
  })
})
