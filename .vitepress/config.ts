/**
 * The course site: shared settings here, one config per locale in `locales/` (English at the
 * root; a Korean locale goes under `docs/ko/` with its own sidebar, from the same chapter list).
 */
import { defineConfig } from 'vitepress'
import { highlightCache } from './highlight-cache.ts'
import { en } from './locales/en.ts'
import { ko, koSearch } from './locales/ko.ts'
import { snippetChecks, twoslash } from './markdown.ts'
import { hideHints } from './theme/panel/components/hide-hints.ts'
import { stackblitzPayloads } from './theme/panel/components/stackblitz-payloads.ts'
import { exercisesPlugin } from './theme/panel/runner/plugin.ts'

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
    // Exercise pages leave out the README's hints: the exercise panel reveals them one by one.
    // Each distinct sample is highlighted once, however many pages and renders show it.
    config: (md) => md.use(snippetChecks).use(hideHints).use(highlightCache),
  },

  // `/stackblitz/<exercise>.json`: the project the panel's StackBlitz buttons open.
  // ...and each exercise's files and hints, a chunk the panel loads when it opens.
  vite: { plugins: [stackblitzPayloads(), exercisesPlugin()] },

  themeConfig: {
    search: { provider: 'local', options: { locales: koSearch } },
  },

  locales: {
    root: en,
    // Pages in docs/ko/ mirror the English paths, so the language menu opens the same page.
    ko,
  },
})
