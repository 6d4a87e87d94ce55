/**
 * Presence: who is in each room right now (a small Phoenix.Presence). Every channel process
 * tracks itself once it has joined; Presence keeps, per tracked process, whom it stands for
 * in which topic, and tells each topic when a user arrives or goes (`presence_diff`).
 *
 * Presence *monitors* every tracked process. However a channel ends (the user left, the
 * connection closed, the channel crashed, someone killed it), a `DOWN` message says so, and
 * the user leaves the list: nobody has to remember to untrack, and a crash leaves no ghost.
 * A monitor, not a link: a channel that crashes must not take Presence down with it.
 *
 * A user may be in a room more than once (two browser tabs): they arrive with their first
 * channel there and go with their last.
 */
import { type DownMessage, GenServer, type Pid } from 'letitcrash'
import { endpointBroadcast } from './channel.ts'

export const PRESENCE = 'ChatApp.Presence'

/** `presence_diff`'s payload: who came, who went. */
export type Diff = { readonly joins: readonly string[]; readonly leaves: readonly string[] }

/** `{:track, channel, topic, user}` and `{:list, topic}` */
export type Call =
  | readonly [tag: 'track', channel: Pid, topic: string, user: string]
  | readonly [tag: 'list', topic: string]

/** What one tracked channel process stands for. */
export interface Tracked {
  readonly topic: string
  readonly user: string
}

/** Every tracked channel process, monitored. */
export type State = ReadonlyMap<Pid, Tracked>

// Client

/** Starts Presence, registered as `PRESENCE`, linked to the caller. */
export function startLink(): Promise<GenServer.OnStart> {
  return GenServer.startLink(Presence, undefined, { name: PRESENCE })
}

/** Puts `user` in `topic` for as long as the process `channel` lives. `Presence.track/4` */
export function track(channel: Pid, topic: string, user: string): Promise<'ok'> {
  return GenServer.call(PRESENCE, ['track', channel, topic, user] satisfies Call)
}

/** The users in `topic`, each once, in alphabetical order. `Presence.list/1` */
export function list(topic: string): Promise<string[]> {
  return GenServer.call(PRESENCE, ['list', topic] satisfies Call)
}

// Server (callbacks)

export const Presence = {
  init: () => ['ok', new Map()],

  handleCall(request, _from, state) {
    if (request[0] === 'list') return ['reply', usersIn(state, request[1]), state]
    const [, channel, topic, user] = request
    if (state.has(channel)) return ['reply', 'ok', state] // tracked already: one monitor will do
    this.monitor(channel)
    // Announce the user with their first channel in the room, not with their second tab.
    if (!usersIn(state, topic).includes(user)) {
      const diff: Diff = { joins: [user], leaves: [] }
      endpointBroadcast(topic, 'presence_diff', diff)
    }
    return ['reply', 'ok', new Map(state).set(channel, { topic, user })]
  },

  handleInfo(down, state) {
    const channel = down.pid as Pid
    const gone = state.get(channel)
    if (gone === undefined) return ['noreply', state]
    const rest = new Map(state)
    rest.delete(channel)
    // The user goes with their last channel in the room.
    if (!usersIn(rest, gone.topic).includes(gone.user)) {
      const diff: Diff = { joins: [], leaves: [gone.user] }
      endpointBroadcast(gone.topic, 'presence_diff', diff)
    }
    return ['noreply', rest]
  },
} satisfies GenServer.Behaviour<State, undefined, Call, never, 'ok' | string[], DownMessage>

/** The users in `topic`, each once, in alphabetical order. */
export function usersIn(state: State, topic: string): string[] {
  const users = [...state.values()].filter((t) => t.topic === topic).map((t) => t.user)
  return [...new Set(users)].sort()
}
