// The README's example must be the file that this test runs, and it must run as written.
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))
const MARKER = '<!-- example: scripts/readme-example.ts -->'

/** The fenced code block that follows the marker in the README. */
function readmeExample(): string {
  const readme = readFileSync(`${root}README.md`, 'utf8')
  const at = readme.indexOf(MARKER)
  if (at === -1) throw new Error(`README.md has no ${MARKER} line`)
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(at))
  if (block === null) throw new Error(`README.md has no \`\`\`ts block after ${MARKER}`)
  return block[1]
}

describe('README example', () => {
  it('is the same code as scripts/readme-example.ts', () => {
    expect(readmeExample()).toBe(readFileSync(`${root}scripts/readme-example.ts`, 'utf8'))
  })

  it('runs: the counter crashes and comes back from the supervisor with a fresh state', async () => {
    // Run it the way a reader would, in its own Node process (so 'letitcrash' resolves
    // through package.json, not through vitest's alias).
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'scripts/readme-example.ts'],
      { cwd: root, timeout: 20_000 },
    )
    const lines = stdout.trim().split('\n')
    expect(lines[0]).toBe('count: 2')
    expect(stdout).toMatch(/\[crash\] GenServer #PID<\S+> \(counter\) terminating: Error: boom/)
    expect(stdout).toMatch(/call failed: .*boom/)
    const restarted = /restarted: (#PID<\S+>) -> (#PID<\S+>)/.exec(stdout)
    expect(restarted).not.toBeNull()
    expect(restarted![2]).not.toBe(restarted![1])
    expect(lines.at(-1)).toBe('count: 0')
  }, 30_000)
})
