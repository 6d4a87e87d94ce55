import { describe, expect, it } from 'vitest'
import { Application, exit, type Pid, Process, Supervisor } from '../index.ts'
import { ok, useVirtualNode } from './helpers.ts'
import { pidsOf, stopWith, worker } from './test-workers.ts'

const t = useVirtualNode()

function makeApp(log: string[]) {
  return {
    name: 'shop',
    env: { port: 4000, currency: 'EUR' },
    start: (env: Application.Env) => {
      log.push(`start:${env.port}`)
      return Supervisor.startLink(
        [worker('repo', log, { trap: true }), worker('web', log, { trap: true })],
        { strategy: 'one_for_one', maxRestarts: 0 },
      )
    },
    stop: (state: unknown) => {
      log.push(`stopped:${String(state)}`)
    },
  } satisfies Application.Behaviour
}

describe('Application.start', () => {
  it('starts the root supervisor with the env (defaults overridden by options)', async () => {
    const log: string[] = []
    const root = ok(await Application.start(makeApp(log), { env: { port: 8080 } }))
    expect(log).toEqual(['start:8080', 'repo', 'web'])
    expect(Process.processInfo(root)?.behaviour).toBe('Supervisor')
    expect(Application.getEnv('shop', 'port')).toBe(8080)
    expect(Application.getEnv('shop', 'currency')).toBe('EUR')
    expect(Application.getEnv('shop', 'missing', 'default')).toBe('default')
    expect(Application.startedApplications()).toEqual(['shop'])
  })

  it('refuses to start an application twice', async () => {
    const app = makeApp([])
    ok(await Application.start(app))
    expect(await Application.start(app)).toEqual(['error', ['already_started', 'shop']])
  })

  it('returns a failed start and does not count the application as started', async () => {
    const app = { name: 'broken', start: async () => ['error', 'no config'] as const }
    expect(await Application.start(app)).toEqual(['error', 'no config'])
    expect(Application.startedApplications()).toEqual([])
  })

  it('putEnv changes one key; values put before start survive it', async () => {
    Application.putEnv('shop', 'currency', 'KRW')
    ok(await Application.start(makeApp([])))
    expect(Application.getEnv('shop', 'currency')).toBe('KRW')
    Application.putEnv('shop', 'port', 1)
    expect(Application.getEnv('shop', 'port')).toBe(1)
  })
})

describe('Application.stop', () => {
  it('stops the tree (children in reverse start order), then calls stop with the state', async () => {
    const log: string[] = []
    const app = {
      ...makeApp(log),
      start: async (env: Application.Env) =>
        ['ok', ok(await makeApp(log).start(env)), 'st'] as const,
    }
    const root = ok(await Application.start(app))
    expect(await Application.stop('shop')).toEqual(['ok'])
    expect(log.slice(3)).toEqual(['stop:web:shutdown', 'stop:repo:shutdown', 'stopped:st'])
    expect(Process.isAlive(root)).toBe(false)
    expect(Application.startedApplications()).toEqual([])
    expect(Application.getEnv('shop', 'port')).toBe(4000) // env stays loaded
  })

  it('answers not_started for an application that is not running', async () => {
    expect(await Application.stop('nope')).toEqual(['error', ['not_started', 'nope']])
  })

  it('counts as stopped when its root supervisor gives up, without calling stop', async () => {
    const log: string[] = []
    const root = ok(await Application.start(makeApp(log)))
    stopWith((await pidsOf(root)).repo, new Error('boom'))
    await t.clock.runUntilIdle()
    expect(Process.isAlive(root)).toBe(false)
    expect(Application.startedApplications()).toEqual([])
    expect(log.some((l) => l.startsWith('stopped'))).toBe(false)
  })

  it('still calls stop when the root was killed meanwhile', async () => {
    const log: string[] = []
    const root: Pid = ok(await Application.start(makeApp(log)))
    const stopping = Application.stop('shop')
    exit(root, 'kill')
    expect(await stopping).toEqual(['ok'])
    expect(log).toContain('stopped:undefined')
  })
})

describe('Application bad input', () => {
  it.each<[string, unknown, string]>([
    ['no name', { start: () => ['ignore'] }, 'Expected `app.name` to be a non-empty string'],
    ['no start', { name: 'x' }, 'Expected `app.start` to be a function'],
    [
      'a stop that is not a function',
      { name: 'x', start: () => [], stop: 1 },
      'Expected `app.stop`',
    ],
  ])('throws a TypeError for an application with %s', (_name, app, message) => {
    expect(() => Application.start(app as Application.Behaviour)).toThrow(TypeError)
    expect(() => Application.start(app as Application.Behaviour)).toThrow(message)
  })

  it('throws a TypeError for unknown options', () => {
    expect(() => Application.start(makeApp([]), { config: {} } as any)).toThrow(
      'Unknown option `config` in `options`',
    )
  })
})
