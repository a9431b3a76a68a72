import { ConfigError, loadConfig } from '@tessera/kernel'
import { describe, expect, it } from 'vitest'

describe('configuration', () => {
  it('has working defaults: embedded database under ./data, port 3000', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({ port: 3000, host: '127.0.0.1', databaseUrl: undefined, logLevel: 'info' })
    expect(config.dataDir).toMatch(/\/data$/)
    expect(config.modules).toBeUndefined()
  })

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://u@db:5432/erp',
      TESSERA_DATA_DIR: '/var/lib/tessera',
      TESSERA_MODULES: 'crm, sales',
      LOG_LEVEL: 'debug',
      TESSERA_BODY_LIMIT: '2048',
      TESSERA_IMPORT_ASYNC_ROWS: '500',
      TESSERA_OUTBOUND_ALLOW: 'idp.internal, 10.0.0.0/8,127.0.0.1',
    })
    expect(config).toEqual({
      port: 8080,
      host: '0.0.0.0',
      databaseUrl: 'postgres://u@db:5432/erp',
      dataDir: '/var/lib/tessera',
      modules: ['crm', 'sales'],
      logLevel: 'debug',
      bodyLimit: 2048,
      fileLimit: 26_214_400,
      importAsyncRows: 500,
      trustProxy: false,
      authRateLimit: 30,
      redisUrl: undefined,
      smtpUrl: undefined,
      mailFrom: 'Tessera <no-reply@localhost>',
      loginDelayMs: 250,
      publicUrl: 'http://localhost:8080',
      outboundAllow: ['idp.internal', '10.0.0.0/8', '127.0.0.1'],
      demo: true,
      natsUrl: undefined,
      worker: true,
    })
  })

  it('reads TESSERA_PUBLIC_URL for links in mail, keeping a base path without its trailing slash', () => {
    expect(loadConfig({ TESSERA_PUBLIC_URL: 'https://erp.example.com/' }).publicUrl).toBe(
      'https://erp.example.com',
    )
    expect(loadConfig({ TESSERA_PUBLIC_URL: 'https://example.com/tessera/' }).publicUrl).toBe(
      'https://example.com/tessera',
    )
  })

  it('allows no private outbound address unless TESSERA_OUTBOUND_ALLOW lists it', () => {
    expect(loadConfig({}).outboundAllow).toEqual([])
  })

  it.each([
    [{ PORT: 'eighty' }, /PORT must be an integer/],
    [{ PORT: '70000' }, /PORT must be an integer from 0 to 65535/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must be a postgres/],
    [{ TESSERA_BODY_LIMIT: '10' }, /TESSERA_BODY_LIMIT/],
    [{ TESSERA_TRUST_PROXY: 'maybe' }, /TESSERA_TRUST_PROXY must be true or false/],
    [{ TESSERA_AUTH_RATE_LIMIT: '0' }, /TESSERA_AUTH_RATE_LIMIT/],
    [{ TESSERA_OUTBOUND_ALLOW: '10.0.0.0/33' }, /TESSERA_OUTBOUND_ALLOW: "10.0.0.0\/33" is neither/],
    [{ TESSERA_OUTBOUND_ALLOW: 'http://idp.internal' }, /TESSERA_OUTBOUND_ALLOW/],
    [{ TESSERA_PUBLIC_URL: 'ftp://example.com' }, /TESSERA_PUBLIC_URL must be an http/],
    [{ TESSERA_PUBLIC_URL: 'https://user:pw@example.com' }, /TESSERA_PUBLIC_URL must be an http/],
    [{ TESSERA_PUBLIC_URL: 'https://example.com/?x=1' }, /TESSERA_PUBLIC_URL must be an http/],
    [{ TESSERA_PUBLIC_URL: 'example.com' }, /TESSERA_PUBLIC_URL must be an http/],
  ])('refuses %o with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError)
    expect(() => loadConfig(env)).toThrow(message)
  })
})
