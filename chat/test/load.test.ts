/**
 * A smoke test of the load generator (`npm run chat:load`, `chat/load/load.ts`): a small load
 * against an in-process server produces a number in every cell and loses nothing.
 */
import { describe, expect, it } from 'vitest'
import { runLoad, toMarkdown } from '../load/load.ts'
import { useChatApp } from './app-helpers.ts'

const app = useChatApp()

describe('chat load generator', () => {
  it('measures 20 clients in 2 rooms for 2 s, with every message delivered exactly once', async () => {
    const results = await runLoad({
      url: app.current.url,
      clients: 20,
      rooms: 2,
      duration: 2,
      rate: 40,
    })
    const { serverCpuPercent, errors, otherErrors, ...figures } = results
    expect(serverCpuPercent, 'no server process to measure in-process').toBeNull()
    expect(otherErrors).toEqual({})
    for (const [name, value] of Object.entries({ ...figures, ...errors })) {
      expect(Number.isFinite(value), `${name} should be a number, got ${value}`).toBe(true)
    }
    expect(results.sent).toBeGreaterThanOrEqual(70)
    expect(results.acked, 'every message acknowledged').toBe(results.sent)
    expect(results.missing, 'acknowledged messages some client never got').toBe(0)
    expect(results.duplicates, 'messages a client got twice').toBe(0)
    expect(errors).toEqual({
      rate_limited: 0,
      overloaded: 0,
      timeout: 0,
      closed_socket: 0,
      channel_crashed: 0,
      other: 0,
    })
    // Each message reaches all 10 members of its room (the sender too).
    expect(results.deliveredPerSecond).toBeGreaterThan(results.ackedPerSecond * 5)
    expect(toMarkdown(results)).toContain('| 0 (0) / 0 | 0 / 0 |')
  }, 30_000)
})
