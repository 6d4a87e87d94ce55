/**
 * A VitePress data loader: the list of exercises for the progress page, read from
 * `exercises/NN-slug/meta.json` at build time, with the locales that have a page for each.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { listExercises, readMeta, repoRoot } from '../../../../scripts/exercises/catalog.ts'
import type { Locale } from '../contract.ts'

export interface ExerciseEntry {
  /** `03-counter` */
  readonly id: string
  readonly number: string
  /** The page title per locale that has a page for this exercise. */
  readonly titles: Partial<Record<Locale, string>>
}

/** Where a locale's exercise page is, as a file under `docs/`. */
const pageFile = (locale: Locale, id: string) =>
  join(repoRoot, 'docs', locale === 'en' ? '' : locale, 'exercises', `${id}.md`)

/** The `title:` of a page's front matter, quotes removed. */
function frontMatterTitle(file: string): string | undefined {
  const title = /^---\r?\n[\s\S]*?^title:\s*(.+?)\s*$/m.exec(readFileSync(file, 'utf8'))?.[1]
  return title?.replace(/^(['"])(.*)\1$/, '$2')
}

export default {
  watch: ['../../../../exercises/*/meta.json', '../../../../docs/**/exercises/*.md'],
  load(): ExerciseEntry[] {
    return listExercises().map((exercise) => {
      const titles: Partial<Record<Locale, string>> = {}
      for (const locale of ['en', 'ko'] as const) {
        const file = pageFile(locale, exercise.folder)
        if (existsSync(file))
          titles[locale] = frontMatterTitle(file) ?? readMeta(exercise)?.title ?? exercise.slug
      }
      return { id: exercise.folder, number: exercise.number, titles }
    })
  },
}

declare const data: ExerciseEntry[]

export { data }
