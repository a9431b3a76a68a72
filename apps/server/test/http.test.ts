import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Type } from '@sinclair/typebox'
import { BusinessRule, Conflict, Forbidden, Invalid, loadConfig, NotFound } from '@tessera/kernel'
import { buildApp } from '@tessera/server'
import { allMigrations, createTestApp, type TestApp } from '@tessera/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let t: TestApp

beforeAll(async () => {
  t = await createTestApp()
  // Probe routes exercising the shared error handling; the real API adds its own.
  const Body = Type.Object(
    {
      name: Type.String({ minLength: 1, maxLength: 20 }),
      amount: Type.String({ pattern: '^\\d+(\\.\\d+)?$' }),
    },
    { additionalProperties: false },
  )
  t.app.post('/test/echo', { schema: { body: Body } }, async (request) => request.body)
  const errors: Record<string, () => Error> = {
    invalid: () => Invalid.field('email', 'email is malformed.'),
    forbidden: () => new Forbidden(),
    'not-found': () => new NotFound(),
    conflict: () => new Conflict('Version mismatch.', 'version_conflict'),
    rule: () => new BusinessRule('entry_unbalanced', 'Debits and credits differ.'),
    crash: () =>
      new Error('connect ECONNREFUSED db.internal.example:5432 at Object.<anonymous> (/srv/app.ts:1:1)'),
  }
  t.app.get<{ Params: { kind: string } }>('/test/throw/:kind', async (request) => {
    throw (errors[request.params.kind] ?? errors.crash)?.()
  })
  t.app.get('/test/sql-error', async () => {
    await sql`select * from no_such_table_for_secret_reasons`.execute(t.database.db)
  })
  t.app.get('/test/unique', async () => {
    await sql`insert into tenants (id, name, slug) values (gen_random_uuid(), 'a', 'dup'), (gen_random_uuid(), 'b', 'dup')`.execute(
      t.database.db,
    )
  })
})
afterAll(() => t.close())

const LEAKS = [
  /at \S+ \(/,
  /\.ts:\d+/,
  /select|insert|from /i,
  /db\.internal/,
  /ECONNREFUSED/,
  /no_such_table/,
  /tenants_slug_key/,
]

function expectProblem(
  res: { statusCode: number; headers: Record<string, unknown>; body: string },
  status: number,
  code: string,
) {
  expect(res.statusCode).toBe(status)
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
  const body = JSON.parse(res.body)
  expect(body).toMatchObject({ status, code, type: `urn:tessera:problem:${code}` })
  expect(typeof body.title).toBe('string')
  expect(body.request_id).toBe(res.headers['x-request-id'])
  for (const leak of LEAKS) expect(res.body).not.toMatch(leak)
  return body
}

describe('health', () => {
  it('answers liveness', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ status: 'ok' })
  })

  it('answers readiness when the database is reachable and migrated', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/readyz' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ status: 'ready' })
  })

  it('reports not ready while a migration is pending', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-late-'))
    writeFileSync(join(dir, '0001_later.sql'), 'select 1;')
    const app = await buildApp({
      database: t.database,
      migrations: [...allMigrations(), { module: 'late', dir }],
      identity: t.identity,
      config: loadConfig({ LOG_LEVEL: 'silent' }),
    })
    try {
      const res = await app.inject({ method: 'GET', url: '/readyz' })
      expectProblem(res, 503, 'migrations_pending')
    } finally {
      await app.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('errors are RFC 9457 problems', () => {
  it('unknown route: 404', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/nothing-here?x=1' })
    const body = expectProblem(res, 404, 'route_not_found')
    expect(body.instance).toBe('/api/v1/nothing-here')
  })

  it('invalid JSON: 400', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": "x",',
    })
    expectProblem(res, 400, 'invalid_json')
  })

  it('oversized body: 413', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x', amount: '1', pad: 'x'.repeat(1_100_000) }),
    })
    expectProblem(res, 413, 'body_too_large')
  })

  it('unsupported media type: 415', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/xml' },
      payload: '<a/>',
    })
    expectProblem(res, 415, 'unsupported_media_type')
  })

  it.each([
    ['a missing field', { name: 'x' }, 'amount', 'required'],
    ['a wrong type (no coercion)', { name: 'x', amount: 12.5 }, 'amount', 'type'],
    ['a float where a decimal string is expected', { name: 'x', amount: '1e3' }, 'amount', 'pattern'],
    ['an oversized field', { name: 'x'.repeat(21), amount: '1' }, 'name', 'maxLength'],
    ['an unknown field', { name: 'x', amount: '1', tenant_id: 'b' }, 'tenant_id', 'unknown_field'],
  ])('schema validation names %s', async (_case, payload, field, code) => {
    const res = await t.app.inject({ method: 'POST', url: '/test/echo', payload })
    const body = expectProblem(res, 400, 'invalid')
    expect(body.errors).toContainEqual(expect.objectContaining({ field, code }))
  })

  it('accepts a valid body unchanged', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/test/echo',
      payload: { name: 'x', amount: '10.50' },
    })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ name: 'x', amount: '10.50' })
  })

  it.each([
    ['invalid', 400, 'invalid'],
    ['forbidden', 403, 'forbidden'],
    ['not-found', 404, 'not_found'],
    ['conflict', 409, 'version_conflict'],
    ['rule', 422, 'entry_unbalanced'],
  ])('maps the kernel error %s to %i', async (kind, status, code) => {
    const res = await t.app.inject({ method: 'GET', url: `/test/throw/${kind}` })
    expectProblem(res, status, code)
  })

  it('keeps field errors of a kernel Invalid', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/test/throw/invalid' })
    expect(res.json().errors).toEqual([{ field: 'email', code: 'invalid', message: 'email is malformed.' }])
  })

  it('hides the cause of an unexpected error: no stack, host or message', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/test/throw/crash' })
    expectProblem(res, 500, 'internal')
  })

  it('hides SQL and table names of a failing query', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/test/sql-error' })
    expectProblem(res, 500, 'internal')
  })

  it('turns a unique violation into a 409 without the constraint name', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/test/unique' })
    expectProblem(res, 409, 'duplicate')
  })
})

describe('every response', () => {
  it('carries a request id, echoing a well-formed one from the caller', async () => {
    const mine = await t.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'trace-abc-12345' },
    })
    expect(mine.headers['x-request-id']).toBe('trace-abc-12345')
    const forged = await t.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'x\nforged log line' },
    })
    expect(forged.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('carries security headers', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz' })
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN')
    expect(res.headers['content-security-policy']).toContain("default-src 'self'")
    expect(res.headers['referrer-policy']).toBe('no-referrer')
  })
})

describe('OpenAPI', () => {
  it('serves an OpenAPI 3.1 document describing the routes and the problem schema', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })
    expect(res.statusCode).toBe(200)
    const doc = res.json()
    expect(doc.openapi).toBe('3.1.0')
    expect(doc.info.title).toBe('Tessera API')
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz']))
    expect(doc.components.schemas.Problem.required).toContain('code')
    expect(Object.keys(doc.components.securitySchemes)).toEqual(['bearer', 'session_cookie'])
    expect(doc.security).toEqual([{ bearer: [] }, { session_cookie: [] }])
    expect(doc.paths['/healthz'].get.security).toEqual([])
    expect(doc.paths['/api/v1/auth/login'].post.security).toEqual([])
    expect(doc.paths['/api/v1/auth/me'].get.security).toBeUndefined()
  })

  it('serves the interactive documentation', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/docs/' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/text\/html/)
    expect(res.body).toContain('swagger')
  })
})

describe('web app', () => {
  it('serves the placeholder page at /', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/' })
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('<title>Tessera</title>')
  })
})
