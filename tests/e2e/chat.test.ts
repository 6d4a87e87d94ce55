/**
 * The chat's browser client in a real browser (Debian's chromium, driven by playwright-core),
 * against the whole chat application started in this process (port 0, PGlite in memory): two
 * people chat in two browser contexts and see each other; then their room is crashed from the
 * `/ops` page, and they keep chatting with nothing lost. No console errors anywhere.
 */
import { existsSync } from 'node:fs'
import { createNode, type Node, setDefaultNode } from 'letitcrash'
import { Socket } from 'phoenix'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import * as ChatApp from '../../chat/server/application.ts'
import { answer } from '../../chat/test/socket-helpers.ts'
import { buildWeb } from '../../chat/web/build.ts'

const CHROMIUM = '/usr/bin/chromium'
const ROOM = 'lobby'
const PHONE = { width: 390, height: 844 }

if (!existsSync(CHROMIUM))
  throw new Error(
    `No browser at ${CHROMIUM}: install Debian's chromium (apt-get install chromium).`,
  )

let node: Node
let url: string
let browser: Browser
const contexts: BrowserContext[] = []
/** Console errors and page errors, from every page. */
const problems: string[] = []

beforeAll(async () => {
  await buildWeb()
  node = createNode()
  setDefaultNode(node)
  const started = await ChatApp.start({
    port: 0,
    dataDir: 'memory',
    ops: true,
    hashParams: { N: 1024, r: 8, p: 1 }, // cheap scrypt: this test is about the browser
    rateLimit: { capacity: 1000, refillPerSecond: 1000 }, // the history test sends 60 at once
  })
  if (started[0] !== 'ok') throw new Error(`the chat app did not start: ${String(started[1])}`)
  url = await ChatApp.url()
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
  for (const context of contexts) await context.close()
  await browser?.close()
  await ChatApp.stop()
  node?.shutdown()
})

/** A fresh browser (its own storage, like another person's), phone-sized. */
async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: PHONE })
  contexts.push(context)
  const page = await context.newPage()
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`${page.url()}: ${message.text()}`)
  })
  page.on('pageerror', (error) => problems.push(`${page.url()}: ${error.message}`))
  return page
}

async function register(page: Page, username: string): Promise<void> {
  await page.goto(url)
  await page.fill('input[name=username]', username)
  await page.fill('input[name=password]', 'long enough')
  await page.click('button[value=register]')
  await page.waitForSelector('#chat:not([hidden])')
  await page.waitForSelector('#status[data-state=online]')
}

async function joinRoom(page: Page, room: string): Promise<void> {
  await page.fill('input[name=room]', room)
  await page.press('input[name=room]', 'Enter')
  await page.waitForFunction(
    (title) => document.getElementById('room-title')?.textContent === title,
    `#${room}`,
  )
}

/** Types `body` and presses Enter; resolves once the server acknowledged it (input cleared). */
async function say(page: Page, body: string): Promise<void> {
  await page.fill('input[name=body]', body)
  await page.press('input[name=body]', 'Enter')
  await page.waitForFunction(
    () => (document.querySelector('input[name=body]') as HTMLInputElement).value === '',
  )
}

/** Waits until the page shows every one of `bodies`; resolves the bodies shown, in order. */
async function seen(page: Page, bodies: string[]): Promise<string[]> {
  await page.waitForFunction((wanted) => {
    const shown = Array.from(document.querySelectorAll('#messages .body')).map((e) => e.textContent)
    return wanted.every((body) => shown.includes(body))
  }, bodies)
  return page.$$eval('#messages .body', (items) => items.map((item) => item.textContent ?? ''))
}

async function presence(page: Page, users: string[]): Promise<void> {
  await page.waitForFunction((wanted) => {
    const shown = Array.from(document.querySelectorAll('#presence li')).map((e) => e.textContent)
    return wanted.every((user) => shown.includes(user))
  }, users)
}

describe('the chat in a browser', () => {
  let ann: Page
  let bob: Page

  it('two people in two browsers see each other, and each other’s messages', async () => {
    ann = await newPage()
    bob = await newPage()
    await register(ann, 'ann')
    await register(bob, 'bob')
    await joinRoom(ann, ROOM)
    await joinRoom(bob, ROOM)
    await presence(ann, ['ann', 'bob'])
    await presence(bob, ['ann', 'bob'])

    await say(ann, 'hello from ann <b>not bold</b>')
    await say(bob, 'hi ann, bob here')
    for (const page of [ann, bob]) {
      expect(await seen(page, ['hello from ann <b>not bold</b>', 'hi ann, bob here'])).toEqual([
        'hello from ann <b>not bold</b>',
        'hi ann, bob here',
      ])
    }
    // Shown as text: the markup is not turned into an element.
    expect(await ann.$$('#messages b')).toHaveLength(0)
  })

  it('a room crashed from /ops restarts: they keep chatting and nothing is lost', async () => {
    const ops = await newPage()
    await ops.goto(`${url}/ops`)
    const row = `li[data-room="${ROOM}"]`
    await ops.waitForSelector(`${row} button`)
    const before = await ops.textContent(`${row} .pid`)
    await ops.click(`${row} button`)
    // The supervisor started a new room process: another pid, one restart counted.
    await ops.waitForFunction(
      ([selector, old]) => {
        const pid = document.querySelector(`${selector} .pid`)?.textContent
        return pid !== undefined && pid !== old
      },
      [row, before] as const,
    )
    expect(await ops.textContent('#tree')).toMatch(/RoomSupervisor.*restarts: 1/s)

    await say(bob, 'after the crash: bob')
    await say(ann, 'after the crash: ann')
    const all = [
      'hello from ann <b>not bold</b>',
      'hi ann, bob here',
      'after the crash: bob',
      'after the crash: ann',
    ]
    for (const page of [ann, bob]) expect(await seen(page, all)).toEqual(all)

    // A reload asks the server again: the restarted room has every message, in order.
    await ann.reload()
    await ann.waitForFunction(() => document.getElementById('room-title')?.textContent === '#lobby')
    expect(await seen(ann, all)).toEqual(all)
    await presence(bob, ['ann', 'bob'])
  })

  it('pages back through history with "load older"', async () => {
    // 60 messages from a script (the official client in Node), more than a join's 50.
    const { token } = await (
      await fetch(`${url}/api/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'scripter', password: 'long enough' }),
      })
    ).json()
    const socket = new Socket(`${url.replace('http', 'ws')}/socket`, {
      transport: WebSocket,
      params: { token },
    })
    socket.connect()
    const channel = socket.channel('room:history')
    expect((await answer(channel.join()))[0]).toBe('ok')
    const bodies = Array.from({ length: 60 }, (_, i) => `message ${i + 1}`)
    for (const body of bodies)
      expect(await answer(channel.push('new_msg', { body }))).toEqual([
        'ok',
        { id: expect.any(Number) },
      ])
    socket.disconnect()

    await joinRoom(bob, 'history')
    await seen(bob, ['message 60'])
    expect(await bob.$$('#messages li')).toHaveLength(50)
    await bob.click('#older')
    expect(await seen(bob, ['message 1'])).toEqual(bodies)
    expect(await bob.isDisabled('#older')).toBe(true)
  })

  it('logs no console errors', () => {
    expect(problems).toEqual([])
  })
})
