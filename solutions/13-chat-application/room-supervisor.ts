/**
 * Exercise 11's RoomSupervisor, ready for the application's tree:
 *
 * - `childSpec(options)` says how a supervisor starts it, and that it is a supervisor (Elixir's
 *   `use DynamicSupervisor` writes it for you): listed as `[RoomSupervisor, options]`, it is
 *   started with `RoomSupervisor.startLink(options)`;
 * - `options.maxRooms` caps how many rooms may run at once.
 *
 * A DynamicSupervisor that starts a room when someone creates it and restarts it when it
 * crashes. Rooms come and go while the chat runs, so they are added one at a time.
 */
import { DynamicSupervisor, GenServer, type Supervisor } from 'letitcrash'
import * as Room from './room.ts'

export const ROOM_SUPERVISOR = 'ChatApp.RoomSupervisor'

export interface Options {
  /** How many rooms may run at once; beyond, `createRoom` answers `['error', 'max_children']`. */
  readonly maxRooms?: number | 'infinity'
}

/** Elixir's `use DynamicSupervisor` module. */
export const RoomSupervisor = {
  /** How a supervisor starts the RoomSupervisor: Elixir's `child_spec/1`. */
  childSpec(options: Options = {}): Supervisor.ChildSpec {
    return {
      id: ROOM_SUPERVISOR,
      start: () => RoomSupervisor.startLink(options),
      // A supervisor child: its parent waits for it to stop its rooms, however long that takes.
      type: 'supervisor',
    }
  },

  /** Starts the supervisor, with no rooms yet, registered as `ROOM_SUPERVISOR`. */
  startLink(options: Options = {}): Promise<GenServer.OnStart> {
    return DynamicSupervisor.startLink(RoomSupervisor, options, { name: ROOM_SUPERVISOR })
  },

  init({ maxRooms = 'infinity' }: Options): DynamicSupervisor.InitResult {
    // Each room on its own; a full supervisor refuses new rooms instead of running out of memory.
    return DynamicSupervisor.init({ strategy: 'one_for_one', maxChildren: maxRooms })
  },

  /**
   * Starts the room `name` under the supervisor.
   * @returns `['ok', pid]`, `['error', ['already_started', pid]]` if the room runs already, or
   * `['error', 'max_children']` if `maxRooms` rooms run
   */
  createRoom(name: string): Promise<GenServer.OnStart> {
    return DynamicSupervisor.startChild(ROOM_SUPERVISOR, {
      id: 'ChatApp.Room',
      start: () => Room.startLink(name),
      // Restarted after a crash; a room that stops on purpose ('normal') stays stopped.
      restart: 'transient',
    })
  },

  /**
   * The room `name`: the running one, or a new one.
   * @returns `['ok', pid]` whether the room was started now or ran already
   */
  async ensureRoom(name: string): Promise<GenServer.OnStart> {
    // A running room is found in the Registry, without a call to the supervisor.
    const running = GenServer.whereis(Room.via(name))
    if (running !== undefined) return ['ok', running]
    // Another caller may start the same room between our look-up and our start: the Registry
    // lets only one of the two rooms have the name, and tells the other caller whose it is.
    const started = await RoomSupervisor.createRoom(name)
    const [tag, reason] = started
    if (tag === 'error' && Array.isArray(reason) && reason[0] === 'already_started')
      return ['ok', reason[1]]
    return started
  },
}
