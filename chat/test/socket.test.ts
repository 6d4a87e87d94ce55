/**
 * The Phoenix Channels V2 endpoint, driven by the official `phoenix` client (as the browser
 * UI uses it) and by raw `ws` clients where a test needs exact frames or bad input.
 */
import { exit, GenServer, Process } from 'letitcrash'
import { describe, expect, it } from 'vitest'
import * as Socket from '../server/socket.ts'
import { answer, join, openRaw, terminated, useSocketServer, waitFor } from './socket-helpers.ts'

const t = useSocketServer()

const JOIN = (joinRef: string, topic: string, payload = {}) => [
  joinRef,
  joinRef,
  topic,
  'phx_join',
  payload,
]
const isReplyTo = (ref: string) => (f: unknown[]) => f[1] === ref && f[3] === 'phx_reply'

describe('Socket: connecting', () => {
  it('accepts the token as params.token and gives each connection its own assigns', async () => {
    await t.start()
    const ann = t.connect('valid:ann').channel('room:lobby')
    const bob = t.connect('valid:bob').channel('room:lobby')
    expect(await join(ann)).toEqual(['ok', expect.objectContaining({ user: 'ann' })])
    expect(await join(bob)).toEqual(['ok', expect.objectContaining({ user: 'bob' })])
    expect(await Socket.connectionCount(t.current.endpoint)).toBe(2)
  })

  it('accepts the authToken subprotocol and echoes the phoenix subprotocol', async () => {
    await t.start()
    const socket = t.connect(undefined, { authToken: 'valid:carol' })
    const [status, reply] = await join(socket.channel('room:lobby'))
    expect([status, reply.user]).toEqual(['ok', 'carol'])
    expect((socket as unknown as { conn: { protocol: string } }).conn.protocol).toBe('phoenix')
  })

  it('refuses a bad token with 403, which the client sees as a connection error', async () => {
    await t.start()
    const errors: unknown[] = []
    t.connect('forged').onError((error) => {
      errors.push(error)
    })
    await waitFor(() => errors.length > 0, 'a connection error')
    expect(String((errors[0] as { message?: string }).message)).toContain('403')
    await expect(t.raw('vsn=2.0.0&token=forged')).rejects.toThrow('HTTP 403')
    await expect(t.raw('vsn=2.0.0')).rejects.toThrow('HTTP 403')
  })

  it('refuses a missing or other vsn with 403, and another path with 404', async () => {
    await t.start()
    await expect(t.raw('token=valid:ann')).rejects.toThrow('HTTP 403')
    await expect(t.raw('vsn=1.0.0&token=valid:ann')).rejects.toThrow('HTTP 403')
    const elsewhere = t.current.wsUrl.replace('/socket/websocket', '/elsewhere')
    await expect(openRaw(`${elsewhere}?vsn=2.0.0&token=valid:ann`)).rejects.toThrow('HTTP 404')
  })
})

describe('Socket: the protocol', () => {
  it('answers heartbeats with the ref echoed, and the client ping gets its answer', async () => {
    await t.start()
    const raw = await t.raw()
    raw.send([null, '7', 'phoenix', 'heartbeat', {}])
    expect(await raw.next(isReplyTo('7'), 'the heartbeat reply')).toEqual([
      null,
      '7',
      'phoenix',
      'phx_reply',
      { status: 'ok', response: {} },
    ])
    const socket = t.connect('valid:ann')
    const rtts: number[] = []
    socket.onOpen(() => {
      socket.ping((rtt) => {
        rtts.push(rtt)
      })
    })
    await waitFor(() => rtts.length > 0, 'the ping answer')
  })

  it('echoes join refs and refs in replies', async () => {
    await t.start()
    const raw = await t.raw()
    raw.send(JOIN('5', 'room:refs'))
    const joined = await raw.next(isReplyTo('5'), 'the join reply')
    expect(joined.slice(0, 4)).toEqual(['5', '5', 'room:refs', 'phx_reply'])
    expect(joined[4]).toMatchObject({ status: 'ok', response: { user: 'raw' } })
    raw.send(['5', '6', 'room:refs', 'echo', { a: 1 }])
    expect(await raw.next(isReplyTo('6'), 'the echo reply')).toEqual([
      '5',
      '6',
      'room:refs',
      'phx_reply',
      { status: 'ok', response: { a: 1 } },
    ])
  })

  it('replies to pushes, with ok and error replies, and a reply given later', async () => {
    await t.start()
    const channel = t.connect('valid:ann').channel('room:lobby')
    await join(channel)
    expect(await answer(channel.push('echo', { n: 1 }))).toEqual(['ok', { n: 1 }])
    expect(await answer(channel.push('fail', {}))).toEqual([
      'error',
      { reason: 'failed on purpose' },
    ])
    expect(await answer(channel.push('later', { n: 2 }))).toEqual(['ok', { late: { n: 2 } }])
  })

  it('hands unknown events to the channel, which decides', async () => {
    await t.start()
    const channel = t.connect('valid:ann').channel('room:lobby')
    await join(channel)
    expect(await answer(channel.push('no_such_event', {}))).toEqual([
      'error',
      { reason: 'unknown event', event: 'no_such_event' },
    ])
  })

  it('passes on a refused join, and refuses a topic no channel matches', async () => {
    await t.start()
    const socket = t.connect('valid:ann')
    expect(await join(socket.channel('room:closed', { refuse: true }))).toEqual([
      'error',
      { reason: 'refused' },
    ])
    expect(await join(socket.channel('elsewhere:1'))).toEqual([
      'error',
      { reason: 'unmatched topic' },
    ])
    expect(await join(socket.channel('room:broken', { crash: true }))).toEqual([
      'error',
      { reason: 'join crashed' },
    ])
  })

  it('answers a push to a topic that was never joined with unmatched topic', async () => {
    await t.start()
    const raw = await t.raw()
    raw.send(['1', '2', 'room:never', 'echo', {}])
    const reply = await raw.next(isReplyTo('2'), 'the reply')
    expect(reply[4]).toEqual({ status: 'error', response: { reason: 'unmatched topic' } })
  })

  it('broadcasts to every client on the topic', async () => {
    await t.start()
    const ann = t.connect('valid:ann').channel('room:lobby')
    const bob = t.connect('valid:bob').channel('room:lobby')
    const other = t.connect('valid:eve').channel('room:other')
    const heard: Record<string, unknown[]> = { ann: [], bob: [], eve: [] }
    ann.on('shout', (p) => {
      heard.ann!.push(p)
    })
    bob.on('shout', (p) => {
      heard.bob!.push(p)
    })
    other.on('shout', (p) => {
      heard.eve!.push(p)
    })
    await Promise.all([join(ann), join(bob), join(other)])
    expect(await answer(ann.push('shout', { text: 'hi' }))).toEqual(['ok', {}])
    await waitFor(() => heard.ann!.length === 1 && heard.bob!.length === 1, 'both shouts')
    expect(heard.bob).toEqual([{ text: 'hi', from: 'ann' }])
    expect(heard.eve).toEqual([])
  })

  it('leaves the sender out of broadcastFrom', async () => {
    await t.start()
    const ann = t.connect('valid:ann').channel('room:lobby')
    const bob = t.connect('valid:bob').channel('room:lobby')
    const heard: string[] = []
    ann.on('shout', () => {
      heard.push('ann')
    })
    bob.on('shout', () => {
      heard.push('bob')
    })
    await Promise.all([join(ann), join(bob)])
    await answer(ann.push('shout_others', {}))
    await answer(bob.push('shout', {})) // reaches both, after the first one
    await waitFor(() => heard.length === 3, 'three shouts')
    expect(heard.sort()).toEqual(['ann', 'bob', 'bob'])
  })

  it('runs intercepted broadcasts through handleOut, once per client', async () => {
    await t.start()
    const ann = t.connect('valid:ann').channel('room:lobby')
    const bob = t.connect('valid:bob').channel('room:lobby')
    const seen: unknown[] = []
    ann.on('censored', (p) => {
      seen.push(p)
    })
    bob.on('censored', (p) => {
      seen.push(p)
    })
    await Promise.all([join(ann), join(bob)])
    await answer(ann.push('censor', { text: 'secret' }))
    await waitFor(() => seen.length === 2, 'both copies')
    expect(seen).toContainEqual({ text: '***', seenBy: 'ann' })
    expect(seen).toContainEqual({ text: '***', seenBy: 'bob' })
  })

  it('replies to a leave, then closes the channel with phx_close', async () => {
    await t.start()
    const raw = await t.raw()
    raw.send(JOIN('1', 'room:bye'))
    await raw.next(isReplyTo('1'), 'the join reply')
    const from = raw.frames.length
    raw.send(['1', '2', 'room:bye', 'phx_leave', {}])
    await raw.next((f) => f[3] === 'phx_close', 'phx_close', from)
    expect(raw.frames.slice(from)).toEqual([
      ['1', '2', 'room:bye', 'phx_reply', { status: 'ok', response: {} }],
      ['1', '1', 'room:bye', 'phx_close', {}],
    ])
    expect(terminated).toEqual([expect.objectContaining({ reason: { shutdown: 'left' } })])

    const channel = t.connect('valid:ann').channel('room:bye')
    await join(channel)
    const closed: unknown[] = []
    channel.onClose(() => {
      closed.push('closed')
    })
    expect(await answer(channel.leave())).toEqual(['ok', {}])
    expect(closed).toEqual(['closed'])
  })

  it('sends phx_error when a channel crashes, and the client rejoins by itself', async () => {
    await t.start()
    const socket = t.connect('valid:ann')
    const opened: unknown[] = []
    socket.onOpen(() => {
      opened.push('open')
    })
    const channel = socket.channel('room:fragile')
    const pids: string[] = []
    const errors: unknown[] = []
    channel.onError((reason) => {
      errors.push(reason)
    })
    channel.join().receive('ok', (reply) => {
      pids.push(reply.pid)
    })
    await waitFor(() => pids.length === 1, 'the first join')
    channel.push('crash', {})
    await waitFor(() => pids.length === 2, 'the rejoin')
    expect(errors).toHaveLength(1)
    expect(pids[1]).not.toBe(pids[0]) // a fresh channel process
    expect(opened).toEqual(['open']) // on the same connection
    expect(await answer(channel.push('echo', { after: 'crash' }))).toEqual([
      'ok',
      { after: 'crash' },
    ])
  })

  it('closes the channel with phx_close when it stops on its own', async () => {
    await t.start()
    const channel = t.connect('valid:ann').channel('room:stopping')
    const closed: unknown[] = []
    channel.onClose(() => {
      closed.push('closed')
    })
    await join(channel)
    expect(await answer(channel.push('stop', {}))).toEqual(['ok', { stopping: true }])
    await waitFor(() => closed.length === 1, 'phx_close')
    expect(terminated).toEqual([expect.objectContaining({ reason: 'normal' })])
  })

  it('closes the old channel on a duplicate join and ignores its stale join ref', async () => {
    await t.start()
    const raw = await t.raw()
    raw.send(JOIN('1', 'room:dup'))
    const first = await raw.next(isReplyTo('1'), 'the first join')
    raw.send(JOIN('2', 'room:dup'))
    const second = await raw.next(isReplyTo('2'), 'the second join')
    expect(raw.frames).toContainEqual(['1', '1', 'room:dup', 'phx_close', {}])
    expect(raw.frames.indexOf(second)).toBeGreaterThan(
      raw.frames.findIndex((f) => (f as unknown[])[3] === 'phx_close'),
    )
    expect(second[4].response.pid).not.toBe(first[4].response.pid)
    expect(terminated).toEqual([
      expect.objectContaining({ reason: { shutdown: 'duplicate_join' } }),
    ])
    raw.send(['1', '3', 'room:dup', 'echo', { stale: true }]) // meant for the first join
    raw.send(['2', '4', 'room:dup', 'echo', { current: true }])
    await raw.next(isReplyTo('4'), 'the reply to the current join')
    expect(raw.frames.some((f) => (f as unknown[])[1] === '3')).toBe(false)
  })

  it('lets the phoenix client join the same topic twice: the second replaces the first', async () => {
    await t.start()
    const socket = t.connect('valid:ann')
    const first = socket.channel('room:twice')
    await join(first)
    const second = socket.channel('room:twice')
    expect(await join(second)).toEqual(['ok', expect.objectContaining({ topic: 'room:twice' })])
    expect(await answer(second.push('echo', { n: 2 }))).toEqual(['ok', { n: 2 }])
  })

  it('refuses joins beyond the channel cap with too_many_channels', async () => {
    await t.start({ maxChannels: 2 })
    const socket = t.connect('valid:ann')
    expect((await join(socket.channel('room:1')))[0]).toBe('ok')
    expect((await join(socket.channel('room:2')))[0]).toBe('ok')
    expect(await join(socket.channel('room:3'))).toEqual(['error', { reason: 'too_many_channels' }])
  })

  it('stops every channel of a connection when it closes', async () => {
    await t.start()
    const socket = t.connect('valid:ann')
    await join(socket.channel('room:a'))
    await join(socket.channel('room:b'))
    socket.disconnect()
    await waitFor(() => terminated.length === 2, 'both channels to terminate')
    expect(terminated.map((e) => e.reason)).toEqual([
      { shutdown: 'closed' },
      { shutdown: 'closed' },
    ])
    expect(terminated.some((e) => Process.isAlive(e.pid))).toBe(false)
  })
})

describe('Socket: limits and bad input', () => {
  it('closes a connection that sends no frame for idleTimeoutMs', async () => {
    await t.start({ idleTimeoutMs: 150 })
    const raw = await t.raw()
    const closed = await waitFor(() => raw.closed, 'the idle close')
    expect(closed).toEqual({ code: 1000, reason: 'idle timeout' })
  })

  it('keeps a connection open while the client keeps sending frames', async () => {
    await t.start({ idleTimeoutMs: 200 })
    const raw = await t.raw()
    const started = Date.now()
    // Heartbeat after heartbeat, for three times the idle timeout: the gaps stay short.
    for (let ref = 1; Date.now() - started < 600; ref++) {
      raw.send([null, String(ref), 'phoenix', 'heartbeat', {}])
      await raw.next(isReplyTo(String(ref)), `heartbeat reply ${ref}`)
    }
    expect(raw.closed).toBeUndefined()
  })

  it('closes a connection that sends a frame over 64 KB with 1009, and only that one', async () => {
    await t.start()
    const bystander = t.connect('valid:bob').channel('room:big')
    await join(bystander)
    const raw = await t.raw()
    raw.send(['1', '1', 'room:big', 'phx_join', { blob: 'x'.repeat(70_000) }])
    expect((await waitFor(() => raw.closed, 'the close')).code).toBe(1009)
    expect(await answer(bystander.push('echo', { still: 'here' }))).toEqual([
      'ok',
      { still: 'here' },
    ])
  })

  it('closes a connection that sends a frame that is not a message, with the reason', async () => {
    await t.start()
    const cases: Array<[frame: string | Buffer, code: number, reason: string]> = [
      ['not json', 1007, 'frame is not JSON'],
      ['{"a":1}', 1007, 'expected a JSON array [join_ref, ref, topic, event, payload]'],
      ['[1,2,3]', 1007, 'expected a JSON array [join_ref, ref, topic, event, payload]'],
      ['[null,null,1,"e",{}]', 1007, 'topic and event must be strings'],
      ['[{},null,"t","e",{}]', 1007, 'join_ref and ref must be strings or null'],
      [Buffer.from([1, 2, 3]), 1003, 'binary frames are not supported'],
    ]
    for (const [frame, code, reason] of cases) {
      const raw = await t.raw()
      raw.ws.send(frame)
      expect(await waitFor(() => raw.closed, `the close after ${frame}`)).toEqual({ code, reason })
    }
  })

  it('answers a payload that is not an object with an error reply, and stays open', async () => {
    await t.start()
    const raw = await t.raw()
    raw.send(JOIN('1', 'room:x'))
    await raw.next(isReplyTo('1'), 'the join')
    for (const [ref, payload] of [
      ['2', 'text'],
      ['3', [1]],
      ['4', null],
      ['5', 5],
    ] as const) {
      raw.send(['1', ref, 'room:x', 'echo', payload])
      expect((await raw.next(isReplyTo(ref), `the reply to ${ref}`))[4]).toEqual({
        status: 'error',
        response: { reason: 'payload must be an object' },
      })
    }
    raw.send(['1', '6', 'room:x', 'echo', { fine: true }])
    expect((await raw.next(isReplyTo('6'), 'the echo'))[4].response).toEqual({ fine: true })
    expect(raw.closed).toBeUndefined()
  })

  it('loses nothing for a client chatting while others flood the server with garbage', async () => {
    await t.start()
    const ann = t.connect('valid:ann').channel('room:busy')
    const bob = t.connect('valid:bob').channel('room:busy')
    const heard: unknown[] = []
    bob.on('shout', (p) => {
      heard.push(p.n)
    })
    await Promise.all([join(ann), join(bob)])
    const flooders = await Promise.all(Array.from({ length: 5 }, () => t.raw()))
    const replies: Array<Promise<[string, unknown?]>> = []
    for (let n = 0; n < 100; n++) {
      for (const raw of flooders) if (raw.ws.readyState === raw.ws.OPEN) raw.ws.send(`garbage ${n}`)
      replies.push(answer(ann.push('shout', { n })))
    }
    const answers = await Promise.all(replies)
    expect(answers.every(([status]) => status === 'ok')).toBe(true)
    await waitFor(() => heard.length === 100, 'all 100 shouts at bob')
    expect(heard).toEqual(Array.from({ length: 100 }, (_, n) => n))
    for (const raw of flooders) expect((await waitFor(() => raw.closed, 'a close')).code).toBe(1007)
  })

  it('closes the socket of a connection process that is killed, and stops its channels', async () => {
    await t.start()
    const raw = await t.raw()
    raw.send(JOIN('1', 'room:k'))
    await raw.next(isReplyTo('1'), 'the join')
    const [connection] = Process.processInfo(t.current.endpoint)!.links
    exit(connection!, 'kill')
    expect(await waitFor(() => raw.closed, 'the close')).toEqual({
      code: 1011,
      reason: 'internal error',
    })
    await waitFor(() => terminated.length === 1, 'the channel to stop')
    expect(terminated[0]!.reason).toBe('killed')
  })

  it('closes every connection when the endpoint stops', async () => {
    await t.start()
    const raw = await t.raw()
    await GenServer.stop(t.current.endpoint, 'shutdown')
    expect(await waitFor(() => raw.closed, 'the close')).toEqual({
      code: 1001,
      reason: 'server shutting down',
    })
  })
})

describe('Socket: options', () => {
  const base = {
    server: {} as never,
    pubsub: 'p',
    channels: {},
    authenticate: () => ['error'] as const,
  }

  it('routes a topic to the first pattern that matches it', () => {
    const [a, b] = [{ join: () => ['error', {}] as const }, { join: () => ['error', {}] as const }]
    const channels = { 'room:lobby': a, 'room:*': b }
    expect(Socket.route(channels, 'room:lobby')).toBe(a)
    expect(Socket.route(channels, 'room:other')).toBe(b)
    expect(Socket.route(channels, 'rooms')).toBeUndefined()
  })

  it('rejects unknown options, bad patterns and bad limits', () => {
    expect(() => Socket.startLink({ ...base, idleTimeout: 5 } as never)).toThrow(
      'Unknown option `idleTimeout`',
    )
    expect(() => Socket.startLink({ ...base, channels: { 'room:*:x': {} as never } })).toThrow(
      'Channel patterns may only end in *',
    )
    expect(() => Socket.startLink({ ...base, maxChannels: 0 })).toThrow(
      'Expected `options.maxChannels` to be a positive integer, got `0`',
    )
    expect(() => Socket.startLink({ ...base, authenticate: undefined as never })).toThrow(
      'Expected `options.authenticate` to be a function',
    )
  })
})
