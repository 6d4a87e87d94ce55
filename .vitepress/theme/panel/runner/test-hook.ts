/**
 * For the browser test (tests/e2e/runner.test.ts): a page opened with `?runner-test` gets
 * `window.letitcrashRunner()`, which loads the runner, so that the test can call it without
 * going through the panel's buttons. Other pages get nothing, and nothing loads.
 */
export function exposeRunnerForTests(): void {
  if (typeof window === 'undefined') return
  if (!new URLSearchParams(window.location.search).has('runner-test')) return
  ;(window as { letitcrashRunner?: unknown }).letitcrashRunner = () => import('./index.ts')
}
