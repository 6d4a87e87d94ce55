/**
 * The Vite plugin (in .vitepress/config.ts) that turns the exercises into modules the page loads
 * on demand: `virtual:letitcrash/exercises` maps each id to a dynamic import of
 * `virtual:letitcrash/exercise/<id>`, a chunk of its own with that exercise's data
 * (exercises.ts). Nothing of it is in a page's own JavaScript.
 */
import { fileURLToPath } from 'node:url'
import { exerciseIds, readExercise } from './exercises.ts'

const INDEX = 'virtual:letitcrash/exercises'
const ONE = 'virtual:letitcrash/exercise/'
// Vite's convention: a resolved virtual id starts with \0, so other plugins leave it alone.
const RESOLVED = '\0'
const WORKER_PACKAGES = [
  'sucrase',
  'xstate',
  '@vitest/expect',
  '@vitest/spy',
  '@vitest/utils/display',
  '@vitest/utils/error',
]

/** The repository root: this file is .vitepress/theme/panel/runner/plugin.ts. */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url)).replace(/\/$/, '')

export function exercisesPlugin(root: string = ROOT) {
  return {
    name: 'letitcrash:exercises',
    // The dev server would find the worker's packages on the first run, and reload the page
    // to bundle them: name them up front.
    config: () => ({ optimizeDeps: { include: WORKER_PACKAGES } }),
    resolveId(id: string) {
      return id === INDEX || id.startsWith(ONE) ? RESOLVED + id : undefined
    },
    async load(this: { addWatchFile(path: string): void }, id: string) {
      if (id === RESOLVED + INDEX) {
        const entries = exerciseIds(root).map(
          (exercise) =>
            `  ${JSON.stringify(exercise)}: () => import(${JSON.stringify(ONE + exercise)}),`,
        )
        return `export const exercises = {\n${entries.join('\n')}\n}\n`
      }
      if (!id.startsWith(RESOLVED + ONE)) return undefined
      const exercise = id.slice(RESOLVED.length + ONE.length)
      // The dev server reloads the chunk when a file of the exercise changes.
      const data = await readExercise(root, exercise, (path) => this.addWatchFile(path))
      return `export default ${JSON.stringify(data)}\n`
    },
  }
}
