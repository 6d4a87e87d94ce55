/**
 * Reading an exercise README: its title (`# 03 · Counter`) and its hints, the `### N. title`
 * subsections of `## Hints` (`## 힌트` in a Korean README), as markdown. Pure functions; the
 * build renders the markdown to HTML (`exercises.ts`).
 */

/** The headings that open the hints section, per language. */
const HINTS_HEADINGS = ['Hints', '힌트']

export interface HintSection {
  readonly task: number
  readonly title: string
  readonly markdown: string
}

/** `'# 03 · Counter'` → `'Counter'`; the text after the number, or the whole first heading. */
export function readmeTitle(readme: string): string {
  const heading = /^# +(.+?)\s*$/m.exec(readme)
  if (!heading) throw new Error('The README has no `# NN · Title` heading on a line of its own.')
  return heading[1].replace(/^\d+\s*·\s*/, '')
}

/**
 * The hint subsections, in order. A README without a hints section has none; a hints
 * subsection whose heading is not `### N. title` is an error, naming the heading.
 */
export function parseHints(readme: string): HintSection[] {
  const lines = withoutFencedCode(readme.split(/\r?\n/))
  const start = lines.findIndex((line) => {
    const heading = /^## +(.+?)\s*$/.exec(line.text)
    return !line.inCode && heading !== null && HINTS_HEADINGS.includes(heading[1])
  })
  if (start === -1) return []
  const end = lines.findIndex((line, i) => i > start && !line.inCode && /^## /.test(line.text))
  const section = lines.slice(start + 1, end === -1 ? undefined : end)

  const hints: { task: number; title: string; body: string[] }[] = []
  for (const line of section) {
    if (!line.inCode && /^### /.test(line.text)) {
      const heading = /^### +(\d+)\. +(.+?)\s*$/.exec(line.text)
      if (!heading) {
        throw new Error(`A hint heading must read "### N. title", not "${line.text}".`)
      }
      hints.push({ task: Number(heading[1]), title: heading[2], body: [] })
    } else if (hints.length > 0) {
      hints[hints.length - 1].body.push(line.text)
    }
  }
  return hints.map(({ task, title, body }) => ({ task, title, markdown: body.join('\n').trim() }))
}

/** The lines, each marked whether it sits inside a ``` fence (where `##` is not a heading). */
function withoutFencedCode(lines: string[]): { text: string; inCode: boolean }[] {
  let inCode = false
  return lines.map((text) => {
    const fence = /^\s*(```|~~~)/.test(text)
    const marked = { text, inCode: inCode || fence }
    if (fence) inCode = !inCode
    return marked
  })
}
