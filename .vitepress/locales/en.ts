/** The English locale, served at the root. A Korean one (`ko.ts`, pages in `docs/ko/`) mirrors it. */
import type { DefaultTheme, LocaleSpecificConfig } from 'vitepress'
import { type Labels, nav, sidebar } from '../sidebar.ts'

const labels: Labels = {
  course: 'Course',
  exercises: 'Exercises',
  reference: 'Reference',
  modules: 'Runtime modules',
  performance: 'Performance',
  chat: 'Run the chat app',
  exercise: 'Exercise',
}

export const en: LocaleSpecificConfig<DefaultTheme.Config> & { label: string } = {
  label: 'English',
  lang: 'en',
  description: 'Learn Erlang/Elixir OTP fault tolerance by building it in TypeScript.',
  themeConfig: {
    nav: nav('en', labels),
    sidebar: sidebar('en', labels),
    outline: { level: [2, 3] },
    docFooter: { prev: 'Previous', next: 'Next' },
  },
}
