/// <reference types="vite/client" />
/** The modules plugin.ts generates at build time; `?worker` and `import.meta.env` from Vite. */
declare module 'virtual:letitcrash/exercises' {
  import type { ExerciseData } from './types.ts'

  /** Every exercise id → a loader for its data, a chunk of its own. */
  export const exercises: Readonly<Record<string, () => Promise<{ default: ExerciseData }>>>
}
