import { describe, expect, it } from 'vitest'
import { parseHints, readmeTitle } from './hints.ts'

const README = `# 03 · Counter

Build a counter.

## 1. A counter

Do this.

## Hints

### 1. A counter with a client API

<details><summary>Hint 1</summary>

Use \`GenServer.startLink\`.

</details>

### 2. A named counter

\`\`\`ts
// ## not a heading, nor is this:
### 3. inside a code block
\`\`\`

## Afterwards

### 9. Not a hint
`

describe('readmeTitle', () => {
  it('takes the text after the number', () => {
    expect(readmeTitle(README)).toBe('Counter')
    expect(readmeTitle('<!-- source_hash: 0123456789ab -->\n# 03 · 카운터\n')).toBe('카운터')
  })

  it('fails on a README without a title', () => {
    expect(() => readmeTitle('no heading')).toThrow(/# NN · Title/)
  })
})

describe('parseHints', () => {
  it('reads the ### N. subsections of ## Hints, up to the next ## heading', () => {
    const hints = parseHints(README)
    expect(hints.map(({ task, title }) => ({ task, title }))).toEqual([
      { task: 1, title: 'A counter with a client API' },
      { task: 2, title: 'A named counter' },
    ])
    expect(hints[0].markdown).toMatch(/^<details><summary>Hint 1<\/summary>/)
    expect(hints[0].markdown).toContain('Use `GenServer.startLink`.')
    expect(hints[1].markdown).toContain('### 3. inside a code block')
  })

  it('reads a Korean README (## 힌트)', () => {
    const korean = '# 03 · 카운터\n\n## 힌트\n\n### 1. 클라이언트 API\n\n본문\n'
    expect(parseHints(korean)).toEqual([{ task: 1, title: '클라이언트 API', markdown: '본문' }])
  })

  it('has no hints without a hints section', () => {
    expect(parseHints('# 01 · X\n\n## 1. Task\n')).toEqual([])
  })

  it('names a hint heading that is not "### N. title"', () => {
    expect(() => parseHints('## Hints\n\n### Task one\n')).toThrow('not "### Task one"')
  })
})
