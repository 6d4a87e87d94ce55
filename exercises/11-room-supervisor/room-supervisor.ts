/**
 * The RoomSupervisor: a DynamicSupervisor that starts a room when someone creates it and
 * restarts it when it crashes. A Supervisor knows its children when it starts; rooms come and
 * go while the chat runs, so they are added one at a time, with `createRoom`.
 *
 * Replace each `throw new Error('TODO: ...')` with your code. The README has the tasks and hints.
 */
import type { DynamicSupervisor, GenServer } from 'letitcrash'

export const ROOM_SUPERVISOR = 'ChatApp.RoomSupervisor'

/** Elixir's `use DynamicSupervisor` module. */
export const RoomSupervisor = {
  /** Starts the supervisor, with no rooms yet, registered as `ROOM_SUPERVISOR`. */
  startLink(): Promise<GenServer.OnStart> {
    // TODO (task 3): start this module (RoomSupervisor) as a DynamicSupervisor named ROOM_SUPERVISOR.
    throw new Error('TODO: RoomSupervisor.startLink()')
  },

  init(): DynamicSupervisor.InitResult {
    // TODO (task 3): return DynamicSupervisor.init(flags): every room is restarted on its own.
    throw new Error('TODO: RoomSupervisor.init()')
  },

  /**
   * Starts the room `name` under the supervisor.
   * @returns `['ok', pid]`, or `['error', ['already_started', pid]]` if the room runs already
   */
  createRoom(name: string): Promise<GenServer.OnStart> {
    // TODO (task 3): start a child of ROOM_SUPERVISOR whose `start` starts the room (startLink
    // from ./room.ts), restarted after a crash but not after a normal stop.
    throw new Error(`TODO: RoomSupervisor.createRoom(${JSON.stringify(name)})`)
  },

  /**
   * The room `name`: the running one, or a new one.
   * @returns `['ok', pid]` whether the room was started now or ran already
   */
  async ensureRoom(name: string): Promise<GenServer.OnStart> {
    // TODO (task 4): createRoom, and turn ['error', ['already_started', pid]] into ['ok', pid].
    throw new Error(`TODO: RoomSupervisor.ensureRoom(${JSON.stringify(name)})`)
  },
}
