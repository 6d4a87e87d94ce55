/**
 * The exercise panel in a real browser, against the built site (`npm run test:e2e` builds it):
 * an exercise solved in the built-in editor, hints one at a time, the solution locked until a
 * first run, progress that survives a reload and travels by export/import, and the StackBlitz
 * embed posting the exercise's files with the learner's code.
 *
 * Each test gets a browser context of its own, so its localStorage starts empty.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type StaticServer, serveStatic } from './static-server.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))
const dist = join(root, '.vitepress/dist')
const CHROMIUM = '/usr/bin/chromium'
const EXERCISE = '03-counter'
const EDITED = 'counter.ts'
const TESTS = 'counter.test.ts'
const solution = readFileSync(join(root, 'solutions', EXERCISE, EDITED), 'utf8')
const testFile = readFileSync(join(root, 'exercises', EXERCISE, TESTS), 'utf8')
const taskCount = testFile.match(/describe\('task \d+/g)!.length
/** The JavaScript an exercise page may load before its panel is opened (as a chapter page). */
const PAGE_JS_BUDGET = 150 * 1024

if (!existsSync(join(dist, 'index.html')))
  throw new Error('No built site in .vitepress/dist: run `npm run docs:build` first.')

let server: StaticServer
let browser: Browser
let context: BrowserContext
/** Console errors and failed requests of the site, per test: there must be none. */
let problems: string[]

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
})
afterAll(async () => {
  await browser?.close()
  await server?.close()
})

beforeEach(async () => {
  problems = []
  context = await browser.newContext({ acceptDownloads: true })
  // Nothing may reach the real StackBlitz; the StackBlitz test answers these itself.
  await context.route('https://stackblitz.com/**', (route) => route.abort())
})
afterEach(async () => {
  await context.close()
  expect(problems).toEqual([])
})

async function newPage(): Promise<Page> {
  const page = await context.newPage()
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`)
  })
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`))
  page.on('response', (response) => {
    if (response.url().startsWith(server.url) && response.status() >= 400)
      problems.push(`${response.status()} for ${response.url()}`)
  })
  page.on('dialog', (dialog) => dialog.accept())
  return page
}

async function openPanel(page: Page, id = EXERCISE): Promise<void> {
  if (!page.url().endsWith(`/exercises/${id}`))
    await page.goto(`${server.url}/exercises/${id}`, { waitUntil: 'networkidle' })
  await page.locator('.exercise-panel-open').click()
  await page.locator('.panel-workspace[data-status="ready"] .panel-editor .cm-content').waitFor()
}

const editor = (page: Page) => page.locator('.panel-editor .cm-content')

/**
 * The editor shows `text`: its first lines are on screen (CodeMirror draws only the lines near
 * the viewport), and the whole text is what the page saved for the exercise.
 */
async function expectEditorShows(page: Page, text: string): Promise<void> {
  const shown = await page.$$eval('.panel-editor .cm-line', (lines) =>
    lines.slice(0, 12).map((line) => line.textContent ?? ''),
  )
  expect(shown).toEqual(text.split('\n').slice(0, 12))
  const saved = await page.evaluate(
    ([key, id, file]) =>
      JSON.parse(localStorage.getItem(key) ?? '{}').exercises?.[id]?.files?.[file],
    ['letitcrash.exercises.v1', EXERCISE, EDITED],
  )
  expect(normalise(saved ?? '')).toBe(normalise(text))
}

/** Selects everything in the editor and pastes `text` over it, as a learner would. */
async function paste(page: Page, text: string): Promise<void> {
  await editor(page).click()
  await page.keyboard.press('Control+a')
  await editor(page).evaluate((element, pasted) => {
    const data = new DataTransfer()
    data.setData('text/plain', pasted)
    element.dispatchEvent(
      new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
    )
  }, text)
}

/** Clicks Run and waits for the results; returns how long they took to show, in ms. */
async function run(page: Page): Promise<number> {
  const started = Date.now()
  await page.locator('.panel-run').click()
  await page.locator('.panel-run:not([disabled])').waitFor()
  await page.locator('.panel-results-summary:not([data-state="none"])').waitFor()
  return Date.now() - started
}

const taskStates = (page: Page) =>
  page.$$eval('.panel-task', (tasks) => tasks.map((task) => task.getAttribute('data-state')))

describe('the exercise panel', () => {
  it('solves an exercise in the built-in editor; the solution unlocks after a first run; progress survives a reload', async () => {
    const page = await newPage()
    await openPanel(page)

    const toggle = page.locator('.panel-solution-toggle')
    expect(await toggle.isDisabled(), 'the solution is locked before the first run').toBe(true)
    await expect.poll(() => page.locator('.panel-solution-locked').isVisible()).toBe(true)

    const starterRun = await run(page)
    const starterStates = await taskStates(page)
    expect(starterStates).toHaveLength(taskCount)
    expect(starterStates, 'the starter fails').toContain('fail')
    expect(await page.locator('.panel-task[data-state="fail"] pre').count()).toBeGreaterThan(0)

    expect(await toggle.isDisabled(), 'a run unlocks the solution').toBe(false)
    await toggle.click()
    await page.locator('.panel-diff .cm-changedLine').first().waitFor()
    expect(await page.locator('.panel-diff .cm-content').textContent()).toContain(
      solution
        .split('\n')
        .find((line) => line.includes('GenServer.'))!
        .trim(),
    )

    await paste(page, solution)
    const solvedRun = await run(page)
    expect(await taskStates(page)).toEqual(Array(taskCount).fill('pass'))
    expect(await page.locator('.panel-results-summary').getAttribute('data-state')).toBe('pass')
    await page.locator('.exercise-panel-solved').waitFor()
    console.log(`results shown after ${starterRun} ms (starter), ${solvedRun} ms (solution)`)

    await page.reload({ waitUntil: 'networkidle' })
    await page.locator('.exercise-panel-solved').waitFor()
    await openPanel(page)
    await expectEditorShows(page, solution)

    await page.goto(`${server.url}/exercises/`, { waitUntil: 'networkidle' })
    await page.locator(`li[data-exercise="${EXERCISE}"][data-state="solved"]`).waitFor()
    expect(await page.locator('li[data-state="solved"]').count()).toBe(1)
  })

  it('keeps the hints off the page, reveals them one at a time, and fits a phone', async () => {
    const page = await newPage()
    await page.goto(`${server.url}/exercises/${EXERCISE}`, { waitUntil: 'networkidle' })
    const firstHint = 'Each callback returns a tagged tuple'
    const secondHint = 'the reply, then the new'
    expect(await page.locator('.vp-doc').textContent()).not.toContain(firstHint)
    expect(await page.locator('.vp-doc h2', { hasText: /^Hints/ }).count()).toBe(0)

    await openPanel(page)
    const task1 = page.locator('.panel-hint-task[data-task="1"]')
    expect(await page.locator('.panel-hint').count()).toBe(0)
    await task1.locator('.panel-hint-next').click()
    expect(await task1.locator('.panel-hint').count()).toBe(1)
    expect(await task1.textContent()).toContain(firstHint)
    expect(await task1.textContent()).not.toContain(secondHint)
    await task1.locator('.panel-hint-next').click()
    expect(await task1.locator('.panel-hint').count()).toBe(2)
    expect(await task1.textContent()).toContain(secondHint)
    expect(await page.locator('.panel-hint').count(), 'other tasks stay hidden').toBe(2)

    await page.reload({ waitUntil: 'networkidle' })
    await openPanel(page)
    expect(await page.locator('.panel-hint').count(), 'revealed hints stay revealed').toBe(2)

    // The opened panel, results and hints included, fits a phone screen.
    await run(page)
    await page.setViewportSize({ width: 390, height: 844 })
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    )
    expect(overflow, 'the opened panel scrolls sideways on a phone').toBeLessThanOrEqual(0)
  })

  it('exports progress to a file and imports it in another browser; reset all clears it', async () => {
    const page = await newPage()
    await openPanel(page)
    const mine = `// exported ${Date.now()}\n${solution}`
    await paste(page, mine)
    await run(page)

    await page.goto(`${server.url}/exercises/`, { waitUntil: 'networkidle' })
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('.panel-export').click(),
    ])
    // Read now: the download goes when its browser context closes.
    const file = readFileSync(await download.path())
    const exported = JSON.parse(file.toString('utf8'))
    expect(normalise(exported.exercises[EXERCISE].files[EDITED])).toBe(normalise(mine))
    expect(exported.exercises[EXERCISE].solved).toBe(true)

    await page.locator('.panel-reset-all').click()
    await page.locator(`li[data-exercise="${EXERCISE}"][data-state="new"]`).waitFor()

    // Another browser: a fresh context, empty storage.
    await context.close()
    context = await browser.newContext()
    const other = await newPage()
    await other.goto(`${server.url}/exercises/`, { waitUntil: 'networkidle' })
    await other.locator('.exercise-progress input[type="file"]').setInputFiles({
      name: 'broken.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"version": 2}'),
    })
    await expect
      .poll(() => other.locator('.panel-progress-message').textContent())
      .toMatch(/version/)
    await other.locator('.exercise-progress input[type="file"]').setInputFiles({
      name: download.suggestedFilename(),
      mimeType: 'application/json',
      buffer: file,
    })
    await other.locator(`li[data-exercise="${EXERCISE}"][data-state="solved"]`).waitFor()
    expect(await other.locator('.panel-progress-message').textContent()).toContain('Imported 1')
    await openPanel(other)
    await expectEditorShows(other, mine)
  })

  it("embeds StackBlitz with the exercise's files and the learner's code, and opens it in a new tab", async () => {
    const posted: { url: string; form: URLSearchParams }[] = []
    await context.unrouteAll()
    await context.route('https://stackblitz.com/**', (route) => {
      const request = route.request()
      if (request.method() === 'POST')
        posted.push({ url: request.url(), form: new URLSearchParams(request.postData() ?? '') })
      return route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>ok</title>' })
    })
    const page = await newPage()
    await openPanel(page)
    expect(posted, 'nothing goes to StackBlitz before a click').toEqual([])
    const mine = `// learner's code ${Date.now()}\n${solution}`
    await paste(page, mine)

    await page.locator('.panel-sb-embed').click()
    await page.locator('.panel-sb-embed-host iframe').waitFor()
    await expect.poll(() => posted.length, { timeout: 10_000 }).toBe(1)
    const embed = posted[0]
    expect(embed.url).toMatch(/^https:\/\/stackblitz\.com\/run\?.*embed=1/)
    expectProject(embed.form, mine)

    const [tab] = await Promise.all([
      context.waitForEvent('page'),
      page.locator('.panel-sb-open').click(),
    ])
    await expect.poll(() => posted.length, { timeout: 10_000 }).toBe(2)
    expect(posted[1].url).not.toMatch(/embed=1/)
    expectProject(posted[1].form, mine)
    await tab.close()
  })

  it('opens on every exercise page, with its files; where tests need Node it says why', async () => {
    const ids = readdirSync(join(root, 'docs/exercises'))
      .filter((file) => /^\d\d-.*\.md$/.test(file))
      .map((file) => file.slice(0, -3))
    expect(ids.length).toBeGreaterThan(0)
    const page = await newPage()
    for (const id of ids) {
      await openPanel(page, id)
      const tabs = await page.$$eval('.panel-tab', (all) => all.map((tab) => tab.dataset.path))
      const files = readdirSync(join(root, 'exercises', id))
      for (const tab of tabs) expect(files, `${id}: tab ${tab}`).toContain(tab)
      expect(
        tabs.some((tab) => tab?.endsWith('.test.ts')),
        `${id} shows its tests`,
      ).toBe(true)
      const needsNode = (await page.locator('.panel-not-in-browser').count()) === 1
      expect(await page.locator('.panel-run').isDisabled(), `${id}: Run disabled`).toBe(needsNode)
    }
  }, 120_000)

  it('speaks Korean on the Korean pages, with the Korean hints', async () => {
    const readme = readFileSync(join(root, 'exercises', EXERCISE, 'README.ko.md'), 'utf8')
    // The first line of the first hint, as the page renders it (inline code marks dropped).
    const hints = readme.slice(readme.indexOf('## 힌트'))
    const body = hints.slice(hints.indexOf('</summary>') + '</summary>'.length)
    const firstHint = body.trim().split('\n')[0].replaceAll('`', '')

    const page = await newPage()
    await page.goto(`${server.url}/ko/exercises/${EXERCISE}`, { waitUntil: 'networkidle' })
    expect(await page.locator('.vp-doc').textContent()).not.toContain(firstHint)
    expect(await page.locator('.vp-doc h2', { hasText: /^힌트/ }).count()).toBe(0)
    expect(await page.locator('.exercise-panel-open').textContent()).toContain('편집기 열기')

    await page.locator('.exercise-panel-open').click()
    await page.locator('.panel-workspace[data-status="ready"] .panel-editor .cm-content').waitFor()
    expect(await page.locator('.panel-run').textContent()).toContain('테스트 실행')
    const task1 = page.locator('.panel-hint-task[data-task="1"]')
    await task1.locator('.panel-hint-next').click()
    expect(await task1.textContent()).toContain(firstHint)
  })

  it(`loads neither the editor nor the runner before the panel opens (at most ${PAGE_JS_BUDGET / 1024} KB of JavaScript)`, async () => {
    const page = await newPage()
    const scripts: string[] = []
    page.on('response', (response) => {
      if (response.url().startsWith(server.url) && response.request().resourceType() === 'script')
        scripts.push(new URL(response.url()).pathname)
    })
    await page.goto(`${server.url}/exercises/${EXERCISE}`, { waitUntil: 'networkidle' })
    const before = [...scripts]
    const source = (list: string[]) => list.map((s) => readFileSync(join(dist, s), 'utf8')).join('')
    const bytes = before.reduce((sum, s) => sum + gzipSync(readFileSync(join(dist, s))).length, 0)
    console.log(`exercise page JavaScript before opening: ${(bytes / 1024).toFixed(1)} KB gzip`)
    expect(bytes).toBeLessThanOrEqual(PAGE_JS_BUDGET)

    // Markers of CodeMirror's view and of the runner, present once the panel is open.
    const markers = ['cm-content', 'is not a file the learner edits']
    for (const marker of markers) expect(source(before)).not.toContain(marker)
    await openPanel(page)
    await page.waitForLoadState('networkidle')
    for (const marker of markers) expect(source(scripts)).toContain(marker)
  })
})

/** The project posted to StackBlitz has the exercise, the runtime and the learner's code. */
function expectProject(form: URLSearchParams, learnerCode: string): void {
  const file = (path: string) => form.get(`project[files][${path}]`)
  expect(form.get('project[template]')).toBe('node')
  expect(normalise(file(`exercises/${EXERCISE}/${EDITED}`) ?? '')).toBe(normalise(learnerCode))
  expect(normalise(file(`exercises/${EXERCISE}/${TESTS}`) ?? '')).toBe(normalise(testFile))
  expect(file(`exercises/${EXERCISE}/README.md`)).toContain('# 03 · Counter')
  expect(file('letitcrash/index.ts')).toBeTruthy()
  expect(file('package.json')).toContain('vitest')
}

/**
 * Text as compared across storage and a posted form (which sends line breaks as CRLF): LF line
 * breaks, no trailing whitespace, no final newline.
 */
function normalise(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => line.trimEnd())
    .join('\n')
    .trim()
}
