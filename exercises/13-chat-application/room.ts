/**
 * Exercise 11's Room, complete: nothing to do in this file.
 *
 * A chat room: one GenServer per room, holding the room's messages. Clients never keep a
 * room's pid, which changes every time its supervisor restarts it: they address the room by
 * its name, which the room registers in a Registry as it starts.
 */
import { GenServer, Registry, type ViaName } from 'letitcrash'

/** The Registry every room registers in (the application starts it, exercise 13). */
export const ROOM_REGISTRY = 'ChatApp.RoomRegistry'

/** Elixir's `{:post, message}` cast. */
export type Cast = readonly [tag: 'post', message: string]
/** Elixir's `:messages` call. */
export type Call = 'messages'

export interface State {
  readonly name: string
  /** Oldest first. */
  readonly messages: readonly string[]
}

// #region client
// Client

/**
 * The room's name in the Registry: Elixir's `{:via, Registry, {ChatApp.RoomRegistry, name}}`.
 * Starting with it registers the room; calling with it looks the room up.
 */
export function via(name: string): ViaName {
  return Registry.via(ROOM_REGISTRY, name)
}

/** Starts the room `name`, registered under its name, linked to the caller (its supervisor). */
export function startLink(name: string): Promise<GenServer.OnStart> {
  return GenServer.startLink(Room, name, { name: via(name) })
}

/** Posts `message` to the room, without waiting. */
export function post(name: string, message: string): void {
  GenServer.cast(via(name), ['post', message] satisfies Cast)
}

/** The room's messages, newest last. */
export function messages(name: string): Promise<readonly string[]> {
  return GenServer.call(via(name), 'messages' satisfies Call)
}
// #endregion client

// #region server
// Server (callbacks)

export const Room = {
  init: (name: string) => ['ok', { name, messages: [] }],
  handleCast: ([, message]: Cast, room) => [
    'noreply',
    { ...room, messages: [...room.messages, message] },
  ],
  handleCall: (_request: Call, _from, room) => ['reply', room.messages, room],
} satisfies GenServer.Behaviour<State, string, Call, Cast, readonly string[]>
// #endregion server
