/**
 * Vitest for the browser tests in `tests/` (chromium through playwright-core, against the built
 * site): `npm run test:e2e` builds the site and runs them. Not part of `npm test`'s suite.
 */
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
