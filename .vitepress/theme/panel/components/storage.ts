/**
 * The learner's code and progress, kept in the browser (localStorage) under one key, so that
 * export, import and "reset all" deal with one JSON document:
 *
 *   { "version": 1, "exercises": { "03-counter": { "files": {…}, "ran": true, "solved": true } } }
 *
 * An exercise is solved once a run had every test green; it stays solved until it is reset.
 */

/** What is kept about one exercise. Missing fields mean "not yet". */
export interface ExerciseRecord {
  /** The learner's version of each editable file (path → content). */
  readonly files?: Readonly<Record<string, string>>
  /** The tests ran at least once: the solution may be shown. */
  readonly ran?: boolean
  readonly solved?: boolean
  /** How many hint steps have been revealed, per task number. */
  readonly hints?: Readonly<Record<string, number>>
}

export interface SavedProgress {
  readonly version: 1
  readonly exercises: Readonly<Record<string, ExerciseRecord>>
}

/** The part of `localStorage` used here, so tests can pass a stand-in. */
export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>

export const STORAGE_KEY = 'letitcrash.exercises.v1'
/** Fired on `window` after any change, so every panel and progress list on the page updates. */
export const CHANGE_EVENT = 'letitcrash:progress'

const EXERCISE_ID = /^\d\d-[a-z0-9]+(?:-[a-z0-9]+)*$/

const empty = (): SavedProgress => ({ version: 1, exercises: {} })

function defaultStore(): KeyValueStore | undefined {
  try {
    return globalThis.localStorage ?? undefined
  } catch {
    // Storage can be switched off (private mode, blocked cookies): the panel still works.
    return undefined
  }
}

/** Everything saved; a missing or unreadable entry counts as no progress. */
export function readProgress(store = defaultStore()): SavedProgress {
  const text = store?.getItem(STORAGE_KEY)
  if (!text) return empty()
  try {
    return parseProgress(text)
  } catch {
    return empty()
  }
}

function writeProgress(progress: SavedProgress, store = defaultStore()): void {
  if (Object.keys(progress.exercises).length === 0) store?.removeItem(STORAGE_KEY)
  else store?.setItem(STORAGE_KEY, JSON.stringify(progress))
  if (typeof window !== 'undefined') window.dispatchEvent(new Event(CHANGE_EVENT))
}

export function readRecord(id: string, store = defaultStore()): ExerciseRecord {
  return readProgress(store).exercises[id] ?? {}
}

/** Merges `change` into the exercise's record. */
export function updateRecord(
  id: string,
  change: Partial<ExerciseRecord>,
  store = defaultStore(),
): ExerciseRecord {
  const progress = readProgress(store)
  const record = { ...progress.exercises[id], ...change }
  writeProgress({ version: 1, exercises: { ...progress.exercises, [id]: record } }, store)
  return record
}

export function resetExercise(id: string, store = defaultStore()): void {
  const { [id]: _dropped, ...rest } = readProgress(store).exercises
  writeProgress({ version: 1, exercises: rest }, store)
}

export function resetAll(store = defaultStore()): void {
  writeProgress(empty(), store)
}

/** The whole progress as a JSON document to save in a file. */
export function exportProgress(store = defaultStore()): string {
  return `${JSON.stringify(readProgress(store), null, 2)}\n`
}

/**
 * Merges an exported document into what is saved (an imported exercise replaces the saved one)
 * and returns how many exercises it held. Throws, saving nothing, when the document is not one.
 */
export function importProgress(text: string, store = defaultStore()): number {
  const imported = parseProgress(text)
  const progress = readProgress(store)
  writeProgress({ version: 1, exercises: { ...progress.exercises, ...imported.exercises } }, store)
  return Object.keys(imported.exercises).length
}

/** Checks the shape of a saved or exported document; the error says what is wrong where. */
export function parseProgress(text: string): SavedProgress {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new Error(
      `expected a JSON file exported by the exercise panel, got invalid JSON (${
        (error as Error).message
      })`,
    )
  }
  if (!isObject(data) || data.version !== 1 || !isObject(data.exercises))
    throw new Error('expected `{ "version": 1, "exercises": { … } }` at the top of the file')
  const exercises: Record<string, ExerciseRecord> = {}
  for (const [id, record] of Object.entries(data.exercises)) {
    if (!EXERCISE_ID.test(id))
      throw new Error(`expected exercise ids like "03-counter", got "${id}"`)
    exercises[id] = parseRecord(id, record)
  }
  return { version: 1, exercises }
}

function parseRecord(id: string, record: unknown): ExerciseRecord {
  const where = `exercises["${id}"]`
  if (!isObject(record)) throw new Error(`expected ${where} to be an object`)
  const { files, ran, solved, hints } = record
  if (files !== undefined) {
    const ok =
      isObject(files) && Object.values(files).every((content) => typeof content === 'string')
    if (!ok) throw new Error(`expected ${where}.files to map file paths to their text`)
  }
  for (const [name, value] of Object.entries({ ran, solved }))
    if (value !== undefined && typeof value !== 'boolean')
      throw new Error(`expected ${where}.${name} to be true or false, got ${JSON.stringify(value)}`)
  if (hints !== undefined) {
    const counts = isObject(hints) ? Object.values(hints) : [undefined]
    if (!counts.every((count) => Number.isInteger(count) && (count as number) >= 0))
      throw new Error(
        `expected ${where}.hints to map task numbers to counts (0, 1, 2…), got ${JSON.stringify(hints)}`,
      )
  }
  return {
    ...(files === undefined ? {} : { files: files as Record<string, string> }),
    ...(ran === undefined ? {} : { ran: ran as boolean }),
    ...(solved === undefined ? {} : { solved: solved as boolean }),
    ...(hints === undefined ? {} : { hints: hints as Record<string, number> }),
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
