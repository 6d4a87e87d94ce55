/**
 * Three supervisors, three strategies. The strategy follows from how the children depend on
 * each other: what must restart with a child so that, afterwards, every process again holds
 * state that fits the others'.
 */
import { Supervisor } from 'letitcrash'
import { cacheSpec, receiverSpec, roomSpec, senderSpec, statsSpec } from './workers.ts'

/** Rooms share nothing: a crash in one must cost the others nothing. */
export const RoomsSupervisor = {
  init(): Supervisor.InitResult {
    const children = [roomSpec('lobby'), roomSpec('games'), roomSpec('random')]
    return Supervisor.init(children, { strategy: 'one_for_one' })
  },
}

/**
 * Sender and receiver each hold half of one sequence: a fresh one of them would disagree with
 * the old other, whichever crashed. So both restart, or neither.
 */
export const PairSupervisor = {
  init(): Supervisor.InitResult {
    return Supervisor.init([senderSpec, receiverSpec], { strategy: 'one_for_all' })
  },
}

/**
 * Stats depend on the cache (they subscribe to the cache running when they start), not the
 * other way round. A new cache needs new stats; new stats do not need a new cache, whose
 * entries are worth keeping. The order of the children says who depends on whom.
 */
export const CacheSupervisor = {
  init(): Supervisor.InitResult {
    return Supervisor.init([cacheSpec, statsSpec], { strategy: 'rest_for_one' })
  },
}
