/**
 * A task's hints, split into the steps the panel reveals one at a time. A README writes each
 * step as `<details><summary>Hint 1</summary> … </details>` under the task's `### N. title`;
 * the runner hands over that subsection as HTML, and each `<details>` becomes one step. A
 * subsection written without them is a single step.
 */
export interface HintStep {
  /** `Hint 1`, from the `<summary>`; empty when the README gave none. */
  readonly label: string
  readonly html: string
}

const DETAILS = /<details[^>]*>\s*<summary[^>]*>([\s\S]*?)<\/summary>([\s\S]*?)<\/details>/g

export function hintSteps(html: string): HintStep[] {
  const steps = [...html.matchAll(DETAILS)].map(([, label, body]) => ({
    label: label.replace(/<[^>]+>/g, '').trim(),
    html: body.trim(),
  }))
  // Text around the <details> blocks (rare) introduces the task's hints: keep it with the first.
  const around = html.replace(DETAILS, '').trim()
  if (steps.length === 0) return around ? [{ label: '', html: around }] : []
  if (around) steps[0] = { ...steps[0], html: `${around}\n${steps[0].html}` }
  return steps
}
