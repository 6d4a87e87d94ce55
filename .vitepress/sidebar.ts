/**
 * Sidebars and nav, built from the chapter list for one locale at a time. A page shows up once
 * its Markdown file exists in that locale's folder, so a chapter or an exercise page being
 * written (or not yet translated) never becomes a dead link.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { DefaultTheme } from 'vitepress'
import { chapters } from './chapters.ts'

export type Locale = 'en' | 'ko'

/** The words a locale's sidebar and nav need. */
export interface Labels {
  readonly course: string
  readonly exercises: string
  readonly reference: string
  readonly modules: string
  readonly performance: string
  readonly chat: string
  readonly exercise: string
}

const root = fileURLToPath(new URL('..', import.meta.url))
const docs = join(root, 'docs')

/** Where a locale's pages live in the URL: `/` for English, `/ko/` for Korean. */
export function base(locale: Locale): string {
  return locale === 'en' ? '/' : `/${locale}/`
}

/** True when `page` (a path like `guide/01-processes-and-messages`) exists in the locale. */
export function hasPage(locale: Locale, page: string): boolean {
  return existsSync(join(docs, base(locale), `${page}.md`))
}

/** The chapters written in this locale, in course order. */
export function chapterItems(locale: Locale): DefaultTheme.SidebarItem[] {
  return chapters
    .filter((chapter) => hasPage(locale, `guide/${chapter.slug}`))
    .map((chapter) => ({
      text: `${chapter.number}. ${chapter.title[locale] ?? chapter.title.en}`,
      link: `${base(locale)}guide/${chapter.slug}`,
    }))
}

/** The exercise pages of this locale (`docs/exercises/NN-slug.md`), titled from their meta.json. */
export function exerciseItems(locale: Locale, labels: Labels): DefaultTheme.SidebarItem[] {
  const folder = join(docs, base(locale), 'exercises')
  if (!existsSync(folder)) return []
  return readdirSync(folder)
    .filter((file) => /^\d\d-[\w-]+\.md$/.test(file))
    .sort()
    .map((file) => {
      const exercise = file.slice(0, -3)
      return {
        text: `${labels.exercise} ${exercise.slice(0, 2)} · ${exerciseTitle(exercise, locale)}`,
        link: `${base(locale)}exercises/${exercise}`,
      }
    })
}

/**
 * An exercise's title: in Korean from the heading of `README.ko.md` (`# NN · 제목`), otherwise
 * from `exercises/NN-slug/meta.json`, or its slug when there is none yet.
 */
export function exerciseTitle(exercise: string, locale: Locale = 'en'): string {
  const translated = join(root, 'exercises', exercise, `README.${locale}.md`)
  if (locale !== 'en' && existsSync(translated)) {
    const heading = readFileSync(translated, 'utf8').match(/^# \d+ · (.+)$/m)
    if (heading) return heading[1].trim()
  }
  const meta = join(root, 'exercises', exercise, 'meta.json')
  if (existsSync(meta)) return JSON.parse(readFileSync(meta, 'utf8')).title
  return exercise.slice(3).replaceAll('-', ' ')
}

/** The generated module pages of the reference (`docs/reference/*.md`), titled from their front matter. */
export function referenceItems(locale: Locale): DefaultTheme.SidebarItem[] {
  const folder = join(docs, base(locale), 'reference')
  if (!existsSync(folder)) return []
  return readdirSync(folder)
    .filter((file) => file.endsWith('.md') && file !== 'index.md')
    .map((file) => ({
      text: JSON.parse(/^title: (.+)$/m.exec(readFileSync(join(folder, file), 'utf8'))![1]),
      link: `${base(locale)}reference/${file.slice(0, -3)}`,
    }))
    .sort((a, b) => a.text.localeCompare(b.text))
}

export function sidebar(locale: Locale, labels: Labels): DefaultTheme.Sidebar {
  const at = base(locale)
  return [
    { text: labels.course, items: chapterItems(locale) },
    {
      text: labels.exercises,
      // The group's title opens the progress page (exercises/index.md) where there is one.
      ...(hasPage(locale, 'exercises/index') ? { link: `${at}exercises/` } : {}),
      collapsed: false,
      items: exerciseItems(locale, labels),
    },
    {
      text: labels.reference,
      items: [
        {
          text: labels.modules,
          link: `${at}reference/`,
          collapsed: true,
          items: referenceItems(locale),
        },
        { text: labels.performance, link: `${at}performance` },
        ...(hasPage(locale, 'chat') ? [{ text: labels.chat, link: `${at}chat` }] : []),
      ],
    },
  ]
}

export function nav(locale: Locale, labels: Labels): DefaultTheme.NavItem[] {
  const at = base(locale)
  const first = chapterItems(locale)[0]
  return [
    { text: labels.course, link: first?.link ?? at, activeMatch: `^${at}guide/` },
    {
      text: labels.exercises,
      link: hasPage(locale, 'exercises/index')
        ? `${at}exercises/`
        : (exerciseItems(locale, labels)[0]?.link ?? at),
      activeMatch: `^${at}exercises/`,
    },
    { text: labels.reference, link: `${at}reference/`, activeMatch: `^${at}reference/` },
    ...(hasPage(locale, 'chat') ? [{ text: labels.chat, link: `${at}chat` }] : []),
  ]
}
