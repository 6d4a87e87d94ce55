/**
 * `npm run stackblitz:lock`: caches the `package-lock.json` of every StackBlitz project (one per
 * set of dependencies, shared by the exercises that need the same packages) in
 * `scripts/stackblitz-locks/<key>/package-lock.json`. Needs the npm registry; run it when an
 * exercise starts importing a new package or the repository's versions change.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { listExercises } from './exercises/catalog.ts'
import { buildProject, lockKey, locksDir } from './stackblitz.ts'

mkdirSync(locksDir, { recursive: true })
const wanted = new Map<string, string>()
for (const exercise of listExercises()) {
  const packageJson = buildProject(exercise.folder, { variant: 'starter' }).files['package.json']
  wanted.set(lockKey(JSON.parse(packageJson)), packageJson)
}

for (const [key, packageJson] of wanted) {
  const dir = mkdtempSync(join(tmpdir(), 'letitcrash-lock-'))
  try {
    writeFileSync(join(dir, 'package.json'), packageJson)
    execFileSync(
      'npm',
      ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'],
      { cwd: dir, stdio: 'inherit' },
    )
    mkdirSync(join(locksDir, key), { recursive: true })
    writeFileSync(
      join(locksDir, key, 'package-lock.json'),
      readFileSync(join(dir, 'package-lock.json')),
    )
    console.log(`cached scripts/stackblitz-locks/${key}/package-lock.json`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

// Locks no exercise needs any more would only go stale.
for (const key of readdirSync(locksDir)) {
  if (wanted.has(key)) continue
  rmSync(join(locksDir, key), { recursive: true, force: true })
  console.log(`removed scripts/stackblitz-locks/${key}/ (no exercise uses it)`)
}
