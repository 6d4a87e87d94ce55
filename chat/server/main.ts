/**
 * `npm run chat`: reads the configuration from the environment, starts the chat application
 * on the real clock, and stops it cleanly on Ctrl-C (SIGINT) or SIGTERM.
 *
 * A clean stop stops the children in reverse start order: the endpoint tells every client
 * "server shutting down", the rooms stop, and last the Repo closes the database and releases
 * the data directory's lock. A SIGKILL skips all of that, and loses nothing acknowledged all
 * the same: a message is acknowledged only once stored, and the next start takes over the
 * dead server's lock (see `lock-file.ts`).
 *
 * What it teaches: the program around an OTP application is tiny. Start the tree, wait,
 * stop the tree.
 */
import * as ChatApp from './application.ts'
import { ConfigError, loadConfig } from './config.ts'

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>
  try {
    config = loadConfig(process.env)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    console.error(error.message)
    process.exit(2)
  }
  const started = await ChatApp.start(config)
  if (started[0] !== 'ok') {
    console.error('[chat] could not start:', describe(started))
    process.exit(1)
  }
  const storage = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${config.dataDir}`
  console.log(`[chat] listening on ${await ChatApp.url()} (storage: ${storage})`)
  if (config.ops) console.log('[chat] operations: /ops/snapshot')

  let stopping = false
  const stop = async (signal: string) => {
    // A second Ctrl-C while stopping means "now".
    if (stopping) process.exit(130)
    stopping = true
    console.log(`[chat] ${signal}: stopping`)
    await ChatApp.stop()
    console.log('[chat] stopped')
    process.exit(0)
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))
}

/** The reason inside a failed start, readable: the innermost message says what happened. */
function describe(result: readonly unknown[]): string {
  let reason: unknown = result[1]
  // { shutdown: { failedToStartChild: 'Repo', reason: Error(...) } } → the Error's message
  for (let depth = 0; depth < 5 && typeof reason === 'object' && reason !== null; depth++) {
    if (reason instanceof Error) return reason.message
    const inner = reason as { shutdown?: unknown; reason?: unknown }
    reason = inner.reason ?? inner.shutdown ?? JSON.stringify(reason)
  }
  return String(reason)
}

await main()
