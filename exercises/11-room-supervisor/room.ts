/**
 * A chat room: one GenServer per room, holding the room's messages. Clients never keep a
 * room's pid, which changes every time its supervisor restarts it: they address the room by
 * its name, which the room registers in a Registry as it starts.
 *
 * Replace each `throw new Error('TODO: ...')` with your code. The README has the tasks and hints.
 */
import { GenServer, type ViaName } from 'letitcrash'

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

// Client

/**
 * The room's name in the Registry: Elixir's `{:via, Registry, {ChatApp.RoomRegistry, name}}`.
 * Starting with it registers the room; calling with it looks the room up.
 */
export function via(name: string): ViaName {
  // TODO (task 2): a via name for `name` in the registry ROOM_REGISTRY.
  throw new Error(`TODO: via(${JSON.stringify(name)})`)
}

/** Starts the room `name`, registered under its name, linked to the caller (its supervisor). */
export function startLink(name: string): Promise<GenServer.OnStart> {
  // TODO (task 2): start the Room, linked, with `name` as its argument, registered as via(name).
  throw new Error(`TODO: startLink(${JSON.stringify(name)})`)
}

/** Posts `message` to the room, without waiting. */
export function post(name: string, message: string): void {
  GenServer.cast(via(name), ['post', message] satisfies Cast)
}

/** The room's messages, newest last. */
export function messages(name: string): Promise<readonly string[]> {
  return GenServer.call(via(name), 'messages' satisfies Call)
}

// Server (callbacks)

export const Room = {
  init(name: string) {
    // TODO (task 1): the state of a new room: its name, and no messages yet.
    throw new Error(`TODO: Room.init(${JSON.stringify(name)})`)
  },
  handleCast(request: Cast, room) {
    // TODO (task 1): ['post', message] adds the message after the others.
    throw new Error(`TODO: Room.handleCast(${JSON.stringify(request)}) in room ${room.name}`)
  },
  handleCall(request: Call, _from, room) {
    // TODO (task 1): 'messages' replies with the messages, oldest first, newest last.
    throw new Error(`TODO: Room.handleCall(${JSON.stringify(request)}) in room ${room.name}`)
  },
} satisfies GenServer.Behaviour<State, string, Call, Cast, readonly string[]>
