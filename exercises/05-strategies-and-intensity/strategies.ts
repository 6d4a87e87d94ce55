/**
 * Three supervisors, three strategies. The strategy follows from how the children depend on
 * each other: what must restart with a child so that, afterwards, every process again holds
 * state that fits the others'.
 *
 * Replace each `throw new Error('TODO: ...')` with your code. The README has the tasks and hints.
 */
import type { Supervisor } from 'letitcrash'
import { cacheSpec, receiverSpec, roomSpec, senderSpec, statsSpec } from './workers.ts'

/** Rooms share nothing: a crash in one must cost the others nothing. */
export const RoomsSupervisor = {
  init(): Supervisor.InitResult {
    const children = [roomSpec('lobby'), roomSpec('games'), roomSpec('random')]
    // TODO (task 1): return Supervisor.init(children, { strategy: ... })
    throw new Error(`TODO: pick the strategy for the rooms (${children.length} children)`)
  },
}

/** Sender and receiver each hold half of one sequence of message numbers. */
export const PairSupervisor = {
  init(): Supervisor.InitResult {
    const children = [senderSpec, receiverSpec]
    // TODO (task 1): return Supervisor.init(children, { strategy: ... })
    throw new Error(
      `TODO: pick the strategy for the sender and receiver (${children.length} children)`,
    )
  },
}

/** Stats subscribe to the cache running when they start, and count its writes. */
export const CacheSupervisor = {
  init(): Supervisor.InitResult {
    const children = [cacheSpec, statsSpec]
    // TODO (task 1): return Supervisor.init(children, { strategy: ... })
    throw new Error(`TODO: pick the strategy for the cache and stats (${children.length} children)`)
  },
}
