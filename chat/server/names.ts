/**
 * The registered names of the chat app's long-lived processes: its address book.
 *
 * In Elixir a module name is also a process name (`name: __MODULE__`), so
 * `GenServer.call(ChatApp.UserManager, ...)` reaches the user manager wherever it runs and
 * whatever its pid is today. Names here are those module names, as strings, so the
 * observer shows `ChatApp.RoomSupervisor` where the article wrote `ChatApp.RoomSupervisor`.
 *
 * What it teaches: nobody keeps a pid of a service. A pid dies with its process; a name is
 * taken over by the restarted one, so callers never notice the restart.
 */
export const Names = {
  /** The root supervisor of the application. */
  supervisor: 'ChatApp.Supervisor',
  /** Owns the database connection (see `repo-server.ts`). */
  repo: 'ChatApp.Repo',
  /** Stores messages in batches (see `message-writer.ts`). */
  writer: 'ChatApp.MessageWriter',
  /** Unique-keys Registry: room name → room process (`Room.via(name)`). */
  roomRegistry: 'ChatApp.RoomRegistry',
  /** DynamicSupervisor of the rooms. */
  roomSupervisor: 'ChatApp.RoomSupervisor',
  userManager: 'ChatApp.UserManager',
  rateLimiter: 'ChatApp.RateLimiter',
  pubsub: 'ChatApp.PubSub',
  presence: 'ChatApp.Presence',
  /** Carries broadcasts and presences to the other servers (PostgreSQL only, `pg-bridge.ts`). */
  bridge: 'ChatApp.Bridge',
  /** The HTTP server and the WebSocket endpoint (see `endpoint.ts`). */
  endpoint: 'ChatApp.Endpoint',
} as const
