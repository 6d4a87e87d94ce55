/**
 * The exercise panel's test runner in a real browser, against the built site: for every
 * exercise whose tests run in a browser, the starter fails and the solution passes every task;
 * a learner's endless loop is stopped, and the next run works. The page is opened with
 * `?runner-test`, which gives it `window.letitcrashRunner()` (runner/test-hook.ts).
 *
 * Runs against `.vitepress/dist` (`npm run test:e2e` builds it first), or the folder in
 * `SITE_DIST` (as site.test.ts).
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ExerciseBundle, RunReport } from '../../.vitepress/theme/panel/contract.ts'
import { listExercises } from '../../scripts/exercises/catalog.ts'
import { type StaticServer, serveStatic } from './static-server.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))
const dist = process.env.SITE_DIST ?? join(root, '.vitepress/dist')
const CHROMIUM = '/usr/bin/chromium'

if (!existsSync(join(dist, 'index.html')))
  throw new Error(`No built site in ${dist}: run \`npm run docs:build\` first.`)
if (!existsSync(CHROMIUM))
  throw new Error(
    `No browser at ${CHROMIUM}: install Debian's chromium (apt-get install chromium).`,
  )

type Runner = typeof import('../../.vitepress/theme/panel/runner/index.ts')
declare global {
  interface Window {
    letitcrashRunner?: () => Promise<Runner>
  }
}

let server: StaticServer
let browser: Browser
let page: Page
const problems: string[] = []
/** The scripts the page loaded, in order. */
const scripts: string[] = []
const durations: number[] = []
/** The runner's chunks: its entry, the worker, the exercise list and each exercise's data. */
const RUNNER_CHUNK =
  /^\/assets\/(worker-[\w-]+|chunks\/(runner|client|exercises|\d\d-[\w-]+)\.[\w-]+)\.js$/

beforeAll(async () => {
  server = await serveStatic(dist)
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  page = await browser.newPage()
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`))
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`))
  page.on('request', (request) => {
    if (request.url().endsWith('.js')) scripts.push(new URL(request.url()).pathname)
  })
  await page.goto(`${server.url}/?runner-test`, { waitUntil: 'networkidle' })
  await page.waitForFunction(() => typeof window.letitcrashRunner === 'function')
})

afterAll(async () => {
  if (durations.length > 0) {
    const sorted = [...durations].sort((a, b) => a - b)
    const median = sorted[Math.floor(sorted.length / 2)]
    console.log(
      `runTests in the browser: ${durations.length} runs, median ${median} ms, slowest ${sorted.at(-1)} ms`,
    )
  }
  await browser?.close()
  await server?.close()
})

function loadExercise(id: string, locale: 'en' | 'ko' = 'en'): Promise<ExerciseBundle> {
  return page.evaluate(
    async ([id, locale]) => (await window.letitcrashRunner!()).loadExercise(id, locale),
    [id, locale] as const,
  )
}

async function runTests(
  id: string,
  files: Readonly<Record<string, string>>,
  timeoutMs?: number,
): Promise<RunReport> {
  const report = await page.evaluate(
    async ({ id, files, timeoutMs }) =>
      (await window.letitcrashRunner!()).runTests(id, files, { locale: 'en', timeoutMs }),
    { id, files, timeoutMs },
  )
  durations.push(report.durationMs)
  return report
}

/** The failing tests of a report, with their messages, for a readable assertion. */
const failures = (report: RunReport) =>
  report.tasks.flatMap((task) =>
    task.tests.filter((t) => t.state !== 'pass').map((t) => `${t.name}: ${t.message}`),
  )

const exercises = listExercises(root).map((exercise) => exercise.folder)

describe('the exercise runner in the browser', () => {
  it('loads nothing of the runner until it is used', () => {
    expect(scripts.filter((path) => RUNNER_CHUNK.test(path))).toEqual([])
    expect(problems).toEqual([])
  })

  it.each(exercises)(
    '%s: the starter fails and the solution passes, or it says why not',
    async (id) => {
      const bundle = await loadExercise(id)
      expect(bundle.id).toBe(id)
      expect(Object.keys(bundle.starter).length).toBeGreaterThan(0)
      expect(Object.keys(bundle.solution)).toEqual(Object.keys(bundle.starter))
      expect(bundle.hints.map((hint) => hint.task)).toEqual(
        bundle.hints.map((_, index) => index + 1),
      )
      if (!bundle.runsInBrowser) {
        // The rule (runner/imports.ts): a Node module among the exercise's imports.
        expect(bundle.reason).toMatch(/^These tests need Node: .*(node:|@)/)
        const report = await runTests(id, bundle.starter)
        expect(report).toMatchObject({ ok: false, tasks: [], error: bundle.reason })
        return
      }
      const starter = await runTests(id, bundle.starter)
      expect(starter.error).toBeUndefined()
      expect(starter.ok).toBe(false)
      expect(failures(starter).length).toBeGreaterThan(0)

      const solution = await runTests(id, bundle.solution)
      expect(solution.error).toBeUndefined()
      expect(failures(solution)).toEqual([])
      expect(solution.ok).toBe(true)
      const tasks = solution.tasks.map((task) => task.task)
      expect(tasks).toEqual(starter.tasks.map((task) => task.task))
      expect(tasks.length).toBeGreaterThan(0)
      expect(tasks.every((task) => task !== null)).toBe(true)
    },
  )

  it('loaded the test worker and the exercises on demand', () => {
    // The runner's entry, its worker, the exercise list and the exercises' chunks.
    expect(scripts.filter((path) => RUNNER_CHUNK.test(path)).length).toBeGreaterThan(
      exercises.length,
    )
    expect(scripts.some((path) => /^\/assets\/worker-[\w-]+\.js$/.test(path))).toBe(true)
    expect(scripts.some((path) => /^\/assets\/chunks\/01-ping-pong\.[\w-]+\.js$/.test(path))).toBe(
      true,
    )
    expect(problems).toEqual([])
  })

  it('stops a learner file that never yields, and the next run works', async () => {
    const id = exercises[0]
    const bundle = await loadExercise(id)
    const [file] = Object.keys(bundle.starter)
    const hang = await runTests(id, { [file]: `while (true) {}\n${bundle.solution[file]}` }, 1500)
    expect(hang.ok).toBe(false)
    expect(hang.error).toMatch(/^The tests did not finish within 1\.5 s and were stopped\./)
    expect(hang.durationMs).toBeGreaterThanOrEqual(1500)
    expect(hang.durationMs).toBeLessThan(5000)

    const next = await runTests(id, bundle.solution)
    expect(next.ok).toBe(true)
  })

  it('gives the title and hints in Korean when the exercise has a Korean README', async () => {
    const id = exercises.find((exercise) =>
      existsSync(join(root, 'exercises', exercise, 'README.ko.md')),
    )
    if (id === undefined) throw new Error('no exercise has a README.ko.md')
    const korean = await loadExercise(id, 'ko')
    const english = await loadExercise(id, 'en')
    const heading = readFileSync(join(root, 'exercises', id, 'README.ko.md'), 'utf8').match(
      /^# .*· (.+)$/m,
    )
    expect(korean.title).toBe(heading?.[1])
    expect(korean.title).not.toBe(english.title)
    expect(korean.hints.length).toBe(english.hints.length)
    expect(korean.hints.map((hint) => hint.html)).not.toEqual(
      english.hints.map((hint) => hint.html),
    )
  })
})
