import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../server/config.ts'

describe('loadConfig', () => {
  it('uses the defaults for an empty environment', () => {
    expect(loadConfig({})).toEqual({
      port: 4000,
      host: '127.0.0.1',
      dataDir: '.data/chat',
      databaseUrl: undefined,
      secret: undefined,
      ops: true,
    })
  })

  it('reads every variable; an empty one counts as unset', () => {
    const config = loadConfig({
      PORT: '0',
      HOST: '0.0.0.0',
      CHAT_DATA_DIR: '/var/lib/chat',
      DATABASE_URL: 'postgres://chat@db:5432/chat',
      CHAT_SECRET: 'x'.repeat(40),
      CHAT_OPS: '',
      NODE_ENV: 'production',
    })
    expect(config).toEqual({
      port: 0,
      host: '0.0.0.0',
      dataDir: '/var/lib/chat',
      databaseUrl: 'postgres://chat@db:5432/chat',
      secret: 'x'.repeat(40),
      ops: false, // off by default in production
    })
  })

  it('turns the ops page on or off explicitly', () => {
    expect(loadConfig({ CHAT_OPS: '1', NODE_ENV: 'production' }).ops).toBe(true)
    expect(loadConfig({ CHAT_OPS: 'false' }).ops).toBe(false)
  })

  it("reads the bridge's heartbeat, a whole number of milliseconds", () => {
    expect(loadConfig({ CHAT_BRIDGE_HEARTBEAT_MS: '250' }).bridgeHeartbeatMs).toBe(250)
    expect(() => loadConfig({ CHAT_BRIDGE_HEARTBEAT_MS: '5' })).toThrow(
      'CHAT_BRIDGE_HEARTBEAT_MS: expected at least 10 ms, got "5"',
    )
  })

  it('names each bad variable and what was wrong', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(ConfigError)
    expect(() => loadConfig({ PORT: '99999' })).toThrow(
      'PORT: expected a port from 0 to 65535, got "99999"',
    )
    expect(() => loadConfig({ PORT: '80.5' })).toThrow('PORT: expected a whole number')
    expect(() => loadConfig({ CHAT_OPS: 'maybe' })).toThrow(/CHAT_OPS: expected 1 or 0/)
    expect(() => loadConfig({ PORT: '-1', CHAT_OPS: 'x' })).toThrow(/PORT: .*\n.*CHAT_OPS: /)
  })

  it('never prints the value of a secret or a database URL', () => {
    expect(() => loadConfig({ CHAT_SECRET: 'hunter2' })).toThrow(
      'CHAT_SECRET: expected at least 32 characters, got (value hidden)',
    )
    expect(() => loadConfig({ DATABASE_URL: 'mysql://root:pw@db' })).toThrow(
      /DATABASE_URL: expected a URL like postgres:.*got \(value hidden\)$/,
    )
  })
})
