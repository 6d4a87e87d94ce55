/**
 * A Vite plugin that makes each exercise's StackBlitz project (`scripts/stackblitz.ts`, Node
 * only) available to the browser as `/stackblitz/<NN-slug>.json`: emitted as static files by
 * the site's build, served on the fly by the dev server. The panel fetches one only when the
 * learner opens StackBlitz, and swaps the learner's code in before posting it.
 */
import type { Plugin } from 'vite'
import { listExercises } from '../../../../scripts/exercises/catalog.ts'
import { buildProject } from '../../../../scripts/stackblitz.ts'

/** The URL path of an exercise's project, relative to the site's base. */
export const payloadPath = (id: string) => `stackblitz/${id}.json`

export function stackblitzPayloads(): Plugin {
  let ssr = false
  return {
    name: 'letitcrash:stackblitz-payloads',
    configResolved(config) {
      ssr = Boolean(config.build.ssr)
    },
    configureServer(server) {
      server.middlewares.use((request, response, next) => {
        const match = request.url?.match(/\/stackblitz\/(\d\d-[a-z0-9-]+)\.json$/)
        const exercise = match && listExercises().find((e) => e.folder === match[1])
        if (!exercise) return next()
        response.setHeader('content-type', 'application/json')
        response.end(JSON.stringify(buildProject(exercise.folder, { variant: 'starter' })))
      })
    },
    generateBundle() {
      // VitePress builds twice (the browser bundle, then the server renderer): emit once.
      if (ssr) return
      for (const exercise of listExercises())
        this.emitFile({
          type: 'asset',
          fileName: payloadPath(exercise.folder),
          source: JSON.stringify(buildProject(exercise.folder, { variant: 'starter' })),
        })
    },
  }
}
