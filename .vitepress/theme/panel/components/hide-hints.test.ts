import { readFileSync } from 'node:fs'
import { createMarkdownRenderer } from 'vitepress'
import { beforeAll, describe, expect, it } from 'vitest'
import { hideHints } from './hide-hints.ts'

type Renderer = Awaited<ReturnType<typeof createMarkdownRenderer>>
let md: Renderer
beforeAll(async () => {
  md = await createMarkdownRenderer('docs', {})
  md.use(hideHints)
})

const readme = `# 03 · Counter

## 1. A counter

Fill in the callbacks.

\`\`\`md
## Hints
inside a code block, not a heading
\`\`\`

## Hints

### 1. A counter

<details><summary>Hint 1</summary>

Return a tuple.

</details>
`

describe('hideHints', () => {
  it('leaves the hints section out of an exercise page, and keeps the tasks', () => {
    const html = md.render(readme, { relativePath: 'exercises/03-counter.md' })
    expect(html).toContain('Fill in the callbacks.')
    expect(html).toContain('inside a code block, not a heading')
    expect(html).not.toContain('Return a tuple.')
    expect(html).not.toMatch(/<h2[^>]*>Hints/)
  })

  it('leaves the Korean hints section (## 힌트) out of a Korean exercise page', () => {
    const korean =
      '# 03 · 카운터\n\n## 1. 카운터\n\n과제.\n\n## 힌트\n\n### 1. 카운터\n\n튜플을 돌려주세요.\n'
    const html = md.render(korean, { relativePath: 'ko/exercises/03-counter.md' })
    expect(html).toContain('과제.')
    expect(html).not.toContain('튜플을 돌려주세요.')
  })

  it('stops at the next section after the hints', () => {
    const html = md.render(`${readme}\n## After the hints\n\nStill here.\n`, {
      relativePath: 'exercises/03-counter.md',
    })
    expect(html).not.toContain('Return a tuple.')
    expect(html).toContain('Still here.')
  })

  it("stops at the page's own component after the included README", () => {
    const page = `${readme}\n<ExercisePanel id="03-counter" />\n`
    const html = md.render(page, { relativePath: 'exercises/03-counter.md' })
    expect(html).not.toContain('Return a tuple.')
    expect(html).toContain('<ExercisePanel id="03-counter" />')
  })

  it('changes no other page', () => {
    const html = md.render(readme, { relativePath: 'guide/03-genserver.md' })
    expect(html).toContain('Return a tuple.')
  })

  it('hides the hints of every real exercise README', () => {
    for (const id of ['01-ping-pong', '03-counter', '19-state-machine-process']) {
      const text = readFileSync(`exercises/${id}/README.md`, 'utf8')
      const html = md.render(text, { relativePath: `exercises/${id}.md` })
      expect(text).toContain('## Hints')
      expect(html, id).not.toContain('<summary>Hint 1</summary>')
      expect(html, id).toMatch(/<h2[^>]*>1\. /)
    }
  })
})
