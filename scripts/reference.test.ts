/**
 * The generated reference (`docs/reference/`) is what `npm run docs:reference` would write now,
 * has an entry for every public export of the runtime, and each entry says what it should.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { anchor, modulePages, pagesOnDisk, renderEntry, renderReference } from './reference.ts'
import { prose } from './reference-render.ts'
import { readApi, root } from './runtime-api.ts'

const api = readApi(`${root}runtime/index.ts`)
const expected = renderReference(api)

/** The Markdown of every entry of a page, by the name in its heading. */
function entries(page: string): Map<string, string> {
  const found = new Map<string, string>()
  const parts = page.split(/^(?=#{2,3} \S+ \{#)/m).slice(1)
  for (const part of parts) found.set(/^#{2,3} (\S+) \{#/.exec(part)![1], part)
  return found
}

describe('docs/reference', () => {
  it('is up to date: run `npm run docs:reference` after changing a doc comment', () => {
    expect(pagesOnDisk()).toEqual([...expected.keys()].sort())
    for (const [path, content] of expected)
      expect(readFileSync(join(root, path), 'utf8'), `${path} is stale`).toBe(content)
  })

  it('has an entry for every public export, on its module page', () => {
    const pages = modulePages(api)
    const missing: string[] = []
    for (const item of api.items) {
      const page = pages.find((p) => p.items.includes(item))!
      const content = expected.get(`docs/reference/${page.slug}.md`)!
      if (!entries(content).has(item.name)) missing.push(`${item.name} (${item.file})`)
    }
    expect(missing).toEqual([])
    expect(api.items.length).toBeGreaterThan(250)
  })

  it('gives every function its signature, summary, example, Elixir counterpart and source', () => {
    const incomplete: string[] = []
    const pages = modulePages(api)
    for (const page of pages) {
      const content = entries(expected.get(`docs/reference/${page.slug}.md`)!)
      for (const item of page.items.filter((i) => i.kind === 'function' || i.kind === 'method')) {
        const entry = content.get(item.name)!
        const blocks = entry.match(/^```ts$/gm)?.length ?? 0
        const summary = entry.split('```').at(2)?.trim() ?? ''
        if (
          blocks < 2 ||
          summary === '' ||
          !/^- \*\*Elixir:\*\* \S/m.test(entry) ||
          !/^- \*\*Source:\*\* \[runtime\/[\w-]+\.ts:\d+\]\(\/reference\/source\/[\w-]+\)$/m.test(
            entry,
          )
        )
          incomplete.push(item.name)
      }
    }
    expect(incomplete).toEqual([])
  })

  it('renders an entry from its doc comment', () => {
    const call = api.items.find((item) => item.name === 'StateMachine.call')!
    const entry = renderEntry(api, call, () => undefined, '###')
    expect(entry.split('\n').slice(0, 8)).toEqual([
      '### StateMachine.call {#StateMachine-call}',
      '',
      '```ts',
      'function call<TMachine extends AnyStateMachine = AnyStateMachine>(',
      '  server: GenServer.Server,',
      '  event: EventFromLogic<TMachine>,',
      '  timeout: Timeout = 5000,',
      '): Promise<Snapshot<TMachine>>',
    ])
    expect(entry).toContain(
      "```ts\nconst { value } = await StateMachine.call('door', { type: 'enter', code: '1234' })\n```",
    )
    expect(entry).toContain('- **Elixir:** `:gen_statem.call/3`')
    expect(entry).toContain('- **Source:** [runtime/state-machine.ts:')
  })

  it('lists the other names of an export, and shows overloads without the implementation', () => {
    const spawn = api.items.find((item) => item.name === 'Process.spawn')!
    expect(spawn.aliases).toEqual(['spawn'])
    expect(renderEntry(api, spawn, () => undefined, '###')).toContain(
      '- **Also exported as:** `spawn`',
    )
  })

  it('leaves private and @internal members out of a class signature', () => {
    const clock = api.items.find((item) => item.name === 'VirtualClock')!
    const entry = renderEntry(api, clock, () => undefined, '##')
    const declaration = entry.split('```')[1]
    expect(declaration).toContain('get pendingTimers(): number')
    expect(declaration).not.toMatch(/private|#\w|@internal/)
    const timer = api.items.find((item) => item.name === 'Timer')!
    expect(renderEntry(api, timer, () => undefined, '###')).not.toContain('cancelled')
  })
})

describe('prose', () => {
  it('links {@link name} to its entry and escapes what Vue would read as markup', () => {
    const resolve = (name: string) => (name === 'start' ? '/reference/x#start' : undefined)
    expect(prose('Like {@link start}, or {@link nothing}.', resolve)).toBe(
      'Like [`start`](/reference/x#start), or `nothing`.',
    )
    expect(prose('a Promise<void> and `Promise<void>` and {{ x }}', () => undefined)).toBe(
      'a Promise&lt;void> and `Promise<void>` and &#123;&#123; x }}',
    )
  })

  it('makes anchors VitePress accepts', () => {
    expect(anchor('Task.Supervisor.asyncNolink')).toBe('Task-Supervisor-asyncNolink')
  })
})
