/**
 * `npm run i18n:status`: the Korean translations that are missing or stale, each with the hash to
 * record once it is written or updated (see `translations.ts`). Exits with 1 when any is.
 */
import { fileURLToPath } from 'node:url'
import { explain, translationStatus } from './translations.ts'

const root = fileURLToPath(new URL('..', import.meta.url))
const findings = translationStatus(root)
const todo = findings.filter((finding) => finding.status.kind !== 'ok')

for (const kind of ['missing', 'unrecorded', 'stale'] as const) {
  const some = todo.filter((finding) => finding.status.kind === kind)
  if (some.length === 0) continue
  console.log(`\n${kind} (${some.length}):`)
  for (const finding of some) console.log(`  ${explain(finding)}`)
}
console.log(
  `\n${findings.length - todo.length} of ${findings.length} English texts have an up-to-date Korean translation.`,
)
process.exitCode = todo.length === 0 ? 0 : 1
