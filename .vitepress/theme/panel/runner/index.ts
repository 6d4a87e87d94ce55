/// <reference path="./virtual.d.ts" />
/**
 * The exercise panel's test runner: what the panel calls (see ../contract.ts). This module is
 * small on purpose; the exercise's files (one chunk per exercise, made at build time by
 * plugin.ts) and the test worker (the runtime, sucrase, vitest's matchers) load on first use.
 */
import type { ExerciseBundle, Locale, RunOptions, RunReport } from '../contract.ts'
import type { ExerciseData } from './types.ts'

const DEFAULT_TIMEOUT_MS = 10_000
const LOCALES: readonly Locale[] = ['en', 'ko']
const loaded = new Map<string, Promise<ExerciseData>>()

/** The exercise `id` (`'03-counter'`): its files, and its title and hints in `locale`. */
export async function loadExercise(id: string, locale: Locale): Promise<ExerciseBundle> {
  checkLocale(locale)
  const data = await exerciseData(id)
  // The learner reads first, then runs: load the test worker meanwhile.
  if (data.runsInBrowser) void loadClient().then((client) => client.warmUp())
  return {
    id: data.id,
    title: (locale === 'ko' && data.title.ko) || data.title.en,
    hints: (locale === 'ko' && data.hints.ko) || data.hints.en,
    starter: data.starter,
    solution: data.solution,
    tests: data.tests,
    given: data.given,
    runsInBrowser: data.runsInBrowser,
    ...(data.reason !== undefined && { reason: data.reason }),
  }
}

/**
 * Runs the exercise's own tests against `files` (the learner's version of the files they edit;
 * a file left out counts as its starter) in a fresh worker, stopped after `timeoutMs`.
 */
export async function runTests(
  id: string,
  files: Readonly<Record<string, string>>,
  options: RunOptions,
): Promise<RunReport> {
  checkLocale(options.locale)
  const data = await exerciseData(id)
  for (const [path, content] of Object.entries(files)) {
    if (!(path in data.starter)) {
      const editable = Object.keys(data.starter).join(', ')
      throw new Error(`runTests('${id}'): ${path} is not a file the learner edits (${editable})`)
    }
    if (typeof content !== 'string') throw new Error(`runTests('${id}'): ${path} is not a string`)
  }
  if (!data.runsInBrowser) {
    return { ok: false, tasks: [], error: data.reason, durationMs: 0 }
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  if (!(timeoutMs > 0))
    throw new Error(`runTests: timeoutMs must be a positive number, not ${timeoutMs}`)
  const { run } = await loadClient()
  const all = { ...data.given, ...data.tests, ...data.starter, ...files }
  return run(all, Object.keys(data.tests), options.locale, timeoutMs)
}

function exerciseData(id: string): Promise<ExerciseData> {
  let data = loaded.get(id)
  if (data === undefined) {
    data = loadExercises().then(async ({ exercises }) => {
      const load = exercises[id]
      if (!load) {
        const known = Object.keys(exercises).join(', ')
        throw new Error(`There is no exercise '${id}'; the exercises are ${known}`)
      }
      return (await load()).default
    })
    loaded.set(id, data)
    // A failed load (offline, say) is tried again next time.
    data.catch(() => loaded.delete(id))
  }
  return data
}

// The pages' server-side render never runs tests: with these checks (`import.meta.env.SSR` is
// a constant) the worker and the exercises stay out of the server bundle.
const loadClient = () =>
  import.meta.env.SSR
    ? Promise.reject(new Error('The runner runs in a browser'))
    : import('./client.ts')
const loadExercises = () =>
  import.meta.env.SSR
    ? Promise.reject(new Error('The runner runs in a browser'))
    : import('virtual:letitcrash/exercises')

function checkLocale(locale: Locale): void {
  if (!LOCALES.includes(locale)) {
    throw new Error(`Unknown locale '${locale}': expected one of ${LOCALES.join(', ')}`)
  }
}
