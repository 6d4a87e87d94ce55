import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { listExercises, repoRoot } from './exercises/catalog.ts'
import { buildProject } from './stackblitz.ts'

const PILOT = '01-ping-pong'

describe('buildProject', () => {
  it('packs the exercise, the runtime as letitcrash/, and the project files', () => {
    const project = buildProject(PILOT, { variant: 'starter' })
    expect(project.template).toBe('node')
    expect(project.title).toBe('Let It Crash 01: Ping-pong')
    expect(Object.keys(project.files)).toEqual(
      expect.arrayContaining([
        `exercises/${PILOT}/README.md`,
        `exercises/${PILOT}/ping-pong.ts`,
        `exercises/${PILOT}/ping-pong.test.ts`,
        'letitcrash/index.ts',
        'letitcrash/process.ts',
        'package.json',
        'package-lock.json',
        'vitest.config.ts',
        'vitest.setup.ts',
        'task-reporter.ts',
        'tsconfig.json',
      ]),
    )
    expect(Object.keys(project.files).some((path) => path.includes('test/'))).toBe(false)
    const packageJson = JSON.parse(project.files['package.json'])
    expect(packageJson.scripts.test).toBe('vitest run')
    // The runtime imports xstate, so the project depends on it.
    expect(packageJson.dependencies).toHaveProperty('xstate')
  })

  it('swaps in the solution files for the solution variant, and only those', () => {
    const starter = buildProject('01', { variant: 'starter' }).files
    const solution = buildProject('ping-pong', { variant: 'solution' }).files
    const file = `exercises/${PILOT}/ping-pong.ts`
    expect(starter[file]).toContain('TODO:')
    expect(solution[file]).toBe(
      readFileSync(join(repoRoot, `solutions/${PILOT}/ping-pong.ts`), 'utf8'),
    )
    const test = `exercises/${PILOT}/ping-pong.test.ts`
    expect(solution[test]).toBe(starter[test])
  })

  it('rejects an unknown exercise and an unknown variant', () => {
    expect(() => buildProject('99-nope', { variant: 'starter' })).toThrow(/No exercise '99-nope'/)
    expect(() => buildProject(PILOT, { variant: 'answer' as 'starter' })).toThrow(
      "Expected `options.variant` to be 'starter' or 'solution', got `answer`",
    )
  })

  it('has a cached lock file for every exercise', () => {
    const missing = listExercises()
      .filter((exercise) => !buildProject(exercise.folder).files['package-lock.json'])
      .map((exercise) => exercise.folder)
    expect(missing, 'no cached lock for these: run npm run stackblitz:lock').toEqual([])
  })
})

// Slow (an npm install), so once per run and for one exercise: install once, test both variants.
describe('a StackBlitz project on disk', () => {
  it('installs, fails its tests with the starter and passes them with the solution', {
    timeout: 180_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'letitcrash-stackblitz-'))
    try {
      write(dir, buildProject(PILOT, { variant: 'starter' }).files)
      const install = await npm(dir, ['install', '--prefer-offline', '--no-audit', '--no-fund'])
      expect(install.exitCode, `npm install failed:\n${install.output}`).toBe(0)

      const starter = await npmTest(dir)
      expect(starter.exitCode, 'npm test should fail against the starter').not.toBe(0)
      expect(starter.report.numFailedTests).toBeGreaterThan(0)
      expect(JSON.stringify(starter.report)).toContain('TODO')

      write(dir, buildProject(PILOT, { variant: 'solution' }).files)
      const solution = await npmTest(dir)
      expect(solution.report.numFailedTests).toBe(0)
      expect(solution.report.numPassedTests).toBeGreaterThan(0)
      expect(solution.exitCode, 'npm test should pass against the solution').toBe(0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

function write(dir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), content)
  }
}

/** Runs npm in `dir` with this test run's vitest and exercise variables removed. */
async function npm(dir: string, args: string[]): Promise<{ exitCode: number; output: string }> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(VITEST|LETITCRASH_|NODE_ENV$)/.test(key)),
  )
  return promisify(execFile)('npm', args, { cwd: dir, env, maxBuffer: 64 << 20 })
    .then(({ stdout, stderr }) => ({ exitCode: 0, output: stdout + stderr }))
    .catch((error: { code?: number; stdout?: string; stderr?: string }) => ({
      exitCode: typeof error.code === 'number' ? error.code : 1,
      output: `${error.stdout ?? ''}${error.stderr ?? ''}`,
    }))
}

async function npmTest(dir: string) {
  const output = join(dir, 'result.json')
  rmSync(output, { force: true })
  const { exitCode, output: log } = await npm(dir, [
    'test',
    '--',
    '--reporter=json',
    `--outputFile=${output}`,
  ])
  expect(existsSync(output), `npm test wrote no report:\n${log}`).toBe(true)
  return { exitCode, report: JSON.parse(readFileSync(output, 'utf8')) }
}
