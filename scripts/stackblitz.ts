/**
 * Turns an exercise into a StackBlitz project: the payload `@stackblitz/sdk`'s `embedProject` /
 * `openProject` take. `npm install && npm test` in it runs the exercise's tests (per-task
 * summary included); `npm start` runs them in watch mode.
 *
 *   exercises/01-ping-pong/…   the exercise (README, starter or solution, tests), as in the repo
 *   letitcrash/*.ts            a copy of runtime/*.ts; vitest and tsconfig alias 'letitcrash' to it
 *   chat/…                     any other repository file the exercise imports relatively
 *   package.json               vitest, @types/node, and the packages the code imports
 *   package-lock.json          cached in scripts/stackblitz-locks/ (npm run stackblitz:lock)
 *   vitest.config.ts, vitest.setup.ts, task-reporter.ts, tsconfig.json, README.md
 *
 * The runtime is aliased rather than installed as a `file:` dependency: a plain folder needs no
 * link in node_modules, and the lock file then lists registry packages only, so one cached lock
 * serves every exercise with the same dependencies.
 *
 * @example
 * import sdk from '@stackblitz/sdk'
 * sdk.openProject(buildProject('01-ping-pong', { variant: 'starter' }), {
 *   openFile: 'exercises/01-ping-pong/ping-pong.ts',
 * })
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { isBuiltin } from 'node:module'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { type Exercise, findExercise, readMeta, repoRoot } from './exercises/catalog.ts'

export interface StackBlitzProject {
  readonly title: string
  readonly description: string
  readonly template: 'node'
  /** Path in the project → file content. */
  readonly files: Record<string, string>
}

export interface BuildOptions {
  /** `'starter'` (what the learner starts from) or `'solution'` (the reference files swapped in). */
  readonly variant: 'starter' | 'solution'
}

/** The packages every project needs besides the ones its code imports. */
const BASE_DEV_DEPENDENCIES = ['vitest', '@types/node']
/** Where cached lock files live: `scripts/stackblitz-locks/<key>/package-lock.json`. */
export const locksDir = join(repoRoot, 'scripts', 'stackblitz-locks')

/**
 * The StackBlitz project for `exercise` (`'01-ping-pong'`, `'01'` or `'ping-pong'`).
 * @example const { files } = buildProject('01', { variant: 'solution' })
 */
export function buildProject(
  exercise: string,
  options: BuildOptions = { variant: 'starter' },
): StackBlitzProject {
  const found = findExercise(exercise)
  if (!found) throw new Error(`No exercise '${exercise}' in exercises/`)
  if (options.variant !== 'starter' && options.variant !== 'solution')
    throw new TypeError(
      `Expected \`options.variant\` to be 'starter' or 'solution', got \`${String(options.variant)}\``,
    )
  const files: Record<string, string> = {}
  for (const name of readdirSync(found.dir)) {
    if (name === 'meta.json' || !statSync(join(found.dir, name)).isFile()) continue
    const solution = join(found.solutionDir, name)
    const source =
      options.variant === 'solution' && existsSync(solution) ? solution : join(found.dir, name)
    files[`exercises/${found.folder}/${name}`] = readFileSync(source, 'utf8')
  }
  for (const name of readdirSync(join(repoRoot, 'runtime')).filter((n) => n.endsWith('.ts')))
    files[`letitcrash/${name}`] = readFileSync(join(repoRoot, 'runtime', name), 'utf8')
  const packages = followImports(files)
  const packageJson = projectPackageJson(packages)
  Object.assign(files, supportFiles(found))
  files['package.json'] = `${JSON.stringify(packageJson, null, 2)}\n`
  const lock = cachedLock(packageJson)
  if (lock !== undefined) files['package-lock.json'] = lock
  const meta = readMeta(found)
  const title = `Let It Crash ${found.number}: ${meta?.title ?? found.slug}`
  const description = `Exercise ${found.folder} of the Let It Crash course${
    options.variant === 'solution' ? ' (reference solution)' : ''
  }: read exercises/${found.folder}/README.md, then run npm test.`
  return { title, description, template: 'node', files }
}

/** The project's `package.json` for the given runtime dependencies. */
export function projectPackageJson(packages: ReadonlySet<string>) {
  const root = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'))
  const versionOf = (name: string): string => {
    const version = root.dependencies?.[name] ?? root.devDependencies?.[name]
    if (version === undefined)
      throw new Error(`The exercise imports '${name}', which the repository's package.json lacks`)
    return version
  }
  const pick = (names: Iterable<string>) =>
    Object.fromEntries([...names].sort().map((name) => [name, versionOf(name)]))
  return {
    name: 'letitcrash-exercise',
    private: true,
    type: 'module',
    scripts: { test: 'vitest run', start: 'vitest' },
    dependencies: pick([...packages].filter((name) => !BASE_DEV_DEPENDENCIES.includes(name))),
    devDependencies: pick(BASE_DEV_DEPENDENCIES),
  }
}

/** The cache key of a dependency set: `vitest+xstate`-like, safe as a folder name. */
export function lockKey(packageJson: ReturnType<typeof projectPackageJson>): string {
  const names = Object.keys({ ...packageJson.dependencies, ...packageJson.devDependencies })
  return names
    .sort()
    .map((name) => name.replace(/^@/, '').replace('/', '-'))
    .join('+')
}

/** The cached lock file for `packageJson`, if one exists for exactly its dependencies. */
function cachedLock(packageJson: ReturnType<typeof projectPackageJson>): string | undefined {
  const file = join(locksDir, lockKey(packageJson), 'package-lock.json')
  if (!existsSync(file)) return undefined
  const lock = readFileSync(file, 'utf8')
  const root = JSON.parse(lock).packages?.['']
  const same = (a: object = {}, b: object = {}) => JSON.stringify(a) === JSON.stringify(b)
  const fresh =
    same(root?.dependencies, packageJson.dependencies) &&
    same(root?.devDependencies, packageJson.devDependencies)
  return fresh ? lock : undefined
}

/**
 * Adds to `files` every repository file their relative imports reach, transitively, and returns
 * the npm packages they import. The runtime must be imported as `'letitcrash'`.
 */
function followImports(files: Record<string, string>): Set<string> {
  const packages = new Set<string>(BASE_DEV_DEPENDENCIES)
  const pending = Object.keys(files).filter((path) => path.endsWith('.ts'))
  for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
    const repoPath = path.startsWith('letitcrash/') ? `runtime/${path.slice(11)}` : path
    for (const specifier of importsOf(files[path])) {
      if (specifier.startsWith('.')) {
        const target = relative(repoRoot, resolve(repoRoot, dirname(repoPath), specifier))
        const projectPath = target.split(sep).join('/')
        if (projectPath.startsWith('runtime/') && !path.startsWith('letitcrash/'))
          throw new Error(`${path} imports ${specifier}: import the runtime as 'letitcrash'`)
        if (projectPath.startsWith('..') || projectPath in files || path.startsWith('letitcrash/'))
          continue
        files[projectPath] = readFileSync(join(repoRoot, target), 'utf8')
        pending.push(projectPath)
      } else if (specifier !== 'letitcrash' && !isBuiltin(specifier)) {
        packages.add(packageName(specifier))
      }
    }
  }
  return packages
}

/** The module specifiers a TypeScript file imports or re-exports. */
function importsOf(source: string): string[] {
  const pattern =
    /^\s*(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm
  return [...source.matchAll(pattern)].map((m) => m[1] ?? m[2] ?? m[3])
}

/** `@scope/name` or `name`, without a subpath. */
function packageName(specifier: string): string {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
}

/** The config, setup and reporter files every project has. */
function supportFiles(exercise: Exercise): Record<string, string> {
  const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8')
  return {
    'vitest.setup.ts': read('scripts/exercises/setup.ts'),
    'task-reporter.ts': read('scripts/exercises/task-reporter.ts'),
    'vitest.config.ts': VITEST_CONFIG,
    'tsconfig.json': `${JSON.stringify(TSCONFIG, null, 2)}\n`,
    'README.md': readme(exercise),
  }
}

const VITEST_CONFIG = `import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { TaskReporter } from './task-reporter.ts'

export default defineConfig({
  // The runtime is a folder in this project, not a package: point 'letitcrash' at it.
  resolve: { alias: { letitcrash: fileURLToPath(new URL('./letitcrash/index.ts', import.meta.url)) } },
  test: {
    include: ['exercises/**/*.test.ts'],
    setupFiles: ['./vitest.setup.ts'],
    testTimeout: 2000,
    reporters: [new TaskReporter()],
  },
})
`

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2023', 'DOM'],
    module: 'ESNext',
    moduleResolution: 'Bundler',
    allowImportingTsExtensions: true,
    verbatimModuleSyntax: true,
    noEmit: true,
    strict: true,
    skipLibCheck: true,
    isolatedModules: true,
    types: ['node'],
    paths: { letitcrash: ['./letitcrash/index.ts'] },
  },
  include: ['**/*.ts'],
  exclude: ['node_modules'],
}

function readme(exercise: Exercise): string {
  return `# Let It Crash: exercise ${exercise.folder}

The task is in [exercises/${exercise.folder}/README.md](exercises/${exercise.folder}/README.md).

- \`npm test\` runs the exercise's tests once and prints which tasks pass.
- \`npm start\` runs them again on every save.

\`letitcrash/\` is the runtime the exercise builds on: read it whenever you wonder how
something works.
`
}
