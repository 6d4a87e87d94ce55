/**
 * Application: a named supervision tree with its configuration, started and stopped as one
 * (Elixir's `Application` behaviour, without releases or dependency order).
 *
 * An application is an object with a `name`, default `env`, a `start(env)` that starts the root
 * supervisor, and an optional `stop(state)` that runs after the tree has stopped.
 *
 * @example
 * const Chat = {
 *   name: 'chat',
 *   env: { port: 4000 },
 *   start: (env) => Supervisor.startLink([[Endpoint, env.port]], { strategy: 'one_for_one' }),
 * } satisfies Application.Behaviour
 *
 * await Application.start(Chat, { env: { port: 8080 } })
 * Application.getEnv('chat', 'port') // 8080
 * await Application.stop('chat')     // children stop in reverse start order
 *
 * If the root supervisor exits on its own (it gave up after too many restarts), the
 * application counts as stopped and `stop` is not called: Elixir's `:temporary` applications.
 *
 * @see https://hexdocs.pm/elixir/Application.html
 */
import { BadReturnError, ExitError } from './errors.ts'
import { type OnStart, stop as stopServer } from './gen-server.ts'
import { getDefaultNode, type Node } from './node.ts'
import type { Pid } from './pid.ts'
import {
  assertFunction,
  assertKnownKeys,
  assertObject,
  assertOptionalFunction,
  describeGot,
} from './validate.ts'

export type Env = Readonly<Record<string, unknown>>

/** Elixir's `use Application`: `start/2` and `stop/1`, plus the application's name and default env. */
export interface Behaviour<TState = unknown> {
  readonly name: string
  /** Default configuration; `Application.start`'s `env` option overrides it key by key. */
  readonly env?: Env
  /** Starts the root supervisor: `['ok', pid]`, or `['ok', pid, state]` to hand `state` to `stop`. */
  start(
    env: Env,
  ): OnStart | readonly ['ok', Pid, TState] | Promise<OnStart | readonly ['ok', Pid, TState]>
  /** Runs after the supervision tree has stopped. */
  stop?(state: TState | undefined): unknown
}

export interface StartOptions {
  /** Configuration for this run (Elixir's `config :app, key: value`). */
  readonly env?: Env
}

interface Running {
  readonly app: Behaviour<any>
  readonly pid: Pid
  readonly state: unknown
}

/** Per node: the running applications (in start order) and every application's env. */
const nodes = new WeakMap<Node, { running: Map<string, Running>; env: Map<string, Env> }>()

function tables() {
  const node = getDefaultNode()
  let t = nodes.get(node)
  if (t === undefined) nodes.set(node, (t = { running: new Map(), env: new Map() }))
  return t
}

/**
 * Sets the application's env (its defaults, what was put already, then `options.env`) and
 * starts it. `Application.start/1`, with `options.env` as its config
 * @returns the start result of the root; `['error', ['already_started', name]]` if it runs
 * @example const [tag] = await Application.start(Chat, { env: { port: 8080 } }) // 'ok'
 */
export function start<TState>(
  app: Behaviour<TState>,
  options: StartOptions = {},
): Promise<OnStart> {
  assertObject(app, 'app')
  if (typeof app.name !== 'string' || app.name === '') {
    throw new TypeError(`Expected \`app.name\` to be a non-empty string, ${describeGot(app.name)}`)
  }
  assertFunction(app.start, 'app.start')
  assertOptionalFunction(app.stop, 'app.stop')
  if (app.env !== undefined) assertObject(app.env, 'app.env')
  assertObject(options, 'options')
  assertKnownKeys(options, ['env'])
  if (options.env !== undefined) assertObject(options.env, 'options.env')
  return startApp(app, options.env)
}

async function startApp(app: Behaviour<any>, config: Env | undefined): Promise<OnStart> {
  const { running, env } = tables()
  if (running.has(app.name)) return ['error', ['already_started', app.name]]
  const appEnv = { ...app.env, ...env.get(app.name), ...config }
  env.set(app.name, appEnv)
  const result = await app.start(appEnv)
  if (!Array.isArray(result))
    throw new BadReturnError('start', result, "['ok', pid] or ['error', reason]")
  if (result[0] !== 'ok') return result as OnStart
  const pid = result[1]
  running.set(app.name, { app, pid, state: result[2] })
  // The root gave up on its own: the application is over (a `:temporary` application).
  getDefaultNode().watch(getDefaultNode().resolve(pid), pid, () => {
    if (running.get(app.name)?.pid === pid) running.delete(app.name)
  })
  return ['ok', pid]
}

/**
 * Stops the root supervisor (its children stop in reverse start order), then calls the
 * application's `stop`. `Application.stop/1`
 * @returns `['ok']` or `['error', ['not_started', name]]`
 * @example await Application.stop('chat') // ['ok']
 */
export async function stop(
  name: string,
): Promise<readonly ['ok'] | readonly ['error', readonly ['not_started', string]]> {
  const { running } = tables()
  const app = running.get(name)
  if (app === undefined) return ['error', ['not_started', name]]
  running.delete(name)
  try {
    await stopServer(app.pid, 'shutdown')
  } catch (error) {
    // It exited meanwhile, with another reason: it is stopped all the same.
    if (!(error instanceof ExitError)) throw error
  }
  await app.app.stop?.(app.state)
  return ['ok']
}

/**
 * A value from an application's env, or `defaultValue`. `Application.get_env/3`
 * @example const port = Application.getEnv('chat', 'port', 4000)
 */
export function getEnv<T = unknown>(app: string, key: string, defaultValue?: T): T {
  const env = tables().env.get(app)
  return (env !== undefined && key in env ? env[key] : defaultValue) as T
}

/**
 * Sets one value in an application's env; a running application sees it on its next
 * `getEnv`. `Application.put_env/3`
 * @example Application.putEnv('chat', 'maxRooms', 100)
 */
export function putEnv(app: string, key: string, value: unknown): void {
  const { env } = tables()
  env.set(app, { ...env.get(app), [key]: value })
}

/**
 * The names of the running applications, in start order. `Application.started_applications/0`
 * @example Application.startedApplications() // ['chat']
 */
export function startedApplications(): string[] {
  return [...tables().running.keys()]
}
