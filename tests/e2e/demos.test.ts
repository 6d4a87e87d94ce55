/**
 * The live demos of chapters 3, 4 and 8 in a real browser, against the built site: each runs
 * the real runtime, loaded only once the demo is on screen, and does what its chapter says.
 *
 * Runs against `.vitepress/dist` (`npm run test:e2e` builds it first), or against SITE_DIST, a
 * site built elsewhere (`vitepress build --outDir`), as site.test.ts does.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { type Browser, chromium, type Locator, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type StaticServer, serveStatic } from './static-server.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))
const dist = process.env.SITE_DIST ?? join(root, '.vitepress/dist')
const CHROMIUM = '/usr/bin/chromium'
const CHAPTER_JS_BUDGET = 150 * 1024
const PHONE = { width: 390, height: 844 }
const WAIT = { timeout: 10_000 }

if (!existsSync(join(dist, 'index.html')))
  throw new Error(`No built site in ${dist}: run \`npm run docs:build\` first.`)

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

interface Visit {
  readonly page: Page
  /** Console errors and uncaught exceptions so far. */
  readonly problems: string[]
  /** Paths of the scripts the page has run so far. */
  readonly scripts: string[]
}

async function open(path: string, viewport = { width: 1280, height: 800 }): Promise<Visit> {
  const page = await browser.newPage({ viewport })
  const problems: string[] = []
  const scripts: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`)
  })
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`))
  page.on('response', (response) => {
    const url = new URL(response.url())
    if (url.origin === server.url && response.request().resourceType() === 'script')
      scripts.push(url.pathname)
  })
  await page.goto(server.url + path, { waitUntil: 'networkidle' })
  return { page, problems, scripts }
}

/** Scrolls the demo into view, which starts it, and waits until its controls are there. */
async function startDemo(page: Page, selector: string, ready: string): Promise<Locator> {
  const demo = page.locator(selector)
  await demo.scrollIntoViewIfNeeded()
  await demo.locator(ready).first().waitFor(WAIT)
  return demo
}

const gzipKB = (scripts: string[]) =>
  scripts.reduce((sum, script) => sum + gzipSync(readFileSync(join(dist, script))).length, 0) / 1024

describe('the demos load the runtime only when needed', () => {
  it.each([
    ['/guide/03-genserver', '.flow-demo'],
    ['/guide/04-supervisor', '.supervision-demo'],
    ['/guide/08-distribution', '.cluster-demo'],
  ])('%s stays within its JavaScript budget until the demo starts', async (path, selector) => {
    const { page, problems, scripts } = await open(path)
    try {
      const atLoad = [...scripts]
      expect(
        atLoad.some((s) => /scenario/.test(s)),
        'the runtime loaded with the page',
      ).toBe(false)
      await startDemo(page, selector, '.demo-figure')
      const started = scripts.filter((s) => !atLoad.includes(s))
      expect(
        started.some((s) => /scenario/.test(s)),
        'the demo loaded its runtime',
      ).toBe(true)
      console.log(
        `${path}: ${gzipKB(atLoad).toFixed(1)} KB gzip of JavaScript at load (${atLoad.length} files); the demo adds ${gzipKB(started).toFixed(1)} KB (${started.length} files)`,
      )
      expect(gzipKB(atLoad) * 1024).toBeLessThanOrEqual(CHAPTER_JS_BUDGET)
      expect(problems).toEqual([])
    } finally {
      await page.close()
    }
  })
})

describe('chapter 4: the supervision tree demo', () => {
  const pidOf = (demo: Locator, id: string) =>
    demo.locator(`[data-key="root/workers/${id}"]`).getAttribute('data-pid')

  it('a click crashes a worker, and the restarted worker appears with a new pid', async () => {
    const { page, problems } = await open('/guide/04-supervisor')
    try {
      const demo = await startDemo(page, '.supervision-demo', '[data-key="root/workers/worker2"]')
      const before = await pidOf(demo, 'worker2')
      expect(before).toMatch(/^#PID<\d+\.\d+\.0>$/)
      await demo.locator('[data-key="root/workers/worker2"]').click()
      await expect.poll(() => pidOf(demo, 'worker2'), WAIT).not.toBe(before)
      expect(await pidOf(demo, 'worker2')).toMatch(/^#PID</)
      const log = demo.locator('.demo-log')
      await expect.poll(() => log.textContent(), WAIT).toContain('worker2 crashed')
      expect(await log.textContent()).toContain('workers restarts worker2 (one_for_one)')
      expect(problems).toEqual([])
    } finally {
      await page.close()
    }
  })

  it('rest_for_one restarts the crashed worker and the ones started after it', async () => {
    const { page, problems } = await open('/guide/04-supervisor')
    try {
      const demo = await startDemo(page, '.supervision-demo', '[data-key="root/workers/worker2"]')
      await demo.getByLabel('rest_for_one').check()
      await expect
        .poll(() => demo.locator('[data-key="root/workers"] .strategy-name').textContent(), WAIT)
        .toContain('rest_for_one')
      const before = await Promise.all(['worker1', 'worker2', 'worker3'].map((w) => pidOf(demo, w)))
      await demo.getByRole('button', { name: 'Crash worker2', exact: true }).click()
      await expect.poll(() => pidOf(demo, 'worker3'), WAIT).not.toBe(before[2])
      const after = await Promise.all(['worker1', 'worker2', 'worker3'].map((w) => pidOf(demo, w)))
      expect(after[0]).toBe(before[0])
      expect(after[1]).not.toBe(before[1])
      expect(await demo.locator('.demo-log').textContent()).toContain('worker3 exits: shutdown')
      expect(problems).toEqual([])
    } finally {
      await page.close()
    }
  })

  it('too many restarts make workers give up; root restarts it, then the whole tree stops', async () => {
    const { page, problems } = await open('/guide/04-supervisor')
    try {
      const demo = await startDemo(page, '.supervision-demo', '[data-key="root/workers/worker1"]')
      await demo.locator('label', { hasText: 'maxRestarts' }).locator('select').selectOption('1')
      const workers = demo.locator('[data-key="root/workers"]')
      await expect
        .poll(() => workers.locator('.intensity').textContent(), WAIT)
        .toContain('of 1 in')
      const firstWorkers = await workers.getAttribute('data-pid')
      const crash = demo.getByRole('button', { name: 'Crash worker1', exact: true })
      await crash.click()
      await expect.poll(() => workers.locator('.intensity').textContent(), WAIT).toContain('1 of 1')
      await crash.click()
      const log = demo.locator('.demo-log')
      await expect.poll(() => log.textContent(), WAIT).toContain('workers gives up')
      expect(await log.textContent()).toContain('root restarts workers')
      await expect.poll(() => workers.getAttribute('data-pid'), WAIT).not.toBe(firstWorkers)
      // Two more crashes: workers gives up again, within root's 10 s, so root gives up too.
      await crash.click()
      await expect.poll(() => workers.locator('.intensity').textContent(), WAIT).toContain('1 of 1')
      await crash.click()
      await demo.getByText('The whole tree has stopped').waitFor(WAIT)
      expect(await log.textContent()).toContain('root gives up')
      expect(problems).toEqual([])
    } finally {
      await page.close()
    }
  })

  it('speaks Korean on the Korean chapter: buttons and log', async () => {
    const { page, problems } = await open('/ko/guide/04-supervisor')
    try {
      const demo = await startDemo(page, '.supervision-demo', '[data-key="root/workers/worker2"]')
      await demo.getByRole('button', { name: '1초 흘려보내기', exact: true }).click()
      await demo.getByRole('button', { name: 'worker2 크래시', exact: true }).click()
      const log = demo.locator('.demo-log')
      await expect.poll(() => log.textContent(), WAIT).toContain('worker2 크래시')
      expect(await log.textContent()).toContain('workers: worker2 재시작 (one_for_one)')
      expect(await demo.getByRole('button', { name: 'Let 1 s pass' }).count()).toBe(0)
      expect(problems).toEqual([])
    } finally {
      await page.close()
    }
  })

  it('fits a phone screen once started', async () => {
    const { page, problems } = await open('/guide/04-supervisor', PHONE)
    try {
      await startDemo(page, '.supervision-demo', '[data-key="root/workers/worker2"]')
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - window.innerWidth,
      )
      expect(overflow).toBeLessThanOrEqual(0)
      expect(problems).toEqual([])
    } finally {
      await page.close()
    }
  })
})

describe('chapter 3: the message flow demo', () => {
  it('a call draws a request and a reply; a cast draws no reply', async () => {
    const { page, problems } = await open('/guide/03-genserver')
    try {
      const demo = await startDemo(page, '.flow-demo', '.demo-figure')
      await demo.getByRole('button', { name: "call 'get'" }).click()
      await demo.locator('.row[data-style="call"]').waitFor(WAIT)
      await demo.locator('.row[data-style="callback"]').waitFor(WAIT)
      await demo.locator('.row[data-style="reply"]').waitFor(WAIT)
      expect(await demo.locator('.row[data-style="reply"]').textContent()).toContain('reply 0')
      await demo.getByRole('button', { name: "cast 'increment'" }).click()
      await demo.locator('.row[data-style="cast"]').waitFor(WAIT)
      await expect
        .poll(() => demo.locator('.row').last().textContent(), WAIT)
        .toContain("handleCast('increment')")
      expect(await demo.locator('.row[data-style="reply"]').count()).toBe(1)
      expect(problems).toEqual([])
    } finally {
      await page.close()
    }
  })

  it('a slow call times out, and its late reply is dropped', async () => {
    const { page, problems } = await open('/guide/03-genserver')
    try {
      const demo = await startDemo(page, '.flow-demo', '.demo-figure')
      await demo.getByRole('button', { name: "call 'slow' (1 s timeout)" }).click()
      const timeout = demo.locator('.row[data-style="error"]')
      await timeout.waitFor(WAIT)
      expect(await timeout.textContent()).toContain('CallTimeoutError')
      await demo.locator('.row[data-style="dropped"]').waitFor(WAIT)
      expect(await demo.locator('.row[data-style="reply"]').count()).toBe(0)
      expect(problems).toEqual([])
    } finally {
      await page.close()
    }
  })

  it('a crash during a call ends the server and fails the call; a new server can start', async () => {
    const { page, problems } = await open('/guide/03-genserver')
    try {
      const demo = await startDemo(page, '.flow-demo', '.demo-figure')
      await demo.getByRole('button', { name: "call 'crash'" }).click()
      await demo.locator('.row[data-style="crash"]').waitFor(WAIT)
      await demo.locator('.row[data-style="exit"]').waitFor(WAIT)
      expect(await demo.locator('.row[data-style="exit"]').textContent()).toContain('ExitError')
      const restart = demo.getByRole('button', { name: 'Start a new server' })
      await expect.poll(() => restart.isEnabled(), WAIT).toBe(true)
      await restart.click()
      await demo.locator('.row[data-style="start"]').waitFor(WAIT)
      expect(problems).toEqual([])
    } finally {
      await page.close()
    }
  })
})

describe('chapter 8: the cluster demo', () => {
  const sees = (demo: Locator, node: string) =>
    demo.locator(`.node-row[data-node="${node}"]`).getAttribute('data-sees')

  it('a partition, once noticed, moves the global name to the other side; heal settles it', async () => {
    const { page, problems } = await open('/guide/08-distribution')
    try {
      const demo = await startDemo(page, '.cluster-demo', '.node-row')
      expect(await Promise.all(['a', 'b', 'c'].map((n) => sees(demo, n)))).toEqual(['a', 'a', 'a'])
      await demo.getByRole('button', { name: 'Cut off a' }).click()
      await demo.getByRole('button', { name: 'Let 1 s pass' }).click()
      await expect.poll(() => sees(demo, 'b'), WAIT).toBe('b')
      expect(await sees(demo, 'c')).toBe('b')
      expect(await sees(demo, 'a')).toBe('a')
      expect(await demo.getByRole('status').textContent()).toContain('split brain')

      await demo.getByRole('button', { name: 'Heal the network' }).click()
      await expect
        .poll(() => demo.getByRole('status').textContent(), WAIT)
        .toContain('Every running node agrees')
      expect(await demo.locator('.demo-log').textContent()).toContain('global conflict singleton')
      expect(problems).toEqual([])
    } finally {
      await page.close()
    }
  })

  it('a crashed holder loses the name one tick later', async () => {
    const { page, problems } = await open('/guide/08-distribution', PHONE)
    try {
      const demo = await startDemo(page, '.cluster-demo', '.node-row')
      await demo.getByRole('button', { name: 'Crash a' }).click()
      await expect.poll(() => sees(demo, 'a'), WAIT).toBe('crashed')
      expect(await sees(demo, 'b')).toBe('a')
      await demo.getByRole('button', { name: 'Let 1 s pass' }).click()
      await expect.poll(() => sees(demo, 'b'), WAIT).toBe('b')
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - window.innerWidth,
      )
      expect(overflow, 'the page scrolls sideways on a phone').toBeLessThanOrEqual(0)
      expect(problems).toEqual([])
    } finally {
      await page.close()
    }
  })
})
