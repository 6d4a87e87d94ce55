/**
 * The workers of this exercise, given: small GenServers whose only point is how they depend
 * on each other. Each has a child spec; the supervisors are yours to write.
 *
 * - `Room`: a chat room keeping its messages. Rooms know nothing of each other.
 * - `Sender` and `Receiver`: the sender numbers each message it passes to the receiver, and
 *   the receiver checks the numbers. Each holds half of one shared sequence.
 * - `Cache` and `Stats`: `Stats` subscribes to the cache when it starts, and counts its writes.
 * - `Job`: runs a piece of work once, and finishes.
 * - `Connection`: a connection to a service that drops now and then.
 */
import { GenServer, type Pid, type Supervisor } from 'letitcrash'

// --- Rooms --------------------------------------------------------------------------------------

const Room = {
  init: (_name: string) => ['ok', [] as readonly string[]],
  handleCast: (text: string, messages) => ['noreply', [...messages, text]],
  handleCall: (_messages: 'messages', _from, messages) => ['reply', messages, messages],
} satisfies GenServer.Behaviour<readonly string[], string, 'messages', string, readonly string[]>

/** A room registered as `name`. */
export function roomSpec(name: string): Supervisor.ChildSpec {
  return { id: name, start: () => GenServer.startLink(Room, name, { name }) }
}

export function post(room: string, text: string): void {
  GenServer.cast(room, text)
}

export function messages(room: string): Promise<readonly string[]> {
  return GenServer.call(room, 'messages')
}

// --- Sender and receiver ------------------------------------------------------------------------

/** A message on its way: `{:message, seq, text}`. */
type Numbered = readonly [tag: 'message', seq: number, text: string]

/** The next number to send. */
const Sender = {
  init: () => ['ok', 1],
  handleCast(text: string, next: number) {
    GenServer.cast('receiver', ['message', next, text] satisfies Numbered)
    return ['noreply', next + 1]
  },
} satisfies GenServer.Behaviour<number, undefined, never, string>

export interface ReceiverStatus {
  /** The number the receiver expects next. */
  readonly expected: number
  /** How many messages came with another number than expected. */
  readonly outOfOrder: number
}

const Receiver = {
  init: () => ['ok', { expected: 1, outOfOrder: 0 }],
  handleCast: ([, seq]: Numbered, { expected, outOfOrder }) => [
    'noreply',
    { expected: seq + 1, outOfOrder: seq === expected ? outOfOrder : outOfOrder + 1 },
  ],
  handleCall: (_status: 'status', _from, status) => ['reply', status, status],
} satisfies GenServer.Behaviour<ReceiverStatus, undefined, 'status', Numbered, ReceiverStatus>

/** The sender, registered as `'sender'`. */
export const senderSpec: Supervisor.ChildSpec = {
  id: 'sender',
  start: () => GenServer.startLink(Sender, undefined, { name: 'sender' }),
}

/** The receiver, registered as `'receiver'`. */
export const receiverSpec: Supervisor.ChildSpec = {
  id: 'receiver',
  start: () => GenServer.startLink(Receiver, undefined, { name: 'receiver' }),
}

/** Passes `text` to the receiver, numbered by the sender. */
export function sendText(text: string): void {
  GenServer.cast('sender', text)
}

export function receiverStatus(): Promise<ReceiverStatus> {
  return GenServer.call('receiver', 'status')
}

// --- Cache and stats ----------------------------------------------------------------------------

interface CacheState {
  readonly entries: ReadonlyMap<string, string>
  /** Told `['written', key]` after every write. */
  readonly subscribers: ReadonlySet<Pid>
}

type CacheCall =
  | readonly [tag: 'put', key: string, value: string]
  | readonly [tag: 'get', key: string]
  | readonly [tag: 'subscribe', pid: Pid]

const emptyCache: CacheState = { entries: new Map(), subscribers: new Set() }

const Cache = {
  init: () => ['ok', emptyCache],
  handleCall(request, _from, state) {
    if (request[0] === 'get') return ['reply', state.entries.get(request[1]), state]
    if (request[0] === 'subscribe') {
      this.monitor(request[1]) // so a subscriber that ends is forgotten (handleInfo)
      const subscribers = new Set(state.subscribers).add(request[1])
      return ['reply', 'ok', { ...state, subscribers }]
    }
    const [, key, value] = request
    for (const pid of state.subscribers) this.send(pid, ['written', key])
    return ['reply', 'ok', { ...state, entries: new Map(state.entries).set(key, value) }]
  },
  handleInfo(down: { pid: Pid }, state) {
    const subscribers = new Set(state.subscribers)
    subscribers.delete(down.pid)
    return ['noreply', { ...state, subscribers }]
  },
} satisfies GenServer.Behaviour<CacheState, undefined, CacheCall, never, unknown, { pid: Pid }>

/** Counts the cache's writes. It subscribes once, in `init`: to the cache running then. */
const Stats = {
  async init() {
    await GenServer.call('cache', ['subscribe', this.self] satisfies CacheCall)
    return ['ok', 0]
  },
  handleInfo: (_written, writes) => ['noreply', writes + 1],
  handleCall: (_writes: 'writes', _from, writes) => ['reply', writes, writes],
} satisfies GenServer.Behaviour<number, undefined, 'writes', never, number>

/** The cache, registered as `'cache'`. */
export const cacheSpec: Supervisor.ChildSpec = {
  id: 'cache',
  start: () => GenServer.startLink(Cache, undefined, { name: 'cache' }),
}

/** The stats, registered as `'stats'`. It needs the cache running when it starts. */
export const statsSpec: Supervisor.ChildSpec = {
  id: 'stats',
  start: () => GenServer.startLink(Stats, undefined, { name: 'stats' }),
}

export function put(key: string, value: string): Promise<'ok'> {
  return GenServer.call('cache', ['put', key, value] satisfies CacheCall)
}

export function get(key: string): Promise<string | undefined> {
  return GenServer.call('cache', ['get', key] satisfies CacheCall)
}

/** How many writes the stats have seen. */
export function writes(): Promise<number> {
  return GenServer.call('stats', 'writes')
}

// --- Job ----------------------------------------------------------------------------------------

/** A piece of work. If it throws, the run failed. */
export type Work = () => void

/** Runs `work` right after starting, then stops normally; a throw crashes it instead. */
const Job = {
  init: (work: Work) => ['ok', work, ['continue', 'run']],
  handleContinue(_run: 'run', work) {
    work()
    return ['stop', 'normal', work]
  },
} satisfies GenServer.Behaviour<Work, Work>

/** Starts a job running `work`, linked to the caller (its supervisor). */
export function startJob(work: Work): Promise<GenServer.OnStart> {
  return GenServer.startLink(Job, work)
}

// --- Connection ---------------------------------------------------------------------------------

const Connection = {
  init: () => ['ok', null],
  handleCall: (_ping: 'ping', _from, state) => ['reply', 'pong', state],
} satisfies GenServer.Behaviour<null, undefined, 'ping', never, 'pong'>

/** A connection, registered as `'connection'`. */
export const connectionSpec: Supervisor.ChildSpec = {
  id: 'connection',
  start: () => GenServer.startLink(Connection, undefined, { name: 'connection' }),
}
