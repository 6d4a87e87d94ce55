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
  {
    number: 0,
    slug: '00-how-to-use',
    title: { en: 'How to use this course', ko: '이 강좌를 활용하는 법' },
  },
  {
    number: 1,
    slug: '01-processes-and-messages',
    title: { en: 'Processes and messages', ko: '프로세스와 메시지' },
  },
  {
    number: 2,
    slug: '02-let-it-crash',
    title: { en: 'Let it crash: links and monitors', ko: 'Let it crash: 링크와 모니터' },
  },
  { number: 3, slug: '03-genserver', title: { en: 'GenServer', ko: 'GenServer' } },
  { number: 4, slug: '04-supervisor', title: { en: 'Supervisor', ko: '슈퍼바이저' } },
  { number: 5, slug: '05-application', title: { en: 'Application', ko: '애플리케이션' } },
  {
    number: 6,
    slug: '06-task-and-isolation',
    title: { en: 'Task and isolation', ko: 'Task와 격리' },
  },
  { number: 7, slug: '07-load-balancing', title: { en: 'Load balancing', ko: '부하 분산' } },
  { number: 8, slug: '08-distribution', title: { en: 'Distribution', ko: '분산' } },
  {
    number: 9,
    slug: '09-chat-application',
    title: { en: 'The chat application', ko: '채팅 애플리케이션' },
  },
  { number: 10, slug: '10-persistence', title: { en: 'Persistence', ko: '영속성' } },
  { number: 11, slug: '11-channels', title: { en: 'Real time: channels', ko: '실시간: 채널' } },
  { number: 12, slug: '12-security', title: { en: 'Security', ko: '보안' } },
  {
    number: 13,
    slug: '13-monitoring',
    title: { en: 'Monitoring and load testing', ko: '모니터링과 부하 테스트' },
  },
  {
    number: 14,
    slug: '14-high-availability',
    title: { en: 'High-availability design', ko: '고가용성 설계' },
  },
  { number: 15, slug: '15-where-next', title: { en: 'Where to go next', ko: '다음 단계' } },
]
