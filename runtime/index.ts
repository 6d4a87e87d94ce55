/**
 * Let It Crash: an OTP-style actor runtime. This file is the runtime's whole public face.
 *
 * @example
 * import { GenServer, Supervisor } from 'letitcrash'
 */

export * as Agent from './agent.ts'
export * as Application from './application.ts'
export { type Clock, RealClock, type Timer, VirtualClock } from './clock.ts'
export { Cluster, type ClusterOptions, createCluster } from './cluster.ts'
export { copyMessage } from './copy.ts'
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
export { Global, type GlobalName } from './global.ts'
export { type CrashReport, type Logger, setLogger } from './logger.ts'
export type { Dest, Name, RegisteredName, ViaModule, ViaName } from './names.ts'
export type { NodeMessage } from './network.ts'
export {
  createNode,
  getDefaultNode,
  Node,
  type NodeOptions,
  type ProcessInfo,
  setDefaultNode,
} from './node.ts'
export * as Observer from './observer.ts'
export { isPid, makeRef, Pid, Ref } from './pid.ts'
export * as Process from './process-api.ts'
export { exit, send, spawn } from './process-api.ts'
export type {
  DownMessage,
  ExitMessage,
  ProcessBody,
  ProcessContext,
  ProcessStatus,
  ReceiveOptions,
} from './process-context.ts'
export { TIMEOUT } from './process-context.ts'
export * as Registry from './registry.ts'
export * as StateMachine from './state-machine.ts'
export * as Supervisor from './supervisor.ts'
export * as Task from './task.ts'
export * as Telemetry from './telemetry.ts'
export type { Timeout } from './validate.ts'
