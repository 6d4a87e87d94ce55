/**
 * The bridge between chat servers that share one PostgreSQL database: a PubSub adapter on
 * PostgreSQL's LISTEN/NOTIFY (Phoenix.PubSub's `PG2`/Redis adapters do the same job).
 *
 * ```
 * server A                                     PostgreSQL                        server B
 * Room ─PubSub.broadcast─▶ local channels
 *                └─adapter─▶ Bridge ─NOTIFY chat_bridge──▶ ─LISTEN──▶ Bridge ─localBroadcast─▶ channels
 * ```
 *
 * Each server runs one Bridge process with ONE dedicated `pg` connection of its own (a pooled
 * connection would be handed to other queries; LISTEN needs a session that stays). Every
 * notification is JSON and names its `origin`, a random id per server start, so a server
 * skips its own (it already delivered them locally).
 *
 * - `broadcast`: a broadcast on a topic, as it is. A NOTIFY payload is at most 8,000 bytes;
 *   a `new_msg` too big for that (a 2,000-character body may take 12,000 bytes of JSON) goes
 *   as `message_ref` with only the message's id, and each receiver loads it from the database.
 *   The Bridge handles notifications one at a time (awaiting that load), so messages from one
 *   server arrive in the order that server sent them: in id order for each room.
 * - Presence: the Presence tracker's diffs are broadcasts, so they cross like messages; the
 *   Bridge also hands them to the local tracker, which keeps a replica per other server for
 *   `presence_state` (see `presence.ts`). A Bridge that starts says `hello` and sends a
 *   `presence` snapshot of its server's presences; every other one answers with its own.
 * - Ghosts: each server sends a `heartbeat` every `heartbeatMs` (5 s). One that stops cleanly
 *   says `bye`; one not heard from for 3 heartbeats (killed, cut off) is taken as gone. Either
 *   way its presences leave on every other server (`Presence.remoteDown`). If it was only slow,
 *   its next heartbeat makes the others say `hello` again and fetch its presences afresh.
 *
 * Each server also runs its own Room process for a room both serve: a message stored by the
 * other server is added to this server's Room cache (`Room.remember`) so a client joining here
 * gets it in its history.
 *
 * What it teaches: a PubSub adapter is small. Distribution is "deliver locally, and tell the
 * others", plus a way to notice that another server is gone (here a heartbeat, on the BEAM a
 * `nodedown` monitor).
 *
 * Limits: across servers, messages sent at the same moment on two servers may reach two
 * clients in different orders (each server's own messages stay in id order); a presence
 * snapshot too big for one notification is sent topic by topic; a broadcast that is not a
 * `new_msg` and exceeds 8,000 bytes is dropped (and logged).
 */
import { randomBytes } from 'node:crypto'
import { GenServer, type ProcessContext, type Supervisor } from 'letitcrash'
import pg from 'pg'
import { type Broadcast, broadcastMessage } from './channel.ts'
import { Names } from './names.ts'
import * as Presence from './presence.ts'
import * as PubSub from './pubsub.ts'
import * as RepoServer from './repo-server.ts'
import * as Room from './room.ts'

/** The LISTEN/NOTIFY channel every chat server uses. */
export const CHANNEL = 'chat_bridge'
/** PostgreSQL's limit on a NOTIFY payload, in bytes (less than 8,000). */
export const PAYLOAD_LIMIT = 7999

export interface BridgeOptions {
  readonly databaseUrl: string
  /** The bridge's registered name (what the adapter casts to). */
  readonly name: string
  readonly pubsub: string
  readonly presence: string
  /** How often to say "still here" (default 5,000 ms); 3 missed and a server is gone. */
  readonly heartbeatMs?: number
}

/** One notification on the channel. */
type Note = { readonly origin: string } & (
  | { readonly kind: 'broadcast'; readonly topic: string; readonly message: Broadcast }
  | { readonly kind: 'message_ref'; readonly topic: string; readonly id: number }
  | {
      readonly kind: 'presence'
      readonly topics: Record<string, Presence.PresenceState>
      readonly full: boolean
    }
  | { readonly kind: 'hello' | 'heartbeat' | 'bye' }
)

type Cast = readonly ['publish', topic: string, message: Broadcast]
type Info =
  | { readonly type: 'notification'; readonly payload: string }
  | { readonly type: 'heartbeat' }
  | { readonly type: 'connection_lost'; readonly error: Error }

interface State {
  readonly options: BridgeOptions
  readonly origin: string
  readonly client: pg.Client
  readonly heartbeatMs: number
  /** Other servers: origin → when last heard from (ms). */
  readonly seen: Map<string, number>
}

/**
 * The PubSub adapter: hands each broadcast to the Bridge process named `bridge`, which
 * NOTIFYs it. A cast: the broadcaster never waits for PostgreSQL (and a Bridge that is down,
 * restarting, drops what is sent meanwhile).
 */
export function adapter(bridge: string): PubSub.Adapter {
  return {
    broadcast: (topic, message) =>
      GenServer.cast(bridge, ['publish', topic, message as Broadcast] satisfies Cast),
  }
}

/** Starts the Bridge, linked to the caller (the application's supervisor). */
export function startLink(options: BridgeOptions): Promise<GenServer.OnStart> {
  return GenServer.startLink(Bridge, options, { name: options.name })
}

/** A child spec: after PubSub and Presence, before the Endpoint. */
export function childSpec(options: BridgeOptions): Supervisor.ChildSpec {
  return { id: 'Bridge', start: () => startLink(options) }
}

const Bridge = {
  async init(this: ProcessContext, options: BridgeOptions) {
    // So that a supervisor's shutdown runs `terminate`: say bye, close the connection.
    this.trapExit(true)
    const { self, node } = this
    const client = new pg.Client({ connectionString: options.databaseUrl })
    // Unhandled, a broken connection's 'error' would end the program: crash the Bridge
    // instead, and its supervisor restarts it with a new connection.
    client.on('error', (error) => node.send(self, { type: 'connection_lost', error } as Info))
    client.on('notification', ({ payload }) =>
      node.send(self, { type: 'notification', payload: payload ?? '' } as Info),
    )
    try {
      await client.connect()
      await client.query(`LISTEN ${CHANNEL}`)
    } catch (error) {
      await client.end().catch(() => {})
      throw error
    }
    const origin = randomBytes(9).toString('base64url')
    const heartbeatMs = options.heartbeatMs ?? 5000
    const state: State = { options, origin, client, heartbeatMs, seen: new Map() }
    // Ask the others for their presences, and tell them ours (a restarted Bridge has some).
    notify(state, { kind: 'hello' })
    await sendPresences(state)
    node.sendAfter(self, { type: 'heartbeat' } as Info, heartbeatMs)
    return ['ok', state] as const
  },

  handleCast([, topic, message]: Cast, state: State) {
    const note: Note = { origin: state.origin, kind: 'broadcast', topic, message }
    if (fits(note)) notify(state, note)
    else if (message.event === 'new_msg' && typeof message.payload.id === 'number') {
      notify(state, { kind: 'message_ref', topic, id: message.payload.id })
    } else console.error(`[chat] bridge: a ${message.event} on ${topic} is too big to send`)
    return ['noreply', state] as const
  },

  async handleInfo(this: ProcessContext, info: Info, state: State) {
    if (info.type === 'connection_lost') return ['stop', info.error, state] as const
    if (info.type === 'heartbeat') {
      notify(state, { kind: 'heartbeat' })
      const deadline = this.node.clock.now() - 3 * state.heartbeatMs
      for (const [origin, at] of state.seen) {
        if (at >= deadline) continue
        state.seen.delete(origin)
        Presence.remoteDown(state.options.presence, origin)
      }
      this.node.sendAfter(this.self, info, state.heartbeatMs)
      return ['noreply', state] as const
    }
    let note: Note
    try {
      note = JSON.parse(info.payload) as Note
    } catch {
      console.error('[chat] bridge: a notification that is not JSON:', info.payload.slice(0, 80))
      return ['noreply', state] as const
    }
    await receive(state, note, this.node.clock.now())
    return ['noreply', state] as const
  },

  async terminate(_reason: unknown, state: State) {
    await state.client
      .query('SELECT pg_notify($1, $2)', [
        CHANNEL,
        JSON.stringify({ origin: state.origin, kind: 'bye' }),
      ])
      .catch(() => {})
    await state.client.end().catch(() => {})
  },
} satisfies GenServer.Behaviour<State, BridgeOptions, never, Cast, never, Info>

/** Handles one notification from another server. */
async function receive(state: State, note: Note, now: number): Promise<void> {
  const { origin } = note
  if (origin === state.origin) return
  const { presence } = state.options
  if (note.kind === 'bye') {
    state.seen.delete(origin)
    Presence.remoteDown(presence, origin)
    return
  }
  // A server we did not know (new, or back after we gave it up): ask everyone for presences.
  if (!state.seen.has(origin) && note.kind !== 'hello') notify(state, { kind: 'hello' })
  state.seen.set(origin, now)
  switch (note.kind) {
    case 'hello':
      return sendPresences(state)
    case 'presence':
      return Presence.remoteState(presence, origin, note.topics, note.full)
    case 'broadcast':
      return deliver(state, origin, note.topic, note.message)
    case 'message_ref': {
      // Too big for a notification: the message is in the database (stored before broadcast).
      const repo = RepoServer.proxy(Names.repo)
      const room = note.topic.slice('room:'.length)
      const [found] = await repo.messagesBefore(room, note.id + 1, 1)
      if (found?.id !== note.id) return
      return deliver(
        state,
        origin,
        note.topic,
        broadcastMessage(note.topic, 'new_msg', Room.toChat(found)),
      )
    }
  }
}

/** Sends this server's presences, all of them, to the other servers. */
async function sendPresences(state: State): Promise<void> {
  const topics = await Presence.listLocal(state.options.presence)
  const whole: Note = { origin: state.origin, kind: 'presence', topics, full: true }
  if (fits(whole)) return notify(state, whole)
  // Too big for one: clear, then topic by topic (a moment of leaves-then-joins).
  notify(state, { kind: 'presence', topics: {}, full: true })
  for (const [topic, presences] of Object.entries(topics)) {
    notify(state, { kind: 'presence', topics: { [topic]: presences }, full: false })
  }
}

/** Delivers another server's broadcast here, and keeps the Room cache and presences in step. */
function deliver(state: State, origin: string, topic: string, message: Broadcast): void {
  const { pubsub, presence } = state.options
  PubSub.localBroadcast(pubsub, topic, message)
  if (message.event === 'presence_diff') {
    Presence.remoteDiff(presence, origin, topic, message.payload as Presence.PresenceDiff)
  } else if (message.event === 'new_msg' && topic.startsWith('room:')) {
    Room.remember(topic.slice('room:'.length), message.payload as Room.ChatMessage)
  }
}

/** NOTIFYs `note` from this server. One connection runs its queries in order: so do notes. */
function notify(state: State, note: Note | DistributiveOmit<Note, 'origin'>): void {
  const text = JSON.stringify({ ...note, origin: state.origin })
  state.client
    .query('SELECT pg_notify($1, $2)', [CHANNEL, text])
    .catch((error: unknown) => console.error('[chat] bridge: NOTIFY failed:', error))
}

function fits(note: Note): boolean {
  return Buffer.byteLength(JSON.stringify(note)) <= PAYLOAD_LIMIT
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never
