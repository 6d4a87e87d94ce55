/**
 * The exercises on disk: `exercises/NN-slug/` folders, their `meta.json`, and the matching
 * `solutions/NN-slug/`. Shared by `npm run exercise(s)`, the check and the StackBlitz builder.
 */
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository's root folder. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))

/** `exercises/NN-slug/meta.json`: what the exercise teaches, for the docs and the lists. */
export interface ExerciseMeta {
  /** The folder name without its number: `ping-pong` for `01-ping-pong`. */
  readonly slug: string
  readonly title: string
  /** The course chapter (CURRICULUM.md) the exercise belongs to. */
  readonly chapter: number
  readonly concepts: readonly string[]
  readonly prerequisites: readonly string[]
  readonly outOfScope: readonly string[]
}

export interface Exercise {
  /** `01-ping-pong` */
  readonly folder: string
  /** `01` */
  readonly number: string
  /** `ping-pong` */
  readonly slug: string
  /** Absolute paths of `exercises/01-ping-pong` and `solutions/01-ping-pong`. */
  readonly dir: string
  readonly solutionDir: string
}

/** A folder name an exercise may have: two digits, a dash, a kebab-case slug. */
export const EXERCISE_FOLDER = /^(\d\d)-([a-z0-9]+(?:-[a-z0-9]+)*)$/

/** Every `exercises/NN-slug/` folder, in order. Other entries (README.md) are not exercises. */
export function listExercises(root = repoRoot): Exercise[] {
  const exercisesDir = join(root, 'exercises')
  if (!existsSync(exercisesDir)) return []
  return readdirSync(exercisesDir)
    .filter((name) => /^\d\d-/.test(name) && statSync(join(exercisesDir, name)).isDirectory())
    .sort()
    .map((folder) => ({
      folder,
      number: folder.slice(0, 2),
      slug: folder.slice(3),
      dir: join(exercisesDir, folder),
      solutionDir: join(root, 'solutions', folder),
    }))
}

/** The exercise `query` names: `3`, `03`, `03-counter` or `counter`. */
export function findExercise(query: string, root = repoRoot): Exercise | undefined {
  const number = /^\d{1,2}$/.test(query) ? query.padStart(2, '0') : undefined
  return listExercises(root).find(
    (exercise) =>
      exercise.number === number || exercise.folder === query || exercise.slug === query,
  )
}

/** The parsed `meta.json`, unchecked (`npm run check:exercises` checks its shape). */
export function readMeta(exercise: Exercise): ExerciseMeta | undefined {
  try {
    return JSON.parse(readFileSync(join(exercise.dir, 'meta.json'), 'utf8')) as ExerciseMeta
  } catch {
    return undefined
  }
}

/** A hash of the exercise's `.ts` files: progress recorded for other contents is stale. */
export function fingerprint(exercise: Exercise): string {
  const hash = createHash('sha256')
  for (const name of readdirSync(exercise.dir)
    .filter((n) => n.endsWith('.ts'))
    .sort()) {
    hash
      .update(name)
      .update('\0')
      .update(readFileSync(join(exercise.dir, name)))
      .update('\0')
  }
  return hash.digest('hex').slice(0, 16)
}
