/**
 * The `/ops` page: the chat server's supervision tree, live (what Erlang's `:observer` shows).
 * It asks `/ops/snapshot` every second and redraws the tree as nested lists: each supervisor
 * with its strategy and restart counts, each child with its pid. Every room gets a "crash"
 * button (`POST /ops/rooms/:name/crash`, which kills the room's process): watch its pid
 * change and its supervisor's restart count climb, while the chat carries on.
 */

/** What `/ops/snapshot` sends (see `runtime/observer.ts`), plus `rooms`: pid → room name. */
interface Snapshot {
  trees: SupervisorSnapshot[]
  processes: { pid: string; name: string | null; behaviour: string }[]
  rooms: Record<string, string | null>
}

interface SupervisorSnapshot {
  pid: string
  name: string | null
  behaviour: string
  strategy: string
  maxRestarts: number
  maxSeconds: number
  restarts: number
  recentRestarts: number
  children: {
    id: string | null
    pid: string | null
    type: string
    restart: string
    supervisor: SupervisorSnapshot | null
  }[]
}

export {} // a module: its names stay out of the global scope

const tree = document.getElementById('tree')!
const status = document.getElementById('status')!
const result = document.getElementById('crash-result')!

/** `tag` with `text` as its text (never HTML) and an optional class. */
function el(tag: string, text = '', className = ''): HTMLElement {
  const element = document.createElement(tag)
  element.textContent = text
  if (className) element.className = className
  return element
}

function drawSupervisor(sup: SupervisorSnapshot, snap: Snapshot, names: Map<string, string>) {
  const item = el('li')
  item.dataset.pid = sup.pid
  item.append(
    el('strong', sup.name ?? sup.behaviour),
    ' ',
    el('span', sup.pid, 'pid'),
    ' ',
    el(
      'span',
      `${sup.behaviour}, ${sup.strategy}, restarts: ${sup.restarts} ` +
        `(${sup.recentRestarts} of ${sup.maxRestarts} allowed in ${sup.maxSeconds} s)`,
      'meta',
    ),
  )
  const list = el('ul')
  for (const child of sup.children) {
    if (child.supervisor !== null) {
      list.append(drawSupervisor(child.supervisor, snap, names))
      continue
    }
    const room = child.pid === null ? undefined : snap.rooms[child.pid]
    const label = room ? `Room ${room}` : (child.id ?? names.get(child.pid ?? '') ?? 'child')
    const line = el('li')
    line.append(
      el('span', label),
      ' ',
      el('span', child.pid ?? 'not running', 'pid'),
      ' ',
      el('span', `${child.type}, ${child.restart}`, 'meta'),
    )
    if (room) {
      line.dataset.room = room
      const button = el('button', 'crash') as HTMLButtonElement
      button.type = 'button'
      button.addEventListener('click', () => void crash(room))
      line.append(' ', button)
    }
    list.append(line)
  }
  item.append(list)
  return item
}

async function crash(room: string): Promise<void> {
  const response = await fetch(`/ops/rooms/${encodeURIComponent(room)}/crash`, { method: 'POST' })
  const body = await response.json().catch(() => ({}))
  result.textContent = response.ok
    ? `killed room ${room} (${body.killed}); watch its supervisor restart it`
    : `could not crash ${room}: ${body.error ?? response.status}`
  await refresh()
}

async function refresh(): Promise<void> {
  try {
    const response = await fetch('/ops/snapshot')
    if (!response.ok) throw new Error(String(response.status))
    const snap: Snapshot = await response.json()
    const names = new Map(snap.processes.map((p) => [p.pid, p.name ?? p.behaviour]))
    const root = el('ul')
    for (const sup of snap.trees) root.append(drawSupervisor(sup, snap, names))
    tree.replaceChildren(root)
    status.dataset.state = 'online'
    status.textContent = 'live'
  } catch {
    status.dataset.state = 'error'
    status.textContent = 'server unreachable'
  }
}

void refresh()
setInterval(() => void refresh(), 1000)
