/**
 * The course's table of contents: one list, in the order of CURRICULUM.md. The sidebars of every
 * locale are built from it (see `sidebar.ts`); a chapter shows up in a locale's sidebar as soon
 * as its page exists there (`docs/guide/<slug>.md`, `docs/ko/guide/<slug>.md`). Exercises say
 * which chapter they belong to in their own `meta.json`.
 */

export interface Chapter {
  /** The CURRICULUM.md chapter number. */
  readonly number: number
  /** The page's file name in `docs/guide/`, without `.md`. */
  readonly slug: string
  /** The sidebar title, per locale; English is required. */
  readonly title: { readonly en: string; readonly ko?: string }
}

export const chapters: readonly Chapter[] = [
  { number: 0, slug: '00-how-to-use', title: { en: 'How to use this course' } },
  { number: 1, slug: '01-processes-and-messages', title: { en: 'Processes and messages' } },
  { number: 2, slug: '02-let-it-crash', title: { en: 'Let it crash: links and monitors' } },
  { number: 3, slug: '03-genserver', title: { en: 'GenServer' } },
  { number: 4, slug: '04-supervisor', title: { en: 'Supervisor' } },
  { number: 5, slug: '05-application', title: { en: 'Application' } },
  { number: 6, slug: '06-task-and-isolation', title: { en: 'Task and isolation' } },
  { number: 7, slug: '07-load-balancing', title: { en: 'Load balancing' } },
  { number: 8, slug: '08-distribution', title: { en: 'Distribution' } },
  { number: 9, slug: '09-chat-application', title: { en: 'The chat application' } },
  { number: 10, slug: '10-persistence', title: { en: 'Persistence' } },
  { number: 11, slug: '11-channels', title: { en: 'Real time: channels' } },
  { number: 12, slug: '12-security', title: { en: 'Security' } },
  { number: 13, slug: '13-monitoring', title: { en: 'Monitoring and load testing' } },
  { number: 14, slug: '14-high-availability', title: { en: 'High-availability design' } },
  { number: 15, slug: '15-where-next', title: { en: 'Where to go next' } },
]
