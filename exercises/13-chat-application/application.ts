/**
 * ChatApp.Application: the chat as one supervision tree, started and stopped as one.
 *
 *   chat_app                        the Application: its name, its env, its start
 *   └── ChatApp.Supervisor          which strategy? (task 2)
 *       ├── ChatApp.RoomRegistry    the rooms' names
 *       ├── ChatApp.RoomSupervisor  the rooms, one transient child each
 *       └── ChatApp.UserManager     the users, and who is online
 *
 * The Room, the RoomSupervisor and the UserManager are those of exercises 11 and 12, given.
 *
 * Replace each `throw new Error('TODO: ...')` with your code. The README has the tasks and hints.
 */
import type { Application } from 'letitcrash'

export const APP = 'chat_app'
export const ROOT = 'ChatApp.Supervisor'

/** Elixir's `use Application` module, with its default config. */
export const ChatApp = {
  name: APP,
  // TODO (task 3): the default configuration: at most 100 rooms (maxRooms).
  env: {},
  start: (env) => {
    // TODO (task 1): start the root supervisor, named ROOT, with three children in this order:
    // the Registry of the rooms (unique keys, named ROOM_REGISTRY from ./room.ts), the
    // RoomSupervisor (./room-supervisor.ts) and the UserManager (./user-manager.ts).
    // TODO (task 2): choose the strategy, and say why in a comment.
    // TODO (task 3): hand env.maxRooms to the RoomSupervisor.
    throw new Error(`TODO: start the chat's supervision tree (env: ${JSON.stringify(env)})`)
  },
} satisfies Application.Behaviour
