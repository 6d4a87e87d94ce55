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
 *
 * Replace each `throw new Error('TODO: ...')` with your code. The README has the tasks and hints.
 */
import { type DownMessage, GenServer, type Pid } from 'letitcrash'
// TODO (task 3): import { endpointBroadcast } from './channel.ts' to announce who arrives.

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
    // TODO (task 3): ['list', topic] replies with usersIn(state, topic). ['track', channel,
    // topic, user] monitors the channel, remembers it, announces the user's arrival to the
    // topic (presence_diff) if they were not there yet, and replies 'ok'.
    throw new Error(`TODO: Presence.handleCall(${request[0]}) with ${state.size} tracked`)
  },

  handleInfo(down, state) {
    // TODO (task 4): a tracked channel ended: forget it, and if its user has no other channel
    // in that topic, tell the topic they left (presence_diff).
    throw new Error(`TODO: Presence.handleInfo(${down.type}) with ${state.size} tracked`)
  },
} satisfies GenServer.Behaviour<State, undefined, Call, never, 'ok' | string[], DownMessage>

/** The users in `topic`, each once, in alphabetical order. */
export function usersIn(state: State, topic: string): string[] {
  const users = [...state.values()].filter((t) => t.topic === topic).map((t) => t.user)
  return [...new Set(users)].sort()
}
