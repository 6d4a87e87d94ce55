import { describe, expect, it } from 'vitest'
import { type LayoutOptions, layoutTree, PHONE_LAYOUT, type TreeInput } from './tree-layout.ts'

const OPTIONS: LayoutOptions = {
  slot: 100,
  workerWidth: 80,
  supervisorWidth: 140,
  workerHeight: 40,
  supervisorHeight: 60,
  rowGap: 90,
}

function supervisor(name: string | null, children: TreeInput['children']): TreeInput {
  return {
    pid: `#PID<0.${name?.length ?? 0}.0>`,
    name,
    strategy: 'one_for_one',
    maxRestarts: 3,
    maxSeconds: 5,
    recentRestarts: 1,
    children,
  }
}

const worker = (id: string, pid: string | null = `#PID<${id}>`) => ({ id, pid, supervisor: null })

/** The chapter's tree: root over cache and workers, workers over three workers. */
const CHAPTER_TREE = supervisor('root', [
  worker('cache'),
  {
    id: 'workers',
    pid: '#PID<0.3.0>',
    supervisor: supervisor('workers', [
      worker('worker1'),
      worker('worker2', null),
      worker('worker3'),
    ]),
  },
])

describe('layoutTree', () => {
  const layout = layoutTree(CHAPTER_TREE, OPTIONS)
  const box = (key: string) => layout.boxes.find((b) => b.key === key)!

  it('puts the leaves side by side in start order, one slot each', () => {
    expect(
      ['root/cache', 'root/workers/worker1', 'root/workers/worker2', 'root/workers/worker3'].map(
        (k) => box(k).x,
      ),
    ).toEqual([50, 150, 250, 350])
    expect(layout.width).toBe(400)
  })

  it('centres each supervisor above its first and last child, one row up', () => {
    expect(box('root/workers').x).toBe(250)
    expect(box('root').x).toBe((50 + 250) / 2)
    expect([box('root').y, box('root/workers').y, box('root/workers/worker1').y]).toEqual([
      0, 90, 180,
    ])
    expect(layout.height).toBe(180 + 60)
  })

  it('keeps what each box shows: ids, pids (null when not running) and restart counts', () => {
    expect(box('root/workers/worker2').pid).toBeNull()
    expect(box('root/cache')).toMatchObject({ label: 'cache', supervisor: null, width: 80 })
    expect(box('root/workers').supervisor).toEqual({
      strategy: 'one_for_one',
      recentRestarts: 1,
      maxRestarts: 3,
      maxSeconds: 5,
    })
  })

  it('draws one line from each supervisor to each child, bottom edge to top edge', () => {
    expect(layout.edges).toHaveLength(5)
    expect(layout.edges.find((e) => e.to === 'root/workers/worker3')).toEqual({
      from: 'root/workers',
      to: 'root/workers/worker3',
      x1: 250,
      y1: 90 + 60,
      x2: 350,
      y2: 180,
    })
  })

  it('lists parents before children, so they are drawn and read first', () => {
    const depths = layout.boxes.map((b) => b.depth)
    expect(depths).toEqual([...depths].sort())
    expect(layout.boxes[0].key).toBe('root')
  })

  it('names an unnamed root, and fits the chapter tree on a phone without overlaps', () => {
    const phone = layoutTree(supervisor(null, CHAPTER_TREE.children), PHONE_LAYOUT)
    expect(phone.boxes[0].label).toBe('root')
    expect(phone.width).toBeLessThanOrEqual(390)
    for (const row of [1, 2]) {
      const boxes = phone.boxes.filter((b) => b.depth === row).sort((a, b) => a.x - b.x)
      for (let i = 1; i < boxes.length; i++) {
        const gap = boxes[i].x - boxes[i].width / 2 - (boxes[i - 1].x + boxes[i - 1].width / 2)
        expect(gap, `${boxes[i - 1].key} and ${boxes[i].key} overlap`).toBeGreaterThan(0)
      }
    }
  })
})
