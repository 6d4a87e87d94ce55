/**
 * The default theme, plus twoslash hovers on type-checked samples. Later: the exercise panel and
 * the live demos register their components here (`app.component('ExercisePanel', ...)`).
 */
import TwoslashFloatingVue from '@shikijs/vitepress-twoslash/client'
import '@shikijs/vitepress-twoslash/style.css'
import type { Theme } from 'vitepress'
import DefaultTheme from 'vitepress/theme'
import './custom.css'

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    // The plugin patches `app.component` to tweak floating-vue's popper, whose internals moved
    // in floating-vue 5.4 ("Failed to patch FloatingVue" in the console). Installing through a
    // stand-in app leaves the real `app.component` alone; floating-vue itself still installs
    // on `app`, with the plugin's themes.
    TwoslashFloatingVue.install(Object.create(app), {})
  },
} satisfies Theme
