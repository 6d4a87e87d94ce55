/**
 * The course site: shared settings here, one config per locale in `locales/` (English at the
 * root; a Korean locale goes under `docs/ko/` with its own sidebar, from the same chapter list).
 */
import { defineConfig } from 'vitepress'
import { en } from './locales/en.ts'
import { snippetChecks, twoslash } from './markdown.ts'

export default defineConfig({
  title: 'Let It Crash',
  srcDir: 'docs',
  // docs/README.md describes the folder for people browsing the repository; it is not a page.
  srcExclude: ['README.md', 'examples/**'],
  cleanUrls: true,
  lastUpdated: false,
  // Any link to a page that does not exist fails the build.
  ignoreDeadLinks: false,
  sitemap: { hostname: 'https://letitcrash.invalid' },
  head: [
    ['link', { rel: 'icon', type: 'image/svg+xml', href: '/favicon.svg' }],
    ['meta', { name: 'theme-color', content: '#c2410c' }],
  ],

  markdown: {
    theme: { light: 'github-light', dark: 'github-dark' },
    codeTransformers: [twoslash()],
    languages: ['ts', 'elixir'],
    config: (md) => md.use(snippetChecks),
  },

  themeConfig: {
    search: { provider: 'local' },
  },

  locales: {
    root: en,
    // ko: { ...ko, link: '/ko/' }: pages in docs/ko/, a sidebar from sidebar('ko', labels).
  },
})
