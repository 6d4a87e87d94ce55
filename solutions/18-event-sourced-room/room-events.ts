/**
 * A chat room, event-sourced. Its state is never stored: it is what the room's events add up
 * to. Two pure functions hold all of its logic:
 *
 * - `evolve(state, event)` applies one event that happened: it cannot refuse, it only adds it
 *   to the state. `replay(events)` folds a whole log into the state.
 * - `decide(state, command, now)` checks a command (what someone asks for) against the state,
 *   and answers with the events it leads to, or with the reason it is refused. It changes
 *   nothing: the events change the state once they are stored and applied.
 *
 * Everything that differs from run to run (the time, an id) is decided once, in `decide`, and
 * written into the event; `evolve` reads it from there. So the same log always replays to the
 * same state.
 */

// #region types
export interface Message {
  /** 1 for the room's first message, then 2, 3, ... */
  readonly id: number
  readonly user: string
  readonly text: string
  /** When it was posted: ms of the node's clock. */
  readonly at: number
}

export interface RoomState {
  /** The users in the room, in the order they joined. */
  readonly members: readonly string[]
  /** Every message ever posted, oldest first. */
  readonly messages: readonly Message[]
}

/** What happened: facts in the past tense. */
export type RoomEvent =
  | { readonly type: 'user_joined'; readonly user: string; readonly at: number }
  | { readonly type: 'user_left'; readonly user: string; readonly at: number }
  | ({ readonly type: 'message_posted' } & Message)

/** What someone asks for: it may be refused. */
export type RoomCommand =
  | { readonly type: 'join'; readonly user: string }
  | { readonly type: 'leave'; readonly user: string }
  | { readonly type: 'post'; readonly user: string; readonly text: string }

/** Why a command is refused. */
export type Rejection = 'already_member' | 'not_a_member' | 'empty_message'

/** `{:ok, events}` or `{:error, reason}`. */
export type Decision = readonly ['ok', readonly RoomEvent[]] | readonly ['error', Rejection]

export const emptyRoom: RoomState = { members: [], messages: [] }
// #endregion types

// #region evolve
/** The state after `event`: a new object; `state` stays as it was. Commanded's `apply/2`. */
export function evolve(state: RoomState, event: RoomEvent): RoomState {
  switch (event.type) {
    case 'user_joined':
      return { ...state, members: [...state.members, event.user] }
    case 'user_left':
      return { ...state, members: state.members.filter((user) => user !== event.user) }
    case 'message_posted': {
      const { id, user, text, at } = event
      return { ...state, messages: [...state.messages, { id, user, text, at }] }
    }
  }
}

/** The state a log of events adds up to, from the empty room. */
export function replay(events: readonly RoomEvent[]): RoomState {
  return events.reduce(evolve, emptyRoom)
}
// #endregion evolve

// #region decide
/**
 * The events `command` leads to in `state`, stamped with the time `now`, or why it is refused.
 * Commanded's `execute/2`.
 */
export function decide(state: RoomState, command: RoomCommand, now: number): Decision {
  const member = state.members.includes(command.user)
  switch (command.type) {
    case 'join':
      if (member) return ['error', 'already_member']
      return ['ok', [{ type: 'user_joined', user: command.user, at: now }]]
    case 'leave':
      if (!member) return ['error', 'not_a_member']
      return ['ok', [{ type: 'user_left', user: command.user, at: now }]]
    case 'post': {
      if (!member) return ['error', 'not_a_member']
      if (command.text.trim() === '') return ['error', 'empty_message']
      const id = state.messages.length + 1
      return [
        'ok',
        [{ type: 'message_posted', id, user: command.user, text: command.text, at: now }],
      ]
    }
  }
}
// #endregion decide
