/**
 * ChatApp.Application: the chat as one supervision tree, started and stopped as one.
 *
 *   chat_app                        the Application: its name, its env, its start
 *   └── ChatApp.Supervisor          rest_for_one
 *       ├── ChatApp.RoomRegistry    the rooms' names
 *       ├── ChatApp.RoomSupervisor  the rooms, one transient child each
 *       └── ChatApp.UserManager     the users, and who is online
 *
 * Start order is dependency order: a room registers its name in the Registry as it starts, so
 * the Registry comes before the RoomSupervisor. The UserManager needs neither.
 */
import { type Application, Registry, Supervisor } from 'letitcrash'
import { ROOM_REGISTRY } from './room.ts'
import { RoomSupervisor } from './room-supervisor.ts'
import * as UserManager from './user-manager.ts'

export const APP = 'chat_app'
export const ROOT = 'ChatApp.Supervisor'

// #region application
/** Elixir's `use Application` module, with its default config. */
export const ChatApp = {
  name: APP,
  env: { maxRooms: 100 },
  start: (env) =>
    Supervisor.startLink(
      [
        [Registry, { keys: 'unique', name: ROOM_REGISTRY }],
        [RoomSupervisor, { maxRooms: env.maxRooms }],
        UserManager,
      ],
      // rest_for_one: when the Registry restarts, every room's name is gone and the rooms died
      // with it (the Registry links to them), so the RoomSupervisor restarts after it, afresh.
      // A crash further down restarts only what comes after: the UserManager is last, so its
      // crash restarts it alone, and no room notices.
      { strategy: 'rest_for_one', name: ROOT },
    ),
} satisfies Application.Behaviour
// #endregion application
