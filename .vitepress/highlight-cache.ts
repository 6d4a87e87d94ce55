/**
 * Highlights each distinct code sample once per build. VitePress renders a page's Markdown
 * several times (client bundle, server bundle, search index), and the Korean pages show the
 * same samples as the English ones, so a full build asks Shiki and twoslash for about five
 * times as many highlights as there are distinct samples; rendering a twoslash sample's hovers
 * is the slowest step of the build. The result depends only on the code, its language and the
 * fence's attributes, so it can be reused.
 */
import type { MarkdownRenderer } from 'vitepress'

/** Enough for every sample of the course; the oldest go first (`npm start` keeps running). */
const LIMIT = 4000
/**
 * Shared by every renderer VitePress creates (one per bundle, one for the search index): they
 * are all built from the same options, so they highlight alike.
 */
const cache = new Map<string, string>()

export function highlightCache(md: MarkdownRenderer): void {
  const highlight = md.options.highlight
  if (!highlight) return
  md.options.highlight = (code, lang, attrs) => {
    const key = `${lang}\u0000${attrs}\u0000${code}`
    const cached = cache.get(key)
    if (cached !== undefined) return cached
    // A sample that fails to compile throws here, and nothing is cached for it.
    const html = highlight(code, lang, attrs)
    if (cache.size >= LIMIT) cache.delete(cache.keys().next().value!)
    cache.set(key, html)
    return html
  }
}
