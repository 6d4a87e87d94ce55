/** Test helpers: one virtual-clock node per test, unwrapping start results, watching exits. */
import { afterEach, beforeEach } from 'vitest'
import {
  createNode,
  type ExitReason,
  type GenServer,
  type Node,
  type Pid,
  setDefaultNode,
  type VirtualClock,
} from '../index.ts'
import { nodeOf } from '../node.ts'

export interface TestNode {
  node: Node
  clock: VirtualClock
}

/** Gives each test a fresh default node on a virtual clock, shut down after the test. */
export function useVirtualNode(): TestNode {
  const current = {} as TestNode
  beforeEach(() => {
    current.node = createNode({ clock: 'virtual' })
    current.clock = current.node.clock as VirtualClock
    setDefaultNode(current.node)
  })
  afterEach(() => current.node.shutdown())
  return current
}

/** The pid of an `['ok', pid]` start result; throws with the result otherwise. */
export function ok(result: GenServer.OnStart): Pid {
  if (result[0] !== 'ok')
    throw new Error(`expected ['ok', pid], got ${JSON.stringify(result.map(String))}`)
  return result[1]
}

/**
 * Watches how `pid` exits, from outside any process (the test itself is not a process, so it
 * cannot `monitor`; this uses the runtime's internal watch). `exited` turns true with `reason`.
 */
export function exitOf(pid: Pid): { exited: boolean; reason: ExitReason | undefined } {
  const node = nodeOf(pid)!
  const result = { exited: false, reason: undefined as ExitReason | undefined }
  node.watch(node.processes.get(pid.id), pid, (down) => {
    result.exited = true
    result.reason = down.reason
  })
  return result
}
