/**
 * `npm run lock:fix`: adds to package-lock.json the platform-specific optional packages
 * (`@rollup/rollup-darwin-arm64`, `@biomejs/cli-win32-x64`, ...) that this machine's registry
 * mirror does not serve. `npm install` here leaves them out of the lock file, and `npm ci`
 * then refuses the lock as out of sync. Each one gets an entry with its version and the
 * os/cpu/libc its name says, so npm skips it on Linux and would fetch it elsewhere (without
 * an integrity hash, which the mirror cannot give). Run it after every `npm install`.
 */
import { readFileSync, writeFileSync } from 'node:fs'

interface Entry {
  version?: string
  dev?: boolean
  optional?: boolean
  optionalDependencies?: Record<string, string>
  [key: string]: unknown
}

const OS = [
  'android',
  'darwin',
  'freebsd',
  'linux',
  'netbsd',
  'openbsd',
  'openharmony',
  'sunos',
  'win32',
  'aix',
]
const CPU = [
  'x64',
  'arm64',
  'ia32',
  'arm',
  'loong64',
  'ppc64',
  'riscv64',
  's390x',
  'mips64el',
  'wasm32',
]

const path = new URL('../package-lock.json', import.meta.url)
const lock = JSON.parse(readFileSync(path, 'utf8')) as { packages: Record<string, Entry> }
let added = 0
for (const [key, entry] of Object.entries(lock.packages)) {
  for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
    const where = `node_modules/${name}`
    if (lock.packages[where] !== undefined) continue
    const parts = name.split(/[-/]/)
    const os = OS.find((o) => parts.includes(o))
    const cpu = CPU.find((c) => parts.includes(c)) ?? (parts.includes('arm') ? 'arm' : undefined)
    if (os === undefined) continue // not a platform package: leave it to npm
    lock.packages[where] = {
      version: range.replace(/^[\^~=]/, ''),
      ...(cpu ? { cpu: [cpu] } : {}),
      ...(entry.dev ? { dev: true } : {}),
      ...(name.includes('musl')
        ? { libc: ['musl'] }
        : name.includes('gnu')
          ? { libc: ['glibc'] }
          : {}),
      optional: true,
      os: [os],
    }
    added++
    void key
  }
}
const sorted = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) =>
    a === '' ? -1 : b === '' ? 1 : a.localeCompare(b),
  ),
)
writeFileSync(path, `${JSON.stringify({ ...lock, packages: sorted }, null, 2)}\n`)
console.log(`package-lock.json: added ${added} platform package entries`)
