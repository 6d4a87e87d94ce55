/**
 * The default theme, plus twoslash hovers on type-checked samples. Later: the exercise panel and
 * the live demos register their components here (`app.component('ExercisePanel', ...)`).
 */
import TwoslashFloatingVue from '@shikijs/vitepress-twoslash/client'
import '@shikijs/vitepress-twoslash/style.css'
import type { Theme } from 'vitepress'
import DefaultTheme from 'vitepress/theme'
import { defineAsyncComponent } from 'vue'
import './custom.css'
import { exposeRunnerForTests } from './panel/runner/test-hook.ts'

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    // The plugin patches `app.component` to tweak floating-vue's popper, whose internals moved
    // in floating-vue 5.4 ("Failed to patch FloatingVue" in the console). Installing through a
    // stand-in app leaves the real `app.component` alone; floating-vue itself still installs
    // on `app`, with the plugin's themes.
    TwoslashFloatingVue.install(Object.create(app), {})
    // `?runner-test` pages let tests/e2e/runner.test.ts call the exercise runner directly.
    exposeRunnerForTests()
    // Live demos (chapters 3, 4, 8): each loads its code, and the runtime, only when used.
    app.component(
      'SupervisionTreeDemo',
      defineAsyncComponent(() => import('./demos/SupervisionTreeDemo.vue')),
    )
    app.component(
      'MessageFlowDemo',
      defineAsyncComponent(() => import('./demos/MessageFlowDemo.vue')),
    )
    app.component(
      'ClusterDemo',
      defineAsyncComponent(() => import('./demos/ClusterDemo.vue')),
    )
    // The exercise panel (exercise pages) and the progress list (exercises index). The panel's
    // first chunk is a button; the editor and the runner load when the learner opens it.
    app.component(
      'ExercisePanel',
      defineAsyncComponent(() => import('./panel/components/ExercisePanel.vue')),
    )
    app.component(
      'ExerciseProgress',
      defineAsyncComponent(() => import('./panel/components/ExerciseProgress.vue')),
    )
  },
} satisfies Theme
