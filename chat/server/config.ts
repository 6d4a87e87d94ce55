/**
 * The chat server's configuration, read from environment variables and checked with zod, so a
 * typo fails at start with a message that names the variable, not later with a mystery.
 *
 * | variable        | default                                    | meaning                          |
 * |-----------------|--------------------------------------------|----------------------------------|
 * | `PORT`          | `4000`                                     | HTTP port (0: any free port)     |
 * | `HOST`          | `127.0.0.1`                                | interface to listen on           |
 * | `CHAT_DATA_DIR` | `.data/chat`                               | PGlite data, lock file, secret   |
 * | `DATABASE_URL`  | (none: use PGlite)                         | a PostgreSQL server instead      |
 * | `CHAT_SECRET`   | (none: generated into the data directory)  | signs tokens; 32+ characters     |
 * | `CHAT_OPS`      | on, unless `NODE_ENV=production`           | the `/ops` page (`1`/`0`)        |
 *
 * An empty variable counts as unset.
 * @example
 * const config = loadConfig(process.env) // throws ConfigError on a bad value
 * console.log(`listening on http://${config.host}:${config.port}`)
 */
import { z } from 'zod'
import { MIN_SECRET_LENGTH } from './tokens.ts'

/** The checked configuration. */
export interface Config {
  readonly port: number
  readonly host: string
  readonly dataDir: string
  readonly databaseUrl: string | undefined
  readonly secret: string | undefined
  readonly ops: boolean
  /** How often the PostgreSQL bridge says "still here" (ms); 3 missed: a server is gone. */
  readonly bridgeHeartbeatMs?: number
}

/** A bad environment variable; `message` names each one and what was wrong. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

const flag = z
  .enum(['1', '0', 'true', 'false', 'on', 'off', 'yes', 'no'], {
    error: 'expected 1 or 0 (or true/false, on/off, yes/no)',
  })
  .transform((value) => ['1', 'true', 'on', 'yes'].includes(value))

const Env = z.object({
  PORT: z.coerce
    .number({ error: 'expected a port number' })
    .int('expected a whole number')
    .min(0, 'expected a port from 0 to 65535')
    .max(65_535, 'expected a port from 0 to 65535')
    .default(4000),
  HOST: z.string().default('127.0.0.1'),
  CHAT_DATA_DIR: z.string().default('.data/chat'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a URL like postgres://user:password@host:5432/db')
    .optional(),
  CHAT_SECRET: z
    .string()
    .min(MIN_SECRET_LENGTH, `expected at least ${MIN_SECRET_LENGTH} characters`)
    .optional(),
  CHAT_OPS: flag.optional(),
  CHAT_BRIDGE_HEARTBEAT_MS: z.coerce
    .number({ error: 'expected milliseconds' })
    .int('expected a whole number')
    .min(10, 'expected at least 10 ms')
    .optional(),
  NODE_ENV: z.string().optional(),
})

const HIDDEN = new Set(['CHAT_SECRET', 'DATABASE_URL'])

/**
 * Reads and checks the configuration from `env` (default `process.env`).
 * Throws a `ConfigError` naming every bad variable, e.g. `PORT: expected a port from 0 to 65535, got "99999"`.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Only our variables, and an empty one counts as unset.
  const ours: Record<string, string> = {}
  for (const key of Object.keys(Env.shape)) {
    const value = env[key]
    if (value !== undefined && value !== '') ours[key] = value
  }
  const parsed = Env.safeParse(ours)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0])
      // Never echo a secret (or a URL with a password) into logs.
      const got = HIDDEN.has(variable) ? '(value hidden)' : JSON.stringify(ours[variable])
      return `${variable}: ${issue.message}, got ${got}`
    })
    throw new ConfigError(`Invalid environment:\n  ${problems.join('\n  ')}`)
  }
  const e = parsed.data
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: e.CHAT_DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    secret: e.CHAT_SECRET,
    ops: e.CHAT_OPS ?? e.NODE_ENV !== 'production',
    bridgeHeartbeatMs: e.CHAT_BRIDGE_HEARTBEAT_MS,
  }
}
