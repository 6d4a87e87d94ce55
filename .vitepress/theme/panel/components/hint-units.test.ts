import { describe, expect, it } from 'vitest'
import { hintSteps } from './hint-units.ts'

describe('hintSteps', () => {
  it('makes each <details> block one step, labelled by its summary', () => {
    const html =
      '<details><summary>Hint 1</summary>\n<p>First.</p>\n</details>\n<details><summary>Hint <em>2</em></summary><p>Second.</p></details>'
    expect(hintSteps(html)).toEqual([
      { label: 'Hint 1', html: '<p>First.</p>' },
      { label: 'Hint 2', html: '<p>Second.</p>' },
    ])
  })

  it('keeps text around the blocks with the first step', () => {
    const html = '<p>Intro.</p>\n<details><summary>Hint 1</summary><p>First.</p></details>'
    expect(hintSteps(html)).toEqual([{ label: 'Hint 1', html: '<p>Intro.</p>\n<p>First.</p>' }])
  })

  it('makes a hint written without <details> a single step, and nothing no step', () => {
    expect(hintSteps('<p>Just this.</p>')).toEqual([{ label: '', html: '<p>Just this.</p>' }])
    expect(hintSteps('  ')).toEqual([])
  })
})
