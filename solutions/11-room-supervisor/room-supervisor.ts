/**
 * The RoomSupervisor: a DynamicSupervisor that starts a room when someone creates it and
 * restarts it when it crashes. A Supervisor knows its children when it starts; rooms come and
 * go while the chat runs, so they are added one at a time, with `createRoom`.
 */
import { DynamicSupervisor, GenServer } from 'letitcrash'
import * as Room from './room.ts'

export const ROOM_SUPERVISOR = 'ChatApp.RoomSupervisor'

/** Elixir's `use DynamicSupervisor` module. */
export const RoomSupervisor = {
  /** Starts the supervisor, with no rooms yet, registered as `ROOM_SUPERVISOR`. */
  startLink(): Promise<GenServer.OnStart> {
    return DynamicSupervisor.startLink(RoomSupervisor, undefined, { name: ROOM_SUPERVISOR })
  },

  init(): DynamicSupervisor.InitResult {
    // Each room on its own: a crashed room is restarted, its neighbours never notice.
    return DynamicSupervisor.init({ strategy: 'one_for_one' })
  },

  /**
   * Starts the room `name` under the supervisor.
   * @returns `['ok', pid]`, or `['error', ['already_started', pid]]` if the room runs already
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
