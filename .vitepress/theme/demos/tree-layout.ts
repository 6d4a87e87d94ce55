/**
 * Where to draw each box of a supervision tree: plain geometry, no DOM, so it is tested in Node.
 * Input is the shape of an observer snapshot (`Observer.snapshot().trees[0]`); output is boxes
 * and the lines between them, in SVG user units.
 *
 * The rule is the classic one for trees: leaves sit side by side, left to right in start order,
 * and each supervisor sits centred above its first and last child, one row above them.
 */
import type { SupervisorSnapshot } from '../../../runtime/observer.ts'

/** What the layout reads of a supervisor: the observer's snapshot, or anything shaped like it. */
export type TreeInput = Pick<
  SupervisorSnapshot,
  'pid' | 'name' | 'strategy' | 'maxRestarts' | 'maxSeconds' | 'recentRestarts'
> & {
  readonly children: readonly {
    readonly id: string | null
    readonly pid: string | null
    readonly supervisor: TreeInput | null
  }[]
}

export interface Box {
  /** The path of ids from the root, `'root/workers/worker2'`: stable across restarts. */
  readonly key: string
  /** The child id (the root's registered name for the root). */
  readonly label: string
  /** `null` when the child is not running. */
  readonly pid: string | null
  /** Set for a supervisor: what its box shows under its name. */
  readonly supervisor: {
    readonly strategy: string
    readonly recentRestarts: number
    readonly maxRestarts: number
    readonly maxSeconds: number
  } | null
  readonly depth: number
  /** The centre of the box. */
  readonly x: number
  /** The top of the box. */
  readonly y: number
  readonly width: number
  readonly height: number
}

export interface Edge {
  readonly from: string
  readonly to: string
  readonly x1: number
  readonly y1: number
  readonly x2: number
  readonly y2: number
}

export interface Layout {
  readonly boxes: Box[]
  readonly edges: Edge[]
  readonly width: number
  readonly height: number
}

export interface LayoutOptions {
  /** Horizontal room for one leaf. */
  readonly slot: number
  readonly workerWidth: number
  readonly supervisorWidth: number
  readonly workerHeight: number
  readonly supervisorHeight: number
  /** Vertical distance from the top of one row to the top of the next. */
  readonly rowGap: number
}

/** Sizes that fit four leaves in 360 units: a 390 px phone shows the tree at about full size. */
export const PHONE_LAYOUT: LayoutOptions = {
  slot: 92,
  workerWidth: 86,
  supervisorWidth: 150,
  workerHeight: 40,
  supervisorHeight: 64,
  rowGap: 92,
}

/** Lays out the tree under `root`; the root's box is labelled with `rootLabel` if it has no name. */
export function layoutTree(
  root: TreeInput,
  options: LayoutOptions = PHONE_LAYOUT,
  rootLabel = 'root',
): Layout {
  const boxes: Box[] = []
  const edges: Edge[] = []
  let leaves = 0
  let deepest = 0

  /** Places the subtree and returns its box; children first, so a parent can centre on them. */
  const place = (
    key: string,
    label: string,
    pid: string | null,
    sup: TreeInput | null,
    depth: number,
  ): Box => {
    deepest = Math.max(deepest, depth)
    const kids = sup?.children ?? []
    const placed = kids.map((child, i) =>
      place(
        `${key}/${child.id ?? i}`,
        child.id ?? `#${i + 1}`,
        child.pid,
        child.supervisor,
        depth + 1,
      ),
    )
    const x =
      placed.length > 0
        ? (placed[0].x + placed[placed.length - 1].x) / 2
        : (leaves++ + 0.5) * options.slot
    const box: Box = {
      key,
      label,
      pid,
      supervisor: sup && {
        strategy: sup.strategy,
        recentRestarts: sup.recentRestarts,
        maxRestarts: sup.maxRestarts,
        maxSeconds: sup.maxSeconds,
      },
      depth,
      x,
      y: depth * options.rowGap,
      width: sup ? options.supervisorWidth : options.workerWidth,
      height: sup ? options.supervisorHeight : options.workerHeight,
    }
    for (const child of placed) {
      edges.push({
        from: key,
        to: child.key,
        x1: box.x,
        y1: box.y + box.height,
        x2: child.x,
        y2: child.y,
      })
    }
    boxes.push(box)
    return box
  }

  place(root.name ?? rootLabel, root.name ?? rootLabel, root.pid, root, 0)
  const tallest = Math.max(options.workerHeight, options.supervisorHeight)
  return {
    // Parents first, so they are drawn (and read by a screen reader) before their children.
    boxes: boxes.sort((a, b) => a.depth - b.depth || a.x - b.x),
    edges,
    width: Math.max(leaves * options.slot, options.supervisorWidth),
    height: deepest * options.rowGap + tallest,
  }
}
