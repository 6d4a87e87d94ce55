import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: {
    // `import ... from 'letitcrash'` means this repository's runtime, everywhere.
    alias: { letitcrash: fileURLToPath(new URL('./runtime/index.ts', import.meta.url)) },
  },
  test: {
    include: [
      'runtime/**/*.test.ts',
      'scripts/**/*.test.ts',
      'chat/**/*.test.ts',
      'docs/**/*.test.ts',
      // The live demos' logic (layout, scenarios) beside their components.
      '.vitepress/theme/**/*.test.ts',
    ],
    // The runtime's own tests keep crash reports quiet; see runtime/test/setup.ts.
    setupFiles: ['runtime/test/setup.ts'],
  },
})
