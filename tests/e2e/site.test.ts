/**
 * The built course site in a real browser (Debian's chromium, driven by playwright-core): every
 * page loads without a console error, every internal link (and its #anchor) leads somewhere,
 * nothing is wider than a phone screen, and a chapter page stays within its JavaScript budget.
 *
 * Runs against `.vitepress/dist`: `npm run test:e2e` builds it first.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveFile, type StaticServer, serveStatic } from './static-server.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))
// SITE_DIST: a site built elsewhere (`vitepress build --outDir`), so parallel builds do not collide.
const dist = process.env.SITE_DIST ?? join(root, '.vitepress/dist')
const CHROMIUM = '/usr/bin/chromium'
/** The budget of issue 6: JavaScript a chapter page loads before any exercise panel opens. */
const CHAPTER_JS_BUDGET = 150 * 1024
const PHONE = { width: 390, height: 844 }

/** What a visit to one page found. */
interface Visit {
  readonly links: string[]
  readonly ids: Set<string>
}

/** Every page of the built site, as the URL path a reader would visit. */
function builtPages(): string[] {
  const pages: string[] = []
  const walk = (dir: string) => {
    for (const item of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, item.name)
      if (item.isDirectory() && item.name !== 'assets') walk(path)
      else if (item.name.endsWith('.html') && item.name !== '404.html') {
        const file = relative(dist, path).split(sep).join('/')
        pages.push(`/${file.replace(/(^|\/)index\.html$/, '$1').replace(/\.html$/, '')}`)
      }
    }
  }
  walk(dist)
  return pages.sort()
}

if (!existsSync(join(dist, 'index.html')))
  throw new Error('No built site in .vitepress/dist: run `npm run docs:build` first.')
if (!existsSync(CHROMIUM))
  throw new Error(
    `No browser at ${CHROMIUM}: install Debian's chromium (apt-get install chromium).`,
  )

const pages = builtPages()
const visits = new Map<string, Visit>()
/** The language menu's links of each page, by the page's path. */
const languageLinks = new Map<string, string[]>()
let server: StaticServer
let browser: Browser

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

/** Opens `path`, failing on any console error, page error or failed request of the site. */
async function open(path: string): Promise<{ page: Page; problems: string[]; scripts: string[] }> {
  const page = await browser.newPage()
  const problems: string[] = []
  const scripts: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`)
  })
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`))
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`))
  page.on('response', (response) => {
    const url = new URL(response.url())
    if (url.origin !== server.url) return
    if (response.status() >= 400) problems.push(`${response.status()} for ${url.pathname}`)
    // Scripts the page runs; chunks prefetched for other pages are requested as 'other'.
    if (response.request().resourceType() === 'script') scripts.push(url.pathname)
  })
  await page.goto(server.url + path, { waitUntil: 'networkidle' })
  return { page, problems, scripts }
}

describe('the built course site', () => {
  it('has the home page and the chapters', () => {
    expect(pages).toContain('/')
    expect(pages).toContain('/guide/01-processes-and-messages')
  })

  it.each(pages)('%s loads without errors and fits a phone screen', async (path) => {
    const { page, problems } = await open(path)
    try {
      expect(await page.locator('h1').count(), 'the page has a heading').toBeGreaterThan(0)
      visits.set(resolveFile(dist, path)!, {
        links: await page.$$eval('a[href^="/"]', (as) => as.map((a) => a.getAttribute('href')!)),
        ids: new Set(await page.$$eval('[id]', (elements) => elements.map((e) => e.id))),
      })
      languageLinks.set(
        path,
        await page.$$eval('.VPNavBarTranslations a', (as) =>
          as.map((a) => a.getAttribute('href')!),
        ),
      )
      await page.setViewportSize(PHONE)
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - window.innerWidth,
      )
      expect(overflow, 'the page scrolls sideways on a phone').toBeLessThanOrEqual(0)
      expect(problems).toEqual([])
    } finally {
      await page.close()
    }
  })

  it('has no broken internal link or anchor', () => {
    const broken: string[] = []
    for (const [from, visit] of visits) {
      for (const href of visit.links) {
        const [pathname, hash] = href.split('#')
        const target = resolveFile(dist, pathname)
        if (target === undefined) broken.push(`${from}: ${href} (no such page)`)
        else if (hash && !visits.get(target)?.ids.has(decodeURIComponent(hash)))
          broken.push(`${from}: ${href} (no #${hash} on the page)`)
      }
    }
    expect(visits.size).toBe(pages.length)
    expect(broken).toEqual([])
  })

  it('offers every page in the other language at the same path', () => {
    // English `/guide/x` is Korean `/ko/guide/x`; a page without a counterpart is reported by
    // the translation check (scripts/translations.test.ts), not here.
    const counterpart = (path: string) =>
      path.startsWith('/ko/') ? path.slice('/ko'.length) : `/ko${path}`
    const wrong: string[] = []
    for (const [path, links] of languageLinks) {
      if (!pages.includes(counterpart(path))) continue
      if (links.join() !== counterpart(path))
        wrong.push(`${path}: the language menu leads to ${links.join(', ') || 'nothing'}`)
    }
    expect(pages).toContain('/ko/')
    expect(wrong).toEqual([])
  })

  it('finds a Korean chapter with the Korean search box', async () => {
    const { page, problems } = await open('/ko/guide/00-how-to-use')
    try {
      await page.keyboard.press('Control+k')
      const input = page.locator('.VPLocalSearchBox input')
      expect(await input.getAttribute('placeholder')).toBe('검색')
      await input.fill('재시작 강도')
      const first = page.locator('.VPLocalSearchBox .result').first()
      await expect.poll(() => first.getAttribute('href'), { timeout: 10_000 }).toMatch(/^\/ko\//)
      expect(problems).toEqual([])
    } finally {
      await page.close()
    }
  })

  it('finds a chapter with the local search', async () => {
    const { page, problems } = await open('/guide/00-how-to-use')
    try {
      await page.keyboard.press('Control+k')
      await page.locator('.VPLocalSearchBox input').fill('restart intensity')
      const first = page.locator('.VPLocalSearchBox .result').first()
      await expect.poll(() => first.textContent(), { timeout: 10_000 }).toMatch(/intensity/i)
      expect(problems).toEqual([])
    } finally {
      await page.close()
    }
  })

  it(`ships at most ${CHAPTER_JS_BUDGET / 1024} KB of JavaScript (gzip) on a chapter page`, async () => {
    const { page, scripts } = await open('/guide/04-supervisor')
    await page.close()
    const bytes = scripts.reduce(
      (sum, script) => sum + gzipSync(readFileSync(join(dist, script))).length,
      0,
    )
    console.log(
      `chapter page JavaScript: ${(bytes / 1024).toFixed(1)} KB gzip in ${scripts.length} files`,
    )
    expect(bytes).toBeLessThanOrEqual(CHAPTER_JS_BUDGET)
  })
})
