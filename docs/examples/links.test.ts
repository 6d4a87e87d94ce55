import { exit, type Pid, Process, send, spawn } from 'letitcrash'
import { describe, expect, it } from 'vitest'
import { useVirtualNode } from '../../runtime/test/helpers.ts'
import {
  type Report,
  startFragile,
  startGuardian,
  startLinkedPair,
  watch,
} from './links.ts'

const t = useVirtualNode()

/** A process that collects every message it gets. */
function collector(): { pid: Pid; got: unknown[] } {
  const got: unknown[] = []
  const pid = spawn(async (ctx) => {
    for (;;) got.push(await ctx.receive())
  })
  return { pid, got }
}

describe('chapter 2: let it crash', () => {
  it('a crash ends only the process that crashed', async () => {
    const bystander = collector()
    const fragile = startFragile()
    send(fragile, 'a bad order')
    send(bystander.pid, 'still here')
    await t.clock.runUntilIdle()
    expect(Process.isAlive(fragile)).toBe(false)
    expect(Process.isAlive(bystander.pid)).toBe(true)
    expect(bystander.got).toEqual(['still here'])
  })

  it('a monitor reports the crash reason, and the watcher lives on', async () => {
    const inbox = collector()
    const worker = startFragile()
    const watcher = watch(worker, inbox.pid)
    await t.clock.runUntilIdle()
    send(worker, 'boom')
    await t.clock.runUntilIdle()
    const [report] = inbox.got as Report[]
    expect(report[0]).toBe('down')
    expect(report[1]).toBe(worker)
    expect(String(report[2])).toMatch(/cannot handle boom/)
    expect(Process.isAlive(watcher)).toBe(false) // it finished its job: 'normal'
  })

  it('a monitor on a process that is already gone reports noproc', async () => {
    const inbox = collector()
    const gone = spawn(() => {})
    await t.clock.runUntilIdle()
    watch(gone, inbox.pid)
    await t.clock.runUntilIdle()
    expect(inbox.got).toEqual([['down', gone, 'noproc']])
  })

  it('a link takes the partner down with the same reason', async () => {
    const [partner, worker] = startLinkedPair()
    const inbox = collector()
    watch(partner, inbox.pid)
    await t.clock.runUntilIdle()
    send(worker, 'crash')
    await t.clock.runUntilIdle()
    expect(Process.isAlive(partner)).toBe(false)
    const [[, , reason]] = inbox.got as Report[]
    expect(String(reason)).toMatch(/worker crashed/)
  })

  it('a link does not carry a normal exit', async () => {
    const [partner, worker] = startLinkedPair()
    await t.clock.runUntilIdle()
    send(worker, 'finish')
    await t.clock.runUntilIdle()
    expect(Process.isAlive(worker)).toBe(false)
    expect(Process.isAlive(partner)).toBe(true)
  })

  it('a trapping guardian gets EXIT messages and survives its workers', async () => {
    const inbox = collector()
    let started = 0
    const guardian = startGuardian(inbox.pid, async (ctx) => {
      const n = ++started
      if (n === 2) throw new Error('worker 2 failed')
      if (n === 3) ctx.exit('shutdown')
    })
    await t.clock.runUntilIdle()
    const reasons = (inbox.got as Report[]).map(([tag, , reason]) => [
      tag,
      String(reason),
    ])
    expect(reasons).toEqual([
      ['exited', 'normal'],
      ['exited', 'Error: worker 2 failed'],
      ['exited', 'shutdown'],
    ])
    expect(Process.isAlive(guardian)).toBe(true)
  })

  it("'kill' cannot be trapped: even the guardian ends, as 'killed'", async () => {
    const inbox = collector()
    const guardian = startGuardian(inbox.pid, (ctx) => ctx.receive())
    watch(guardian, inbox.pid)
    await t.clock.runUntilIdle()
    exit(guardian, 'kill')
    await t.clock.runUntilIdle()
    expect(inbox.got).toContainEqual(['down', guardian, 'killed'])
  })
})
