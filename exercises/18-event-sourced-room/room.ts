/**
 * The room as a process, and the supervisor that keeps its log alive.
 *
 * The room is the command side: it checks each command against its state (`decide`), appends
 * the events to the store, and only then applies them (`evolve`). It keeps no state the log
 * does not have: when it starts, or restarts after a crash, it reads the log and replays it.
 *
 * Replace each `throw new Error('TODO: ...')` with your code. The README has the tasks and hints.
 */
import { GenServer, Supervisor } from 'letitcrash'
import * as EventStore from './event-store.ts'
import * as MessageCounts from './message-counts.ts'
import {
  type Decision,
  decide,
  evolve,
  type RoomCommand,
  type RoomEvent,
  type RoomState,
  replay,
} from './room-events.ts'

/** The registered names of room `room`'s processes. */
export function names(room: string) {
  return {
    supervisor: `room_sup:${room}`,
    events: `events:${room}`,
    room: `room:${room}`,
    counts: `counts:${room}`,
  }
}

/**
 * Starts room `room` under its own supervisor: the store (child id `'events'`), the room
 * (`'room'`) and its message counts (`'counts'`), registered under {@link names}.
 */
export function startRoom(room: string): Promise<GenServer.OnStart> {
  const name = names(room)
  // TODO (task 3): a supervisor registered as name.supervisor, with the children 'events'
  // (EventStore.startLink({ name: name.events })) and 'room' (startLink(name.events, { name:
  // name.room })), and the strategy that restarts the room whenever the store restarts.
  // TODO (task 4): add the child 'counts': MessageCounts.startLink(name.events, { name: name.counts }).
  throw new Error(`TODO: startRoom('${room}')`)
}

// Client

/** Starts a room whose log is kept by `store`, linked to the caller (its supervisor). */
export function startLink(
  store: GenServer.Server,
  options: GenServer.StartOptions = {},
): Promise<GenServer.OnStart> {
  return GenServer.startLink(Room, store, options)
}

/** Asks the room to carry out `command`: `['ok', events]` once they are stored, or `['error', why]`. */
export function execute(room: GenServer.Server, command: RoomCommand): Promise<Decision> {
  return GenServer.call(room, ['execute', command] satisfies Call)
}

/** The room's current state (members and messages). */
export function getState(room: GenServer.Server): Promise<RoomState> {
  return GenServer.call(room, ['state'] satisfies Call)
}

// Server (callbacks)

type Call = readonly [tag: 'execute', command: RoomCommand] | readonly [tag: 'state']

interface State {
  /** Where the room's log is kept. */
  readonly store: GenServer.Server
  /** What the log adds up to. */
  readonly room: RoomState
}

export const Room = {
  async init(store: GenServer.Server) {
    // TODO (task 3): read the log (EventStore.read<RoomEvent>(store)) and replay it.
    throw new Error(`TODO: Room.init(${String(store)})`)
  },
  async handleCall(request, _from, state) {
    // TODO (task 3): ['state'] replies with state.room. ['execute', command]: decide, with the
    // node's clock as `now`; refused: reply the decision and keep the state; accepted: append
    // the events to the store, then apply them with evolve, and reply the decision.
    throw new Error(`TODO: Room.handleCall(${request[0]})`)
  },
} satisfies GenServer.Behaviour<State, GenServer.Server, Call, never, Decision | RoomState>
