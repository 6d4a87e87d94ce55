/**
 * Bundles the browser client: `app.ts` (the chat) and `ops.ts` (the `/ops` page), with the
 * official `phoenix` client inside, into `chat/web/dist/` (git-ignored). `npm run chat` runs
 * it first (`npm run chat:web`); the browser test calls {@link buildWeb} itself.
 */
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url))

/** Writes `dist/app.js` and `dist/ops.js` (with source maps). */
export async function buildWeb(): Promise<void> {
  await build({
    entryPoints: { app: here('./app.ts'), ops: here('./ops.ts') },
    outdir: here('./dist/'),
    bundle: true,
    format: 'esm',
    target: 'es2020',
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
  })
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildWeb()
}
