/**
 * PubSub: publish a message on a topic, and every process subscribed to that topic gets it
 * (Phoenix.PubSub). It is built on a Registry with duplicate keys: a subscription is an entry
 * under the topic, and a broadcast is `Registry.dispatch` over those entries. When a
 * subscriber dies, the Registry drops its entries: nobody ever unsubscribes a dead process.
 *
 * @example
 * await PubSub.startLink({ name: 'chat_pubsub' })
 *
 * spawn(async (ctx) => {
 *   PubSub.subscribe(ctx, 'chat_pubsub', 'room:lobby')
 *   console.log(await ctx.receive()) // { text: 'hello' }
 * })
 * PubSub.broadcast('chat_pubsub', 'room:lobby', { text: 'hello' })
 *
 * What the course teaches with it: a Registry is more than a phone book. Duplicate keys turn it
 * into a fan-out table, and process death cleans it up for free (links, once more).
 *
 * **Fastlane.** A subscription may carry a `fastlane`: a function that the broadcaster calls
 * with the message instead of sending it, and that returns true if it delivered the message
 * itself. Channels use it to hand a broadcast, encoded once, straight to each WebSocket
 * connection process, skipping a hop through the channel process (Phoenix does the same).
 *
 * **More than one server.** Everything above stays on this server. An {@link Adapter} carries
 * broadcasts to other servers: `broadcast` hands each message to the adapter after the local
 * delivery, and the adapter on each other server calls {@link localBroadcast} with what arrives.
 * A later step plugs in PostgreSQL LISTEN/NOTIFY this way; messages that cross servers must
 * then be plain JSON (a NOTIFY payload is text, at most 8,000 bytes).
 *
 * @see https://hexdocs.pm/phoenix_pubsub/Phoenix.PubSub.html
 */
import {
  type GenServer,
  type Pid,
  type ProcessContext,
  Registry,
  type Supervisor,
  send,
} from 'letitcrash'

/**
 * Carries broadcasts between servers (Phoenix.PubSub.Adapter). The adapter must not deliver a
 * message back to the server that sent it: that server already delivered it locally.
 */
export interface Adapter {
  /** Sends `message` on `topic` to the other servers, whose adapters call `localBroadcast`. */
  broadcast(topic: string, message: unknown): void
}

/** Delivers `message` itself and returns true, or returns false to have it sent as usual. */
export type Fastlane = (message: unknown) => boolean

export interface StartOptions {
  /** The PubSub's name: the name of its Registry. */
  readonly name: string
  /** Carries broadcasts to other servers; without one, PubSub is local to this server. */
  readonly adapter?: Adapter
  /** For `startLink` from inside a process: the process to link to. */
  readonly parent?: ProcessContext
}

/** What a subscription stores as its Registry value. */
interface Subscription {
  readonly fastlane: Fastlane | undefined
}

const ADAPTER = 'pubsub_adapter'

/**
 * Starts the PubSub (its Registry, with duplicate keys) linked to the caller.
 * `Phoenix.PubSub.Supervisor.start_link/1`
 * @example children: [PubSub.childSpec({ name: 'chat_pubsub' })]
 */
export async function startLink(options: StartOptions): Promise<GenServer.OnStart> {
  const { name, adapter, parent } = options
  const started = await Registry.startLink({ keys: 'duplicate', name, parent })
  if (started[0] === 'ok' && adapter !== undefined) Registry.putMeta(name, ADAPTER, adapter)
  return started
}

/**
 * A child spec for a supervisor; its id is the PubSub's name. `Phoenix.PubSub.child_spec/1`
 * @example Supervisor.startLink([PubSub.childSpec({ name: 'chat_pubsub' })], { strategy: 'one_for_one' })
 */
export function childSpec(options: Omit<StartOptions, 'parent'>): Supervisor.ChildSpec {
  return { id: options.name, start: () => startLink(options) }
}

/**
 * Subscribes the calling process to `topic`. Subscribing twice delivers every message twice,
 * as in Phoenix. `Phoenix.PubSub.subscribe/3`
 * @example PubSub.subscribe(ctx, 'chat_pubsub', 'room:lobby')
 */
export function subscribe(
  ctx: ProcessContext,
  pubsub: string,
  topic: string,
  options: { fastlane?: Fastlane } = {},
): void {
  assertTopic(topic)
  const subscription: Subscription = { fastlane: options.fastlane }
  Registry.register(ctx, pubsub, topic, subscription)
}

/**
 * Removes the calling process's subscriptions to `topic`. `Phoenix.PubSub.unsubscribe/2`
 * @example PubSub.unsubscribe(ctx, 'chat_pubsub', 'room:lobby')
 */
export function unsubscribe(ctx: ProcessContext, pubsub: string, topic: string): void {
  Registry.unregister(ctx, pubsub, topic)
}

/**
 * Sends `message` to every subscriber of `topic`, here and (through the adapter) on every
 * other server. `Phoenix.PubSub.broadcast/3`
 * @example PubSub.broadcast('chat_pubsub', 'room:lobby', { text: 'hello' })
 */
export function broadcast(pubsub: string, topic: string, message: unknown): void {
  localBroadcast(pubsub, topic, message)
  adapterOf(pubsub)?.broadcast(topic, message)
}

/**
 * Like `broadcast`, but not to `from` (usually the caller's own pid): the sender already
 * knows. `Phoenix.PubSub.broadcast_from/4`
 * @example PubSub.broadcastFrom('chat_pubsub', ctx.self, 'room:lobby', { text: 'hello' })
 */
export function broadcastFrom(pubsub: string, from: Pid, topic: string, message: unknown): void {
  localBroadcast(pubsub, topic, message, from)
  adapterOf(pubsub)?.broadcast(topic, message)
}

/**
 * Sends `message` to the subscribers of `topic` on this server only (except `from`, if
 * given). An adapter calls it with what arrives from other servers.
 * `Phoenix.PubSub.local_broadcast/4`
 * @example PubSub.localBroadcast('chat_pubsub', 'room:lobby', { text: 'hello' })
 */
export function localBroadcast(pubsub: string, topic: string, message: unknown, from?: Pid): void {
  assertTopic(topic)
  Registry.dispatch<Subscription>(pubsub, topic, (entries) => {
    for (const [pid, subscription] of entries) {
      if (pid === from) continue
      if (subscription.fastlane?.(message)) continue
      send(pid, message)
    }
  })
}

/**
 * How many processes are subscribed to `topic` on this server.
 * (no Elixir counterpart: `Registry.count_match/3` on the PubSub's registry)
 * @example PubSub.subscriberCount('chat_pubsub', 'room:lobby') // 2
 */
export function subscriberCount(pubsub: string, topic: string): number {
  return Registry.lookup(pubsub, topic).length
}

function adapterOf(pubsub: string): Adapter | undefined {
  const found = Registry.meta(pubsub, ADAPTER)
  return found[0] === 'ok' ? (found[1] as Adapter) : undefined
}

function assertTopic(topic: unknown): asserts topic is string {
  if (typeof topic !== 'string' || topic === '') {
    throw new TypeError(`Expected \`topic\` to be a non-empty string, got \`${String(topic)}\``)
  }
}
