import { beforeEach, describe, expect, it } from 'vitest'
import {
  exportProgress,
  importProgress,
  type KeyValueStore,
  readProgress,
  readRecord,
  resetAll,
  resetExercise,
  STORAGE_KEY,
  updateRecord,
} from './storage.ts'

/** localStorage's behaviour, on a Map. */
function memoryStore(): KeyValueStore & { entries: Map<string, string> } {
  const entries = new Map<string, string>()
  return {
    entries,
    getItem: (key) => entries.get(key) ?? null,
    setItem: (key, value) => void entries.set(key, String(value)),
    removeItem: (key) => void entries.delete(key),
  }
}

let store: ReturnType<typeof memoryStore>
beforeEach(() => {
  store = memoryStore()
})

describe('the saved progress', () => {
  it('keeps code, runs and hints per exercise', () => {
    updateRecord('03-counter', { files: { 'counter.ts': 'mine' } }, store)
    updateRecord('03-counter', { ran: true, hints: { 1: 2 } }, store)
    updateRecord('01-ping-pong', { solved: true }, store)
    expect(readRecord('03-counter', store)).toEqual({
      files: { 'counter.ts': 'mine' },
      ran: true,
      hints: { 1: 2 },
    })
    expect(readRecord('01-ping-pong', store)).toEqual({ solved: true })
    expect(readRecord('02-links-and-monitors', store)).toEqual({})
  })

  it('resets one exercise, or all of them', () => {
    updateRecord('03-counter', { solved: true }, store)
    updateRecord('01-ping-pong', { solved: true }, store)
    resetExercise('03-counter', store)
    expect(Object.keys(readProgress(store).exercises)).toEqual(['01-ping-pong'])
    resetAll(store)
    expect(readProgress(store).exercises).toEqual({})
    expect(store.entries.has(STORAGE_KEY)).toBe(false)
  })

  it('reads an unreadable entry as no progress', () => {
    store.setItem(STORAGE_KEY, '{not json')
    expect(readProgress(store)).toEqual({ version: 1, exercises: {} })
  })
})

describe('export and import', () => {
  it('round-trips: what one browser exports, another imports', () => {
    updateRecord('03-counter', { files: { 'counter.ts': 'mine' }, ran: true, solved: true }, store)
    const file = exportProgress(store)
    const other = memoryStore()
    updateRecord('05-strategies-and-intensity', { ran: true }, other)
    expect(importProgress(file, other)).toBe(1)
    expect(readRecord('03-counter', other)).toEqual(readRecord('03-counter', store))
    expect(readRecord('05-strategies-and-intensity', other), 'kept').toEqual({ ran: true })
  })

  it('refuses a file that is not an export, saying what is wrong, and saves nothing', () => {
    updateRecord('03-counter', { solved: true }, store)
    const before = exportProgress(store)
    expect(() => importProgress('{', store)).toThrow(/invalid JSON/)
    expect(() => importProgress('{"exercises":{}}', store)).toThrow(/"version": 1/)
    expect(() => importProgress('{"version":1,"exercises":{"counter":{}}}', store)).toThrow(
      /ids like "03-counter", got "counter"/,
    )
    expect(() =>
      importProgress('{"version":1,"exercises":{"03-counter":{"solved":"yes"}}}', store),
    ).toThrow(/exercises\["03-counter"\]\.solved to be true or false/)
    expect(() =>
      importProgress('{"version":1,"exercises":{"03-counter":{"files":{"a.ts":1}}}}', store),
    ).toThrow(/files to map file paths to their text/)
    expect(() =>
      importProgress('{"version":1,"exercises":{"03-counter":{"hints":{"1":-1}}}}', store),
    ).toThrow(/hints to map task numbers to counts/)
    expect(exportProgress(store)).toBe(before)
  })
})
