/**
 * RoomSupervisor: the DynamicSupervisor of the chat rooms (the article's
 * `ChatApp.RoomSupervisor`, section 4.1).
 *
 * It starts with no children. A room is started on demand, the first time someone joins it,
 * as a `transient` child: restarted when it crashes, left alone when it stops normally. Each
 * room is restarted on its own (`one_for_one`): a crashing room never disturbs another.
 *
 * Rooms are named through the RoomRegistry, so starting a room that already runs fails with
 * `['error', ['already_started', pid]]`. {@link ensureRoom} turns that into "here it is": many
 * clients may join a new room at the same moment, and exactly one room process results.
 *
 * @example
 * children: [RoomSupervisor.childSpec()]
 * await RoomSupervisor.createRoom('lobby') // ['ok', pid]
 * await RoomSupervisor.createRoom('lobby') // ['error', ['already_started', pid]]
 * await RoomSupervisor.ensureRoom('lobby') // pid (the same)
 *
 * What it teaches: a DynamicSupervisor for things that come and go at run time (rooms,
 * connections, jobs), and restart intensity as a budget shared by all of them.
 */
import { DynamicSupervisor, type GenServer, isPid, type Pid, type Supervisor } from 'letitcrash'
import { Names } from './names.ts'
import * as Room from './room.ts'

export interface RoomSupervisorOptions {
  /**
   * Restarts allowed within `maxSeconds`, for all rooms together, before the supervisor gives
   * up (and its own supervisor restarts it, with no rooms). Default 20: OTP's default of 3
   * suits a few children, but with many rooms three crashes in five seconds, anywhere, would
   * turn a few flaky rooms into a restart of every room.
   */
  readonly maxRestarts?: number
  /** Default 5. */
  readonly maxSeconds?: number
}

/**
 * Starts the room supervisor under its name, linked to the caller (the application's
 * supervisor). `ChatApp.RoomSupervisor.start_link/1`
 */
// #region start-link
export function startLink(options: RoomSupervisorOptions = {}): Promise<GenServer.OnStart> {
  const { maxRestarts = 20, maxSeconds = 5 } = options
  return DynamicSupervisor.startLink({
    name: Names.roomSupervisor,
    strategy: 'one_for_one',
    maxRestarts,
    maxSeconds,
  })
}
// #endregion start-link

/** The child spec for the application's supervisor: a supervisor child. */
export function childSpec(options: RoomSupervisorOptions = {}): Supervisor.ChildSpec {
  return { id: 'RoomSupervisor', start: () => startLink(options), type: 'supervisor' }
}

/**
 * Starts the room `name` as a transient child. `ChatApp.RoomSupervisor.create_room/1`
 * @returns `['ok', pid]`, or `['error', ['already_started', pid]]` if it runs already
 */
// #region create-room
export function createRoom(name: string): Promise<GenServer.OnStart> {
  return DynamicSupervisor.startChild(Names.roomSupervisor, {
    id: 'Room',
    start: () => Room.startLink(name),
    restart: 'transient',
  })
}

/**
 * The pid of the room `name`, started if it is not running yet.
 * (no Elixir counterpart in the article: the usual `case create_room(name)` around it)
 * @example const pid = await RoomSupervisor.ensureRoom('lobby')
 */
export async function ensureRoom(name: string): Promise<Pid> {
  // Most of the time it runs: find it without a round trip through the supervisor.
  const running = Room.whereis(name)
  if (running !== undefined) return running
  const started = await createRoom(name)
  if (started[0] === 'ok') return started[1]
  if (started[0] === 'error' && isAlreadyStarted(started[1])) return started[1][1]
  const reason = started[0] === 'ignore' ? 'ignore' : String(started[1])
  throw new Error(`Room ${name} could not be started: ${reason}`)
}
// #endregion create-room

/** The rooms running now, by pid. `DynamicSupervisor.which_children/1` */
export async function rooms(): Promise<Pid[]> {
  const children = await DynamicSupervisor.whichChildren(Names.roomSupervisor)
  return children.flatMap((child) => (isPid(child.pid) ? [child.pid] : []))
}

function isAlreadyStarted(reason: unknown): reason is readonly ['already_started', Pid] {
  return Array.isArray(reason) && reason[0] === 'already_started'
}
