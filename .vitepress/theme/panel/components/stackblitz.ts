/**
 * StackBlitz from the panel: the exercise's project (built from the repository at build time,
 * see `stackblitz-payloads.ts`) with the learner's current code in place of the starter files,
 * opened in a new tab or embedded in the page. `@stackblitz/sdk` is imported on first use.
 */
import type { Project } from '@stackblitz/sdk'

/** The project as the site serves it, fetched once per exercise and page. */
const payloads = new Map<string, Promise<Project>>()

/**
 * Starts fetching the exercise's project (on hover or focus, so that a click can open a new tab
 * at once: a browser allows that only right after the click).
 */
export function prefetchProject(base: string, id: string): Promise<Project> {
  let payload = payloads.get(id)
  if (!payload) {
    payload = fetch(`${base}stackblitz/${id}.json`).then((response) => {
      if (!response.ok) throw new Error(`No StackBlitz project for ${id} (HTTP ${response.status})`)
      return response.json() as Promise<Project>
    })
    payload.catch(() => payloads.delete(id))
    payloads.set(id, payload)
  }
  return payload
}

/**
 * `project` with `code` (paths relative to the exercise folder) in place of the exercise's
 * files. Paths the project does not have are ignored: the project decides what the exercise is.
 */
export function withLearnerCode(
  project: Project,
  id: string,
  code: Readonly<Record<string, string>>,
): Project {
  const files = { ...project.files }
  for (const [path, content] of Object.entries(code)) {
    const key = `exercises/${id}/${path}`
    if (key in files) files[key] = content
  }
  return { ...project, files }
}

/**
 * True where StackBlitz can run Node inside the page (WebContainers): Chromium-based browsers.
 * Firefox and Safari get the "open in a new tab" offer instead.
 */
export function supportsEmbed(nav: Navigator | undefined = globalThis.navigator): boolean {
  if (!nav) return false
  const brands = (nav as Navigator & { userAgentData?: { brands: { brand: string }[] } })
    .userAgentData?.brands
  if (brands) return brands.some(({ brand }) => /Chromium|Chrome|Edge/.test(brand))
  return /Chrome\/|Chromium\//.test(nav.userAgent) && !/Firefox\/|FxiOS|CriOS/.test(nav.userAgent)
}

interface Target {
  readonly base: string
  readonly id: string
  /** The learner's current code, per editable file. */
  readonly code: Readonly<Record<string, string>>
  /** The file to show first, relative to the exercise folder. */
  readonly openFile: string
}

async function projectFor({ base, id, code }: Target): Promise<Project> {
  return withLearnerCode(await prefetchProject(base, id), id, code)
}

export async function openInStackBlitz(target: Target): Promise<void> {
  const [{ default: sdk }, project] = await Promise.all([
    import('@stackblitz/sdk'),
    projectFor(target),
  ])
  sdk.openProject(project, {
    newWindow: true,
    openFile: `exercises/${target.id}/${target.openFile}`,
  })
}

/** Embeds the project in a new element at the end of `container` (the SDK replaces it). */
export async function embedStackBlitz(container: HTMLElement, target: Target): Promise<void> {
  const [{ default: sdk }, project] = await Promise.all([
    import('@stackblitz/sdk'),
    projectFor(target),
  ])
  container.replaceChildren()
  const placeholder = document.createElement('div')
  container.append(placeholder)
  sdk
    .embedProject(placeholder, project, {
      openFile: `exercises/${target.id}/${target.openFile}`,
      height: 520,
      view: 'editor',
      terminalHeight: 45,
    })
    // The promise waits for the SDK's handle on the running project, which the panel does not
    // use; the embed works without it, so a slow start is not an error.
    .catch(() => undefined)
}
