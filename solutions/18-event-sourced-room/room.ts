/**
 * The room as a process, and the supervisor that keeps its log alive.
 *
 * The room is the command side: it checks each command against its state (`decide`), appends
 * the events to the store, and only then applies them (`evolve`). It keeps no state the log
 * does not have: when it starts, or restarts after a crash, it reads the log and replays it.
 *
 * The room's supervisor starts the store first and everything built from the log after it,
 * `rest_for_one`: a crashed room is replayed from the store, which lives on; if the store
 * crashed, the log would be gone, and what was built from it must start again with it.
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

// #region supervisor
/**
 * Starts room `room` under its own supervisor: the store (child id `'events'`), the room
 * (`'room'`) and its message counts (`'counts'`), registered under {@link names}.
 */
export function startRoom(room: string): Promise<GenServer.OnStart> {
  const name = names(room)
  const children = [
    { id: 'events', start: () => EventStore.startLink({ name: name.events }) },
    { id: 'room', start: () => startLink(name.events, { name: name.room }) },
    { id: 'counts', start: () => MessageCounts.startLink(name.events, { name: name.counts }) },
  ] satisfies Supervisor.ChildSpec[]
  return Supervisor.startLink(children, { strategy: 'rest_for_one', name: name.supervisor })
}
// #endregion supervisor

// #region client
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
// #endregion client

// #region server
// Server (callbacks)

type Call = readonly [tag: 'execute', command: RoomCommand] | readonly [tag: 'state']

interface State {
  readonly store: GenServer.Server
  readonly room: RoomState
}

export const Room = {
  async init(store: GenServer.Server) {
    // Replay on every start: a restarted room comes back with exactly what the log says.
    const events = await EventStore.read<RoomEvent>(store)
    return ['ok', { store, room: replay(events) }]
  },
  async handleCall(request, _from, state) {
    if (request[0] === 'state') return ['reply', state.room, state]
    const decision = decide(state.room, request[1], this.node.clock.now())
    if (decision[0] === 'error') return ['reply', decision, state]
    const events = decision[1]
    // Stored first, applied after: if the append fails, the room crashes before its state
    // holds anything the log does not.
    await EventStore.append(state.store, events)
    return ['reply', decision, { ...state, room: events.reduce(evolve, state.room) }]
  },
} satisfies GenServer.Behaviour<State, GenServer.Server, Call, never, Decision | RoomState>
// #endregion server
