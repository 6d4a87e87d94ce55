/**
 * Presence: who is on a topic right now (Phoenix.Presence). A tracker process keeps, per
 * topic, the presences of processes (a channel tracks itself under its user's name), and
 * broadcasts every change to the topic as `presence_diff`. A client that joins gets the whole
 * list once as `presence_state`, then follows the diffs; the `phoenix` client's `Presence`
 * class does the bookkeeping:
 *
 * ```
 * presence_state  { "ann": { "metas": [{ "phx_ref": "F1x", "online_at": 1700000000 }] } }
 * presence_diff   { "joins": { "bob": { "metas": [...] } }, "leaves": {} }
 * ```
 *
 * A key (a user) may have several metas: one per tracked process, say two browser tabs. Each
 * meta carries a unique `phx_ref`; an update replaces a meta by a new one whose `phx_ref_prev`
 * names the old ref, sent as a join of the new and a leave of the old.
 *
 * The tracker monitors every tracked process: when one dies, however it dies, its presences
 * leave. Nobody has to remember to untrack, and a crash cannot leave a ghost in the list.
 *
 * @example
 * await Presence.startLink({ name: 'chat_presence', pubsub: 'chat_pubsub' })
 *
 * // in a channel, after the join (`send(this.self, 'after_join')` in join, then handleInfo):
 * Channel.push(socket, 'presence_state', await Presence.list('chat_presence', socket.topic))
 * await Presence.track('chat_presence', socket.channelPid, socket.topic, user, { online_at: Date.now() })
 *
 * What the course teaches with it: monitors. One process watches many without being linked to
 * any of them, and `DOWN` tells it exactly whom to forget.
 *
 * **More than one server.** This tracker tracks the presences of its own server. Its diffs
 * already reach every server, since they go out through `PubSub.broadcast` (and so through the
 * PubSub adapter, `pg-bridge.ts`). For `list`, the tracker also keeps a replica per other
 * server ("origin"), which the bridge feeds: `remoteDiff` with each diff that arrives,
 * `remoteState` with a whole snapshot (sent when a server starts, asked for with a `hello`),
 * and `remoteDown` when a server stops or stops answering, which empties that replica and
 * sends the `leaves` to this server's clients. `list` merges the local presences and every
 * replica. Because a meta's `phx_ref` starts with a prefix unique to its tracker, merged lists
 * never mix up two servers' presences.
 *
 * @see https://hexdocs.pm/phoenix/Phoenix.Presence.html
 */
import { randomBytes } from 'node:crypto'
import {
  type DownMessage,
  GenServer,
  type Pid,
  type ProcessContext,
  type Ref,
  type Supervisor,
} from 'letitcrash'
import { broadcastMessage } from './channel.ts'
import type { Payload } from './protocol.ts'
import * as PubSub from './pubsub.ts'

/** One presence's metadata, with the `phx_ref` the tracker gives it. */
export type Meta = Payload & { readonly phx_ref: string; readonly phx_ref_prev?: string }

/** Every presence on a topic, by key: the payload of `presence_state`. */
export type PresenceState = Record<string, { metas: Meta[] }>

/** The payload of `presence_diff`. */
export type PresenceDiff = {
  readonly joins: PresenceState
  readonly leaves: PresenceState
}

export interface StartOptions {
  /** The tracker's name. */
  readonly name: string
  /** The PubSub that carries `presence_diff` to the topic's channels. */
  readonly pubsub: string
  /** For `startLink` from inside a process: the process to link to. */
  readonly parent?: ProcessContext
}

type Request =
  | readonly ['track', pid: Pid, topic: string, key: string, meta: Payload]
  | readonly ['update', pid: Pid, topic: string, key: string, meta: Payload]
  | readonly ['untrack', pid: Pid, topic: string, key: string]
  | readonly ['list', topic: string]
  | readonly ['list_local']

/** What the bridge tells the tracker about the other servers' presences. */
type Cast =
  | readonly ['remote_diff', origin: string, topic: string, diff: PresenceDiff]
  | readonly ['remote_state', origin: string, topics: Record<string, PresenceState>, full: boolean]
  | readonly ['remote_down', origin: string]

type TrackResult =
  | readonly [tag: 'ok', ref: string]
  | readonly [tag: 'error', reason: 'already_tracked' | 'not_tracked']

interface Entry {
  readonly pid: Pid
  readonly topic: string
  readonly key: string
  readonly meta: Meta
}

interface State {
  readonly pubsub: string
  /** Makes this tracker's `phx_ref`s unique, also next to other servers' trackers. */
  readonly prefix: string
  next: number
  /** topic → its presences, in the order they were tracked. */
  readonly topics: Map<string, Entry[]>
  /** Each tracked process: the monitor on it, and the topics it is tracked on. */
  readonly tracked: Map<Pid, { readonly monitor: Ref; readonly topics: Set<string> }>
  /** The other servers' presences: origin → topic → presences (see "More than one server"). */
  readonly remote: Map<string, Map<string, PresenceState>>
}

// --- Server (callbacks) --------------------------------------------------------------------

const Tracker = {
  init(pubsub: string) {
    const prefix = randomBytes(6).toString('base64url')
    const state: State = {
      pubsub,
      prefix,
      next: 0,
      topics: new Map(),
      tracked: new Map(),
      remote: new Map(),
    }
    return ['ok', state] as const
  },

  handleCall(this: ProcessContext, request: Request, _from: unknown, state: State) {
    if (request[0] === 'list') {
      const local = stateOf(state.topics.get(request[1]) ?? [])
      const remotes = [...state.remote.values()].map((topics) => topics.get(request[1]) ?? {})
      return ['reply', merge(local, ...remotes), state] as const
    }
    if (request[0] === 'list_local') {
      const all = [...state.topics].map(([topic, entries]) => [topic, stateOf(entries)])
      return ['reply', Object.fromEntries(all), state] as const
    }
    const [op, pid, topic, key] = request
    const entries = state.topics.get(topic) ?? []
    const old = entries.find((e) => e.pid === pid && e.key === key)
    if (op === 'untrack') {
      if (old !== undefined) {
        remove(state, topic, (e) => e === old)
        if (!entries.some((e) => e.pid === pid && e !== old)) forgetTopic(this, state, pid, topic)
        publish(state, topic, [], [old])
      }
      return ['reply', 'ok', state] as const
    }
    if (op === 'track' && old !== undefined) {
      return ['reply', ['error', 'already_tracked'], state] as const
    }
    if (op === 'update' && old === undefined) {
      return ['reply', ['error', 'not_tracked'], state] as const
    }
    const phx_ref = state.prefix + (state.next++).toString(36)
    const prev = old === undefined ? {} : { phx_ref_prev: old.meta.phx_ref }
    const entry: Entry = { pid, topic, key, meta: { ...request[4], phx_ref, ...prev } }
    state.topics.set(topic, [...entries.filter((e) => e !== old), entry])
    const tracked = state.tracked.get(pid)
    if (tracked !== undefined) tracked.topics.add(topic)
    else state.tracked.set(pid, { monitor: this.monitor(pid), topics: new Set([topic]) })
    publish(state, topic, [entry], old === undefined ? [] : [old])
    return ['reply', ['ok', phx_ref], state] as const
  },

  handleCast(cast: Cast, state: State) {
    const replica = state.remote.get(cast[1]) ?? new Map<string, PresenceState>()
    state.remote.set(cast[1], replica)
    if (cast[0] === 'remote_diff') {
      const [, , topic, { joins, leaves }] = cast
      const next = merge(without(replica.get(topic) ?? {}, leaves), joins)
      if (Object.keys(next).length > 0) replica.set(topic, next)
      else replica.delete(topic)
      return ['noreply', state] as const
    }
    // A snapshot (or the server is gone: an empty one). Tell local clients what changed.
    const incoming = cast[0] === 'remote_state' ? cast[2] : {}
    const full = cast[0] === 'remote_down' || cast[3]
    const topics = new Set([...Object.keys(incoming), ...(full ? replica.keys() : [])])
    for (const topic of topics) {
      const old = replica.get(topic) ?? {}
      const next = incoming[topic] ?? {}
      const diff: PresenceDiff = { joins: without(next, old), leaves: without(old, next) }
      if (Object.keys(next).length > 0) replica.set(topic, next)
      else replica.delete(topic)
      const message = broadcastMessage(topic, 'presence_diff', diff)
      if (!isEmpty(diff)) PubSub.localBroadcast(state.pubsub, topic, message)
    }
    if (cast[0] === 'remote_down') state.remote.delete(cast[1])
    return ['noreply', state] as const
  },

  handleInfo(message: DownMessage, state: State) {
    if (message?.type !== 'DOWN') return ['noreply', state] as const
    // A tracked process died, however it died: its presences leave, topic by topic.
    const pid = message.pid as Pid
    const tracked = state.tracked.get(pid)
    state.tracked.delete(pid)
    for (const topic of tracked?.topics ?? []) {
      const gone = remove(state, topic, (e) => e.pid === pid)
      if (gone.length > 0) publish(state, topic, [], gone)
    }
    return ['noreply', state] as const
  },
} satisfies GenServer.Behaviour<State, string, Request, Cast, unknown, DownMessage>

// --- Client --------------------------------------------------------------------------------

/**
 * Starts the tracker, linked to the caller (a supervisor, or `options.parent`).
 * `Phoenix.Presence.start_link/1`
 * @example await Presence.startLink({ name: 'chat_presence', pubsub: 'chat_pubsub' })
 */
export function startLink(options: StartOptions): Promise<GenServer.OnStart> {
  const { name, pubsub, parent } = options
  return GenServer.startLink(Tracker, pubsub, { name, parent })
}

/**
 * A child spec for a supervisor (after the PubSub); its id is the tracker's name.
 * `Phoenix.Presence.child_spec/1`
 */
export function childSpec(options: Omit<StartOptions, 'parent'>): Supervisor.ChildSpec {
  return { id: options.name, start: () => startLink(options) }
}

/**
 * Tracks `pid` (or the process of `ctx`) on `topic` under `key` with `meta`, until it untracks
 * or dies. Resolves to `['ok', phx_ref]`, or `['error', 'already_tracked']` if that process
 * already has a presence under `key` on `topic`. `Phoenix.Presence.track/4`
 * @example await Presence.track('chat_presence', socket.channelPid, socket.topic, 'ann', { online_at: Date.now() })
 */
export function track(
  presence: GenServer.Server,
  pid: Pid | ProcessContext,
  topic: string,
  key: string,
  meta: Payload,
): Promise<TrackResult> {
  return GenServer.call(presence, ['track', pidOf(pid), topic, String(key), meta] as Request)
}

/**
 * Replaces the meta of a tracked presence; clients see a join of the new meta (whose
 * `phx_ref_prev` is the old ref) and a leave of the old one. `Phoenix.Presence.update/4`
 * @example await Presence.update('chat_presence', socket.channelPid, socket.topic, 'ann', { typing: true })
 */
export function update(
  presence: GenServer.Server,
  pid: Pid | ProcessContext,
  topic: string,
  key: string,
  meta: Payload,
): Promise<TrackResult> {
  return GenServer.call(presence, ['update', pidOf(pid), topic, String(key), meta] as Request)
}

/**
 * Removes a presence (nothing happens if there is none). `Phoenix.Presence.untrack/3`
 * @example await Presence.untrack('chat_presence', socket.channelPid, socket.topic, 'ann')
 */
export function untrack(
  presence: GenServer.Server,
  pid: Pid | ProcessContext,
  topic: string,
  key: string,
): Promise<'ok'> {
  return GenServer.call(presence, ['untrack', pidOf(pid), topic, String(key)] as Request)
}

/**
 * Every presence on `topic`, by key, in the shape of `presence_state`. `Phoenix.Presence.list/1`
 * @example Channel.push(socket, 'presence_state', await Presence.list('chat_presence', socket.topic))
 */
export function list(presence: GenServer.Server, topic: string): Promise<PresenceState> {
  return GenServer.call(presence, ['list', topic] as Request)
}

/**
 * This server's own presences on every topic (what the bridge sends other servers).
 * (no Elixir counterpart: Phoenix.Tracker replicates with its own CRDT)
 */
export function listLocal(presence: GenServer.Server): Promise<Record<string, PresenceState>> {
  return GenServer.call(presence, ['list_local'] as Request)
}

/** Another server's presences on `topic` changed by `diff` (the bridge saw it pass). */
export function remoteDiff(
  presence: GenServer.Server,
  origin: string,
  topic: string,
  diff: PresenceDiff,
): void {
  GenServer.cast(presence, ['remote_diff', origin, topic, diff] satisfies Cast)
}

/**
 * Another server's presences, a snapshot: for each topic given, its presences now; `full`: a
 * topic not given has none. Local clients get the difference as `presence_diff`.
 */
export function remoteState(
  presence: GenServer.Server,
  origin: string,
  topics: Record<string, PresenceState>,
  full: boolean,
): void {
  GenServer.cast(presence, ['remote_state', origin, topics, full] satisfies Cast)
}

/** Another server stopped (or stopped answering): its presences leave, for local clients. */
export function remoteDown(presence: GenServer.Server, origin: string): void {
  GenServer.cast(presence, ['remote_down', origin] satisfies Cast)
}

// --- Helpers -------------------------------------------------------------------------------

/** Groups entries by key; `Object.fromEntries` keeps a key like `__proto__` an ordinary key. */
function stateOf(entries: readonly Entry[]): PresenceState {
  const byKey = new Map<string, Meta[]>()
  for (const e of entries) {
    const metas = byKey.get(e.key)
    if (metas) metas.push(e.meta)
    else byKey.set(e.key, [e.meta])
  }
  return Object.fromEntries([...byKey].map(([key, metas]) => [key, { metas }]))
}

/** Removes the entries of `topic` that `match` accepts; returns them. */
function remove(state: State, topic: string, match: (e: Entry) => boolean): Entry[] {
  const entries = state.topics.get(topic) ?? []
  const stay = entries.filter((e) => !match(e))
  if (stay.length > 0) state.topics.set(topic, stay)
  else state.topics.delete(topic)
  return entries.filter(match)
}

/** `pid` has no presence left on `topic`; with none left anywhere, stop watching it. */
function forgetTopic(ctx: ProcessContext, state: State, pid: Pid, topic: string): void {
  const tracked = state.tracked.get(pid)
  tracked?.topics.delete(topic)
  if (tracked === undefined || tracked.topics.size > 0) return
  ctx.demonitor(tracked.monitor, { flush: true })
  state.tracked.delete(pid)
}

function publish(state: State, topic: string, joins: Entry[], leaves: Entry[]): void {
  const diff: PresenceDiff = { joins: stateOf(joins), leaves: stateOf(leaves) }
  PubSub.broadcast(state.pubsub, topic, broadcastMessage(topic, 'presence_diff', diff))
}

function pidOf(pid: Pid | ProcessContext): Pid {
  return 'self' in pid ? pid.self : pid
}

/** The metas of several states together, key by key. */
function merge(...states: PresenceState[]): PresenceState {
  const byKey = new Map<string, Meta[]>()
  for (const state of states) {
    for (const [key, { metas }] of Object.entries(state)) {
      byKey.set(key, [...(byKey.get(key) ?? []), ...metas])
    }
  }
  return Object.fromEntries([...byKey].map(([key, metas]) => [key, { metas }]))
}

/** The metas of `state` whose `phx_ref` is not in `minus`. */
function without(state: PresenceState, minus: PresenceState): PresenceState {
  const refs = new Set(Object.values(minus).flatMap(({ metas }) => metas.map((m) => m.phx_ref)))
  const kept = Object.entries(state).map(
    ([key, { metas }]) => [key, { metas: metas.filter((m) => !refs.has(m.phx_ref)) }] as const,
  )
  return Object.fromEntries(kept.filter(([, { metas }]) => metas.length > 0))
}

function isEmpty(diff: PresenceDiff): boolean {
  return Object.keys(diff.joins).length === 0 && Object.keys(diff.leaves).length === 0
}
