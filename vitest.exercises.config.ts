/**
 * Vitest for the exercises: `exercises/**\/*.test.ts` only (the main `vitest.config.ts` leaves
 * them out, since starters fail on purpose).
 *
 *   npx vitest --config vitest.exercises.config.ts exercises/01-      one exercise, watch mode
 *   LETITCRASH_SOLUTION=1 npx vitest run --config vitest.exercises.config.ts
 *                                                                     every test against its solution
 *
 * With `LETITCRASH_SOLUTION=1`, a test's import of a sibling file (`./ping-pong.ts` from
 * `exercises/01-ping-pong/`) loads `solutions/01-ping-pong/ping-pong.ts` instead, when that file
 * exists; `npm run check:exercises` runs both ways.
 */
import { existsSync } from 'node:fs'
import { basename, dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Plugin } from 'vite'
import { defineConfig } from 'vitest/config'

const root = fileURLToPath(new URL('.', import.meta.url))

export default defineConfig({
  root,
  plugins: process.env.LETITCRASH_SOLUTION === '1' ? [solutionResolver()] : [],
  resolve: {
    // `import ... from 'letitcrash'` means this repository's runtime, as in vitest.config.ts.
    alias: { letitcrash: join(root, 'runtime/index.ts') },
  },
  test: {
    include: ['exercises/**/*.test.ts'],
    // Crash reports stay quiet unless a test fails; see the file.
    setupFiles: ['scripts/exercises/setup.ts'],
    // Exercise tests run on a virtual clock and finish in milliseconds; a test that waits this
    // long is stuck, and the learner should hear so quickly.
    testTimeout: 2000,
  },
})

/**
 * Resolves a sibling import `./y.ts` of a file in `exercises/NN-slug/` to
 * `solutions/NN-slug/y.ts` when the solution has that file, and a solution's sibling import to
 * `exercises/NN-slug/y.ts` when only the exercise has it (a file the exercise gives, unchanged).
 */
function solutionResolver(): Plugin {
  return {
    name: 'letitcrash:solutions',
    enforce: 'pre',
    resolveId(source, importer) {
      if (importer === undefined || !source.startsWith('./')) return null
      const folder = dirname(importer.split('?')[0])
      const [side, exercise] = relative(root, folder).split(sep)
      if ((side !== 'exercises' && side !== 'solutions') || !/^\d\d-[\w-]+$/.test(exercise ?? '')) {
        return null
      }
      const target = resolve(folder, source)
      if (dirname(target) !== folder) return null
      const solution = join(root, 'solutions', exercise, basename(target))
      if (side === 'exercises') return existsSync(solution) ? solution : null
      return existsSync(solution) ? null : join(root, 'exercises', exercise, basename(target))
    },
  }
}
