import type { Project } from '@stackblitz/sdk'
import { describe, expect, it } from 'vitest'
import { supportsEmbed, withLearnerCode } from './stackblitz.ts'

const project: Project = {
  title: 'Let It Crash 03: Counter',
  template: 'node',
  files: {
    'exercises/03-counter/counter.ts': 'starter',
    'exercises/03-counter/counter.test.ts': 'tests',
    'package.json': '{}',
  },
}

describe('withLearnerCode', () => {
  it("puts the learner's code in place of the exercise's starter files", () => {
    const merged = withLearnerCode(project, '03-counter', { 'counter.ts': 'mine' })
    expect(merged.files['exercises/03-counter/counter.ts']).toBe('mine')
    expect(merged.files['exercises/03-counter/counter.test.ts']).toBe('tests')
    expect(project.files['exercises/03-counter/counter.ts'], 'the payload is not changed').toBe(
      'starter',
    )
  })

  it('adds no file the project does not have', () => {
    const merged = withLearnerCode(project, '03-counter', { 'stray.ts': 'x' })
    expect(Object.keys(merged.files).sort()).toEqual(Object.keys(project.files).sort())
  })
})

describe('supportsEmbed', () => {
  const browser = (userAgent: string, brands?: string[]) =>
    ({
      userAgent,
      userAgentData: brands && { brands: brands.map((brand) => ({ brand })) },
    }) as unknown as Navigator

  it('says yes for Chromium-based browsers', () => {
    expect(supportsEmbed(browser('Mozilla/5.0 … HeadlessChrome/140', ['Chromium']))).toBe(true)
    expect(supportsEmbed(browser('Mozilla/5.0 (X11; Linux) Chrome/140.0 Safari/537.36'))).toBe(true)
  })

  it('says no for Firefox and Safari', () => {
    expect(supportsEmbed(browser('Mozilla/5.0 (X11; Linux; rv:140.0) Gecko Firefox/140.0'))).toBe(
      false,
    )
    expect(
      supportsEmbed(browser('Mozilla/5.0 (Macintosh) AppleWebKit/605 Version/18 Safari/605.1')),
    ).toBe(false)
  })
})
