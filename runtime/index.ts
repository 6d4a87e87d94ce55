/**
 * Let It Crash: an OTP-style actor runtime. This file is the runtime's whole public face.
 *
 * @example
 * import { GenServer, Supervisor } from 'letitcrash'
 */

export * as Agent from './agent.ts'
export * as Application from './application.ts'
export { type Clock, RealClock, type Timer, VirtualClock } from './clock.ts'
export * as DynamicSupervisor from './dynamic-supervisor.ts'
export {
  BadReturnError,
  CallTimeoutError,
  ExitError,
  type FailedCall,
  NoProcError,
  ProcessExitedError,
} from './errors.ts'
export { type ExitReason, isNormalExit, isShutdown } from './exit-reason.ts'
export * as GenServer from './gen-server.ts'
export { type CrashReport, type Logger, setLogger } from './logger.ts'
export type { Dest, Name, RegisteredName, ViaModule, ViaName } from './names.ts'
export {
  createNode,
  getDefaultNode,
  Node,
  type NodeOptions,
  type ProcessInfo,
  setDefaultNode,
} from './node.ts'
export { isPid, makeRef, Pid, Ref } from './pid.ts'
export type {
  DownMessage,
  ExitMessage,
  ProcessBody,
  ProcessContext,
  ProcessStatus,
  ReceiveOptions,
} from './process.ts'
export { TIMEOUT } from './process.ts'
export * as Process from './process-api.ts'
export { exit, send, spawn } from './process-api.ts'
export * as Registry from './registry.ts'
export * as Supervisor from './supervisor.ts'
export * as Task from './task.ts'
export type { Timeout } from './validate.ts'
