/**
 * Shared by this runtime's workloads (one file each; the other libraries' are in `../peers/`).
 * Each runs in a fresh Node process started by `bench/runtime.ts`, measures one thing on the
 * default node (real clock), and prints its result as one JSON line.
 */
import { setLogger } from 'letitcrash'

export * from '../shared.ts'

// Crash reports would measure the console, not the runtime.
setLogger(() => {})
