/**
 * Build time (Node): reads one exercise from the repository into the data the panel loads:
 * its files sorted into starter / solution / given / tests, its hints rendered to HTML, and
 * whether its tests can run in a browser (the rule in imports.ts).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative, resolve, sep } from 'node:path'
import MarkdownIt from 'markdown-it'
import { createHighlighter, type Highlighter } from 'shiki'
import { listExercises } from '../../../../scripts/exercises/catalog.ts'
import { type HintSection, parseHints, readmeTitle } from './hints.ts'
import { browserSupport, importsOf, isRelative, resolvePath } from './imports.ts'
import type { ExerciseData, Hint } from './types.ts'

/** The exercise ids (`'03-counter'`), in order. */
export function exerciseIds(root: string): string[] {
  return listExercises(root).map((exercise) => exercise.folder)
}

/** The TypeScript files directly in `dir`, name → content. */
function tsFiles(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {}
  const files: Record<string, string> = {}
  for (const name of readdirSync(dir).sort()) {
    if (name.endsWith('.ts')) files[name] = readFileSync(join(dir, name), 'utf8')
  }
  return files
}

export interface ExerciseFiles {
  readonly starter: Record<string, string>
  readonly solution: Record<string, string>
  readonly given: Record<string, string>
  readonly tests: Record<string, string>
  /** Every file read from disk (with the outside ones), for the dev server to watch. */
  readonly paths: string[]
}

/**
 * Sorts the files: tests are `*.test.ts`; the learner edits the files that `solutions/<id>/`
 * replaces; the exercise's other files are given, and so are files outside the folder that
 * any of them imports (`../../chat/...`), keyed by their path from the exercise folder.
 */
export function exerciseFiles(root: string, id: string): ExerciseFiles {
  const folder = join(root, 'exercises', id)
  if (!existsSync(folder)) throw new Error(`No exercise folder ${relative(root, folder)}`)
  const own = tsFiles(folder)
  const solution = tsFiles(join(root, 'solutions', id))
  const files: Omit<ExerciseFiles, 'paths'> = { starter: {}, solution, given: {}, tests: {} }
  for (const [name, content] of Object.entries(own)) {
    if (name.endsWith('.test.ts')) files.tests[name] = content
    else if (name in solution) files.starter[name] = content
    else files.given[name] = content
  }
  for (const name of Object.keys(solution)) {
    if (!(name in own)) {
      throw new Error(
        `solutions/${id}/${name} has no starter: add exercises/${id}/${name} for the learner to edit`,
      )
    }
  }
  const paths = Object.keys(own).map((name) => join(folder, name))
  paths.push(...Object.keys(solution).map((name) => join(root, 'solutions', id, name)))

  // Follow relative imports that leave the folder, and what those files import in turn.
  const pending = Object.entries({ ...own, ...solution })
  while (pending.length > 0) {
    const [from, source] = pending.pop()!
    for (const specifier of importsOf(source).filter(isRelative)) {
      const key = resolvePath(from, specifier)
      if (!key.startsWith('../') || key in files.given) continue
      const path = resolve(folder, key)
      if (!path.startsWith(resolve(root) + sep) || !existsSync(path)) {
        throw new Error(`exercises/${id}/${from} imports ${specifier}, which does not exist`)
      }
      files.given[key] = readFileSync(path, 'utf8')
      paths.push(path)
      pending.push([key, files.given[key]])
    }
  }
  return { ...files, paths }
}

/** Everything the panel needs about the exercise `id`; `read` hears of each file read. */
export async function readExercise(
  root: string,
  id: string,
  read: (path: string) => void = () => {},
): Promise<ExerciseData> {
  const { paths, ...files } = exerciseFiles(root, id)
  const support = browserSupport({
    ...files.tests,
    ...files.starter,
    ...files.solution,
    ...files.given,
  })
  const readme = (locale: string) => {
    const path = join(root, 'exercises', id, locale === 'en' ? 'README.md' : `README.${locale}.md`)
    paths.push(path)
    return existsSync(path) ? readFileSync(path, 'utf8') : undefined
  }
  const en = readme('en')
  if (en === undefined) throw new Error(`exercises/${id}/README.md is missing`)
  const ko = readme('ko')
  for (const path of paths) read(path)
  return {
    id,
    title: { en: readmeTitle(en), ...(ko !== undefined && { ko: readmeTitle(ko) }) },
    hints: {
      en: await renderHints(parseHints(en)),
      ...(ko !== undefined && { ko: await renderHints(parseHints(ko)) }),
    },
    ...files,
    runsInBrowser: support.runsInBrowser,
    ...(!support.runsInBrowser && { reason: support.reason }),
  }
}

let markdown: Promise<MarkdownIt> | undefined

/**
 * Markdown → HTML for the hints, with code blocks highlighted in the site's two themes and
 * marked up as VitePress marks them, so they look the same inside an element of class `vp-doc`.
 */
function renderer(): Promise<MarkdownIt> {
  markdown ??= createHighlighter({
    themes: ['github-light', 'github-dark'],
    langs: ['ts', 'js', 'sh'],
  }).then((highlighter: Highlighter) => {
    const md = new MarkdownIt({ html: true, linkify: false })
    md.renderer.rules.fence = (tokens, index) => {
      const { content, info } = tokens[index]
      const lang = info.trim().split(/\s+/)[0] || 'text'
      const known = highlighter.getLoadedLanguages().includes(lang)
      const html = highlighter.codeToHtml(content.replace(/\n$/, ''), {
        lang: known ? lang : 'text',
        themes: { light: 'github-light', dark: 'github-dark' },
        defaultColor: false,
      })
      const code = html.replace('<pre class="shiki', '<pre class="shiki vp-code')
      return `<div class="language-${lang} vp-adaptive-theme"><span class="lang">${lang}</span>${code}</div>\n`
    }
    return md
  })
  return markdown
}

async function renderHints(sections: readonly HintSection[]): Promise<Hint[]> {
  const md = await renderer()
  return sections.map(({ task, title, markdown }) => ({
    task,
    // Plain text: the panel shows titles as text; `code` marks would show as backticks.
    title: title.replaceAll('`', ''),
    html: md.render(markdown),
  }))
}
