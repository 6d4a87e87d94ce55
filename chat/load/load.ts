/**
 * `npm run chat:load`: drives the chat server with real WebSocket clients and measures what
 * reaches whom, how fast, and whether anything acknowledged went missing.
 *
 *   npm run chat:load -- --clients 500 --rooms 10 --duration 10 [--rate 2000] [--url URL]
 *                        [--quick] [--profile DIR]
 *
 * Without `--url` it starts the server itself (`chat/server/main.ts` in a child process, a
 * temporary `CHAT_DATA_DIR`, a free port on 127.0.0.1) and stops it at the end, also on
 * Ctrl-C. `--profile DIR` runs that server under `node --cpu-prof` (open the `.cpuprofile` in
 * Chrome DevTools or speedscope). Each client registers its own user over HTTP (the rate
 * limit is per user), opens its own WebSocket speaking Phoenix Channels V2 directly (a thin
 * client: thousands of the `phoenix` client are heavier than the server), and joins one room,
 * round-robin. Then the clients send `--rate` messages a second in total for `--duration`
 * seconds, each body carrying the send time and a unique id.
 *
 * Everything runs in this one process, so send and receipt times share one clock. Measured:
 * messages/s acknowledged, deliveries/s received, delivery latency (send → receipt at every
 * other client in the room), errors by reason, and lost messages: every acknowledged message
 * must reach every client in its room exactly once.
 *
 * Results: a Markdown table on stdout, and `bench/results/chat-load.{json,md}` (with
 * `--quick` or fewer than 1,000 clients: `bench/results/tmp/`). Thousands of sockets need
 * thousands of file descriptors in both processes: raise the limit in the shell first
 * (`ulimit -n 20000`); the script warns when it looks too low.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import {
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import WebSocket from 'ws'

export interface LoadOptions {
  readonly clients: number
  readonly rooms: number
  /** Seconds of sending. */
  readonly duration: number
  /** Messages a second, all clients together. */
  readonly rate: number
  /** `http://host:port` of a running server. */
  readonly url: string
  /** Print a progress line every second (to stderr). */
  readonly progress?: boolean
  /** The server's process id, to measure its CPU use (Linux only). */
  readonly serverPid?: number
}

/** The per-user limit the server enforces (rate-limiter.ts); we stay under it. */
const PER_USER_RATE = 5
/** After sending stops, how long to wait for the last replies and deliveries; a message still
 * unanswered then counts as a `timeout`. */
const DRAIN_MS = 15_000
const HEARTBEAT_MS = 30_000
const MAIN_ERRORS = ['rate_limited', 'overloaded', 'timeout', 'closed_socket', 'channel_crashed']

// --- Latency histogram: 0.1 ms buckets up to 60 s, one overflow bucket ------------------------

class Histogram {
  private readonly counts = new Uint32Array(600_001)
  count = 0
  max = 0
  record(ms: number): void {
    this.counts[Math.min(Math.max(0, Math.round(ms * 10)), 600_000)]! += 1
    this.count += 1
    if (ms > this.max) this.max = ms
  }
  /** The value below which `p` (0..1) of the samples fall, in ms; NaN without samples. */
  percentile(p: number): number {
    if (this.count === 0) return Number.NaN
    const rank = Math.ceil(p * this.count)
    let seen = 0
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!
      if (seen >= rank) return i / 10
    }
    return this.max
  }
}

// --- One client: a user, a WebSocket, a room ---------------------------------------------------

interface Client {
  readonly index: number
  readonly user: string
  readonly room: number
  ws: WebSocket
  nextRef: number
  /** ref → the message it carried, until the reply comes. */
  readonly pending: Map<string, { roomSeq: number; sentAt: number }>
  /** How often this client received each message of its room, by the room's sequence number. */
  received: Uint8Array
  /** The server's channel process for this client crashed (`phx_error`). */
  channelCrashed: boolean
  /** Called with the join reply (ref "1"). */
  onJoin: (payload: { status: string }) => void
}

interface Sent {
  readonly sender: number
  acked: boolean
}

/** Runs the load against `options.url`; resolves with the figures (see `Results`). */
export async function runLoad(options: LoadOptions): Promise<Results> {
  const { clients: n, rooms: r, url } = options
  const say = (line: string) => options.progress && process.stderr.write(`${line}\n`)
  const runId = Math.random().toString(36).slice(2, 7)

  // 1. Users, in parallel (bounded: registering hashes a password with scrypt).
  let started = performance.now()
  const tokens = await mapLimit(n, 32, (i) => register(url, `ld${runId}_${i}`))
  const registerSeconds = (performance.now() - started) / 1000
  say(`[load] registered ${n} users in ${registerSeconds.toFixed(1)} s`)

  // 2. Sockets and joins.
  const clients: Client[] = []
  const members: number[][] = Array.from({ length: r }, () => [])
  const sentByRoom: Sent[][] = Array.from({ length: r }, () => [])
  const latency = new Histogram()
  const ackLatency = new Histogram()
  const errors: Record<string, number> = {}
  const error = (reason: string) => {
    errors[reason] = (errors[reason] ?? 0) + 1
  }
  let acked = 0
  let delivered = 0
  let sending = true
  let closing = false

  const onFrame = (client: Client, data: WebSocket.RawData) => {
    const [, ref, , event, payload] = JSON.parse(data.toString())
    if (event === 'new_msg') {
      const [id, seq, sentAt] = String(payload.body).split(' ')
      if (id !== runId) return // history from an earlier run
      const roomSeq = Number(seq)
      if (roomSeq >= client.received.length) client.received = grow(client.received, roomSeq)
      client.received[roomSeq]! += 1
      delivered += 1
      if (sentByRoom[client.room]![roomSeq]!.sender !== client.index) {
        latency.record(performance.now() - Number(sentAt))
      }
    } else if (event === 'phx_error') {
      // The channel process crashed: the client is out of the room (a real client rejoins).
      client.channelCrashed = true
      error('channel_crashed')
    } else if (event === 'phx_reply') {
      if (ref === '1') return client.onJoin(payload)
      const sent = client.pending.get(ref)
      if (sent === undefined) return
      client.pending.delete(ref)
      if (payload.status === 'ok') {
        acked += 1
        sentByRoom[client.room]![sent.roomSeq]!.acked = true
        ackLatency.record(performance.now() - sent.sentAt)
      } else {
        error(String(payload.response?.reason ?? payload.status))
      }
    }
  }

  started = performance.now()
  await mapLimit(n, 200, async (i) => {
    const room = i % r
    const socketUrl = `${url.replace(/^http/, 'ws')}/socket/websocket?vsn=2.0.0&token=${tokens[i]}`
    const ws = new WebSocket(socketUrl)
    const client: Client = {
      index: i,
      user: `ld${runId}_${i}`,
      room,
      ws,
      nextRef: 2,
      pending: new Map(),
      received: new Uint8Array(64),
      channelCrashed: false,
      onJoin: () => {},
    }
    const joined = new Promise<void>((resolve, reject) => {
      client.onJoin = (payload) =>
        payload.status === 'ok'
          ? resolve()
          : reject(new Error(`join refused: ${JSON.stringify(payload)}`))
    })
    ws.on('message', (data) => onFrame(client, data))
    await new Promise((resolve, reject) => {
      ws.once('open', resolve)
      ws.once('error', reject)
    })
    ws.send(JSON.stringify(['1', '1', `room:load${room}`, 'phx_join', {}]))
    await joined
    ws.on('close', () => closing || error('closed_socket'))
    ws.on('error', () => error('socket_error'))
    clients[i] = client
    members[room]!.push(i)
  })
  const connectSeconds = (performance.now() - started) / 1000
  say(`[load] ${n} clients joined ${r} rooms in ${connectSeconds.toFixed(1)} s`)

  const heartbeat = setInterval(() => {
    for (const c of clients)
      c.ws.send(JSON.stringify([null, String(c.nextRef++), 'phoenix', 'heartbeat', {}]))
  }, HEARTBEAT_MS)

  // 3. Send: every 10 ms, the next clients in turn each send one message.
  if (options.rate / n > PER_USER_RATE) {
    say(
      `[load] warning: ${options.rate} msg/s over ${n} clients exceeds ${PER_USER_RATE}/s per user`,
    )
  }
  let sent = 0
  let turn = 0
  const sendOne = () => {
    const client = clients[turn++ % n]!
    const roomSent = sentByRoom[client.room]!
    const roomSeq = roomSent.length
    roomSent.push({ sender: client.index, acked: false })
    const ref = String(client.nextRef++)
    const now = performance.now()
    client.pending.set(ref, { roomSeq, sentAt: now })
    const body = `${runId} ${roomSeq} ${now.toFixed(3)} from ${client.user}`
    client.ws.send(JSON.stringify(['1', ref, `room:load${client.room}`, 'new_msg', { body }]))
    sent += 1
  }
  const sendStart = performance.now()
  const serverCpuStart = cpuSeconds(options.serverPid)
  const cpuStart = process.cpuUsage()
  const ticker = setInterval(() => {
    if (!sending) return
    const due = Math.floor(((performance.now() - sendStart) / 1000) * options.rate)
    while (sent < due) sendOne()
  }, 10)
  let last = { t: sendStart, acked: 0, delivered: 0 }
  const progress = setInterval(() => {
    const now = performance.now()
    const dt = (now - last.t) / 1000
    say(
      `[load] ${((now - sendStart) / 1000).toFixed(0)} s: sent ${sent}, acked ${acked} (${rate(acked - last.acked, dt)}/s), delivered ${delivered} (${rate(delivered - last.delivered, dt)}/s), p99 ${latency.percentile(0.99).toFixed(1)} ms, errors ${JSON.stringify(errors)}`,
    )
    last = { t: now, acked, delivered }
  }, 1000)

  await sleep(options.duration * 1000)
  sending = false
  const sendSeconds = (performance.now() - sendStart) / 1000
  const ackedWhileSending = acked
  const deliveredWhileSending = delivered

  // 4. Drain: wait for the outstanding replies and deliveries (bounded).
  const expected = () => {
    let total = 0
    for (let room = 0; room < r; room++) {
      for (const s of sentByRoom[room]!) if (s.acked) total += members[room]!.length
    }
    return total
  }
  const drainEnd = performance.now() + DRAIN_MS
  while (performance.now() < drainEnd) {
    const pending = clients.reduce((sum, c) => sum + c.pending.size, 0)
    if (pending === 0 && delivered >= expected()) break
    await sleep(100)
  }
  const cpu = process.cpuUsage(cpuStart)
  const serverCpuEnd = cpuSeconds(options.serverPid)
  const wallMs = performance.now() - sendStart
  clearInterval(ticker)
  clearInterval(progress)
  clearInterval(heartbeat)
  for (const c of clients) for (const _ of c.pending.keys()) error('timeout')

  // 5. Lost and duplicated: every acknowledged message, at every client of its room.
  let missing = 0
  let missingAtCrashed = 0
  let duplicates = 0
  for (let room = 0; room < r; room++) {
    const roomSent = sentByRoom[room]!
    for (const i of members[room]!) {
      const { received, channelCrashed } = clients[i]!
      for (let seq = 0; seq < roomSent.length; seq++) {
        const count = received[seq] ?? 0
        if (roomSent[seq]!.acked && count === 0) {
          missing += 1
          if (channelCrashed) missingAtCrashed += 1
        }
        if (count > 1) duplicates += count - 1
      }
    }
  }

  closing = true
  for (const c of clients) c.ws.close()
  return {
    clients: n,
    rooms: r,
    duration: options.duration,
    targetRate: options.rate,
    registerSeconds: round(registerSeconds),
    connectSeconds: round(connectSeconds),
    sent,
    acked,
    ackedPerSecond: round(ackedWhileSending / sendSeconds),
    deliveredPerSecond: round(deliveredWhileSending / sendSeconds),
    latencyP50Ms: round(latency.percentile(0.5)),
    latencyP99Ms: round(latency.percentile(0.99)),
    latencyMaxMs: round(latency.max),
    ackP99Ms: round(ackLatency.percentile(0.99)),
    errors: {
      rate_limited: errors.rate_limited ?? 0,
      overloaded: errors.overloaded ?? 0,
      timeout: errors.timeout ?? 0,
      closed_socket: errors.closed_socket ?? 0,
      channel_crashed: errors.channel_crashed ?? 0,
      other: Object.entries(errors)
        .filter(([k]) => !MAIN_ERRORS.includes(k))
        .reduce((sum, [, v]) => sum + v, 0),
    },
    otherErrors: Object.fromEntries(
      Object.entries(errors).filter(([k]) => !MAIN_ERRORS.includes(k)),
    ),
    missing,
    missingAtCrashedChannels: missingAtCrashed,
    duplicates,
    generatorCpuPercent: round(((cpu.user + cpu.system) / 1000 / wallMs) * 100),
    serverCpuPercent:
      serverCpuStart === undefined || serverCpuEnd === undefined
        ? null
        : round(((serverCpuEnd - serverCpuStart) * 100_000) / wallMs),
    loadAverage: round(loadavg()[0]!),
  }
}

export interface Results {
  clients: number
  rooms: number
  duration: number
  targetRate: number
  registerSeconds: number
  connectSeconds: number
  sent: number
  acked: number
  ackedPerSecond: number
  deliveredPerSecond: number
  latencyP50Ms: number
  latencyP99Ms: number
  latencyMaxMs: number
  ackP99Ms: number
  errors: {
    rate_limited: number
    /** Refused before storing: the rate limiter could not answer in time (send it again). */
    overloaded: number
    timeout: number
    closed_socket: number
    channel_crashed: number
    other: number
  }
  /** The `other` errors by reason (e.g. `unmatched topic`: a push after the channel crashed). */
  otherErrors: Record<string, number>
  /** Acknowledged messages some client of the room never received... */
  missing: number
  /** ...of which at clients whose channel had crashed. */
  missingAtCrashedChannels: number
  duplicates: number
  /** CPU time over wall time from the first send to the end of the drain (100 = one core). */
  generatorCpuPercent: number
  serverCpuPercent: number | null
  /** The 1-minute load average at the end. */
  loadAverage: number
}

// --- The server, in a child process ------------------------------------------------------------

const root = fileURLToPath(new URL('../../', import.meta.url))

/** Starts `chat/server/main.ts` on a free port and a temporary data directory. */
export async function startServer(nodeArgs: string[] = []): Promise<{
  url: string
  child: ChildProcess
  stop: () => Promise<void>
  logFile: string
}> {
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-load-'))
  const child = spawn(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', join(root, 'chat/server/main.ts')],
    {
      cwd: root,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', CHAT_DATA_DIR: dataDir, CHAT_OPS: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  // The server's log (crash reports) goes to a file; if it dies on its own, its last words show.
  const logFile = join(tmpdir(), `chat-load-server-${Date.now()}.log`)
  child.stderr!.pipe(createWriteStream(logFile))
  let log = ''
  child.stderr!.on('data', (chunk) => {
    log = (log + chunk).slice(-4000)
  })
  let stopping = false
  // Interrupted before `stop` could run (say, Ctrl-C while it starts): leave nothing behind.
  process.once('exit', () => {
    if (child.exitCode === null) child.kill('SIGKILL')
    rmSync(dataDir, { recursive: true, force: true })
  })
  child.once(
    'exit',
    (code) => stopping || console.error(`[load] the server exited (${code}):\n${log}`),
  )
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (chunk) => {
      out += chunk
      const match = /listening on (http:\/\/\S+)/.exec(out)
      if (match) resolve(match[1]!)
    })
    child.once('exit', (code) => reject(new Error(`the server exited (${code}): ${out}${log}`)))
  })
  const stop = async () => {
    stopping = true
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGINT')
      await Promise.race([exited, sleep(10_000)])
      if (child.exitCode === null) child.kill('SIGKILL')
    }
    rmSync(dataDir, { recursive: true, force: true })
  }
  return { url, child, stop, logFile }
}

/** CPU seconds a Linux process has used so far (utime + stime), or undefined elsewhere. */
function cpuSeconds(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    const ticks = Number(execFileSync('getconf', ['CLK_TCK']).toString())
    return (Number(fields[11]) + Number(fields[12])) / ticks
  } catch {
    return undefined
  }
}

// --- Helpers -----------------------------------------------------------------------------------

async function register(url: string, username: string): Promise<string> {
  const response = await fetch(`${url}/api/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'load test password' }),
  })
  const body = (await response.json()) as { token?: string }
  if (response.status !== 201 || body.token === undefined) {
    throw new Error(`registering ${username}: ${response.status} ${JSON.stringify(body)}`)
  }
  return body.token
}

/** Runs `fn(0..count-1)` with at most `limit` at a time; resolves with the results in order. */
async function mapLimit<T>(count: number, limit: number, fn: (i: number) => Promise<T>) {
  const results: T[] = new Array(count)
  let next = 0
  const worker = async () => {
    while (next < count) {
      const i = next++
      results[i] = await fn(i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker))
  return results
}

function grow(array: Uint8Array, index: number): Uint8Array {
  const bigger = new Uint8Array(Math.max(array.length * 2, index + 1))
  bigger.set(array)
  return bigger
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const round = (x: number) => Math.round(x * 10) / 10
const rate = (count: number, seconds: number) => Math.round(count / seconds).toLocaleString('en')

// --- Report ------------------------------------------------------------------------------------

const TARGET = { clients: 5000, rooms: 50, rate: 2000, p99: 200 }

/** The results as the Markdown the performance page includes. */
export function toMarkdown(res: Results): string {
  const f = (x: number | null, unit = '') =>
    x === null ? '-' : `${x.toLocaleString('en-US', { maximumSignificantDigits: 4 })}${unit}`
  const machine = `Node ${process.version}, ${process.platform} ${process.arch}, ${cpus()[0]?.model.trim() ?? 'unknown CPU'} × ${cpus().length}`
  const rows: [string, string, string][] = [
    [
      'clients / rooms',
      `${f(res.clients)} / ${res.rooms}`,
      `${f(TARGET.clients)} / ${TARGET.rooms}`,
    ],
    [
      'messages sent (target rate)',
      `${f(res.sent)} (${f(res.targetRate)}/s)`,
      `${f(TARGET.rate)}/s`,
    ],
    ['messages acknowledged', `${f(res.ackedPerSecond)}/s`, `${f(TARGET.rate)}/s`],
    [
      'deliveries received',
      `${f(res.deliveredPerSecond)}/s`,
      // Every message reaches each client of its room, its sender too.
      `${f((TARGET.rate * TARGET.clients) / TARGET.rooms)}/s`,
    ],
    [
      'delivery latency p50 / p99',
      `${f(res.latencyP50Ms)} / ${f(res.latencyP99Ms)} ms`,
      `p99 ≤ ${TARGET.p99} ms`,
    ],
    ['delivery latency max', `${f(res.latencyMaxMs)} ms`, '-'],
    ['acknowledgement p99', `${f(res.ackP99Ms)} ms`, '-'],
    [
      'errors: rate_limited / overloaded / timeout / closed socket / channel crashed / other',
      `${res.errors.rate_limited} / ${res.errors.overloaded} / ${res.errors.timeout} / ${res.errors.closed_socket} / ${res.errors.channel_crashed} / ${res.errors.other}`,
      '0',
    ],
    [
      'lost: missing (at crashed channels) / duplicated',
      `${res.missing} (${res.missingAtCrashedChannels}) / ${res.duplicates}`,
      '0 / 0',
    ],
    ['register / connect+join', `${f(res.registerSeconds)} s / ${f(res.connectSeconds)} s`, '-'],
    [
      'CPU: server / load generator',
      `${f(res.serverCpuPercent, '%')} / ${f(res.generatorCpuPercent, '%')}`,
      '-',
    ],
    ['load average (1 min, at end)', f(res.loadAverage), '-'],
  ]
  return [
    `${f(res.clients)} clients in ${res.rooms} rooms for ${res.duration} s, server and load generator on one machine: ${machine}.`,
    '',
    '| measure | result | target |',
    '|---|---|---|',
    ...rows.map(([a, b, c]) => `| ${a} | ${b} | ${c} |`),
    '',
  ].join('\n')
}

// --- Command line ------------------------------------------------------------------------------

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      clients: { type: 'string', default: '500' },
      rooms: { type: 'string', default: '10' },
      duration: { type: 'string', default: '10' },
      rate: { type: 'string' },
      url: { type: 'string' },
      quick: { type: 'boolean', default: false },
      profile: { type: 'string' },
    },
  })
  const quick = values.quick
  const clients = Number(quick ? 50 : values.clients)
  const rooms = Number(quick ? 5 : values.rooms)
  const duration = Number(quick ? 3 : values.duration)
  // Default: 2,000 msg/s, but never more than 4 a second per user (the limit is 5).
  const rate = Number(values.rate ?? Math.min(2000, clients * 4))
  for (const [name, value] of Object.entries({ clients, rooms, duration, rate })) {
    if (!(Number.isFinite(value) && value > 0))
      throw new TypeError(`--${name} must be a positive number`)
  }
  const fdLimit = Number(execFileSync('sh', ['-c', 'ulimit -n']).toString())
  if (fdLimit < clients + 200) {
    console.error(
      `[load] warning: ulimit -n is ${fdLimit}; run \`ulimit -n ${clients * 2 + 1000}\` first`,
    )
  }

  let server: Awaited<ReturnType<typeof startServer>> | undefined
  const stop = async () => {
    await server?.stop()
  }
  process.once('SIGINT', () => {
    console.error('[load] interrupted: stopping the server')
    void stop().then(() => process.exit(130))
  })
  let url = values.url
  if (url === undefined) {
    const profile = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : []
    console.error('[load] starting the chat server (PGlite, temporary data directory)')
    server = await startServer(profile)
    url = server.url
  }
  try {
    const serverPid = server?.child.pid
    const results = await runLoad({
      clients,
      rooms,
      duration,
      rate,
      url,
      progress: true,
      serverPid,
    })
    const markdown = toMarkdown(results)
    console.log(`\n${markdown}`)
    const outDir = join(root, 'bench/results', quick || clients < 1000 ? 'tmp' : '')
    mkdirSync(outDir, { recursive: true })
    writeFileSync(
      join(outDir, 'chat-load.json'),
      `${JSON.stringify({ machine: markdown.split('\n')[0], ...results }, null, 2)}\n`,
    )
    writeFileSync(join(outDir, 'chat-load.md'), `# Chat load test\n\n${markdown}`)
    console.error(`[load] wrote ${outDir.slice(root.length)}/chat-load.{json,md}`)
    if (server) console.error(`[load] the server's log: ${server.logFile}`)
  } finally {
    await stop()
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().then(
    () => process.exit(0),
    (error) => {
      console.error(error)
      process.exit(1)
    },
  )
}
