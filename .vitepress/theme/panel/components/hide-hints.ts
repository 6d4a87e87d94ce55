/**
 * A markdown-it plugin that leaves the `## Hints` section (`## 힌트` in Korean) of an exercise
 * README out of the exercise's page: the page includes the whole README, and the hints are
 * revealed one at a time in the exercise panel instead. It runs on every exercise page
 * (`exercises/NN-slug.md`, in any locale folder) and nowhere else, and it also keeps the hints
 * out of the local search index, which renders pages with the same plugins.
 *
 * Working on tokens rather than on lines keeps it right whatever the README's length, and
 * leaves a `## Hints` inside a code block alone. The section ends at the next `#`/`##` heading
 * or at a Vue component (`<ExercisePanel …/>`), whichever comes first.
 */
import type { MarkdownRenderer } from 'vitepress'

/** The titles of the hints section, per locale. */
export const HINT_HEADINGS: readonly string[] = ['Hints', '힌트']

const EXERCISE_PAGE = /(^|\/)exercises\/\d\d-[^/]+\.md$/

export function hideHints(md: MarkdownRenderer): void {
  md.core.ruler.push('hide_exercise_hints', (state) => {
    const page: unknown = state.env?.relativePath
    if (typeof page !== 'string' || !EXERCISE_PAGE.test(page)) return
    const tokens = state.tokens
    const start = tokens.findIndex(
      (token, i) =>
        token.type === 'heading_open' &&
        token.tag === 'h2' &&
        HINT_HEADINGS.includes(tokens[i + 1]?.content.trim() ?? ''),
    )
    if (start === -1) return
    // The section ends at the next heading of the same or a higher level, or at the first Vue
    // component after it: the page's own <ExercisePanel> follows the included README.
    const next = tokens.findIndex(
      (token, i) =>
        i > start &&
        ((token.type === 'heading_open' && ['h1', 'h2'].includes(token.tag)) ||
          // VitePress parses a component on its own line as a block-level `html_inline`.
          (token.type.startsWith('html_') && /^<[A-Z]/.test(token.content))),
    )
    tokens.splice(start, (next === -1 ? tokens.length : next) - start)
  })
}
