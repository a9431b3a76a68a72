import {
  canonicalJson,
  checkIdempotencyKey,
  createTenant,
  type IdempotentRequest,
  type IdempotentResponse,
  nextNumber,
  purgeIdempotencyKeys,
  requestHash,
  runIdempotent,
  withTenant,
} from '@tessera/kernel'
import { createTestDatabase, onServer, type TestDatabase } from '@tessera/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let database: TestDatabase
let a: Awaited<ReturnType<typeof createTenant>>
let b: Awaited<ReturnType<typeof createTenant>>

beforeAll(async () => {
  database = await createTestDatabase()
  a = await createTenant(database.db, { name: 'Idempotency A', company: { currency: 'EUR' } })
  b = await createTenant(database.db, { name: 'Idempotency B', company: { currency: 'EUR' } })
})
afterAll(() => database.close())

let counter = 0
const ada = 'user:0190f6a0-0000-7000-8000-000000000001'

/** A fresh request: a new key, and a body naming a document type of its own. */
function freshRequest(caller = ada) {
  counter += 1
  const documentType = `test.doc_${counter}`
  const body = { document_type: documentType, lines: [{ qty: '1.50', sku: 'A' }] }
  const request: IdempotentRequest = {
    caller,
    key: `key-${counter}`,
    requestHash: requestHash('POST', '/api/v1/things', body),
  }
  return { request, body, documentType }
}

/** A write with a visible effect: it takes the next number of the document type. */
function write(trx: Parameters<typeof nextNumber>[0], documentType: string, calls: { n: number }) {
  return async (): Promise<IdempotentResponse> => {
    calls.n += 1
    const number = await nextNumber(trx, {
      companyId: null,
      documentType,
      pattern: '{#}',
      date: '2026-01-01',
    })
    return { statusCode: 201, body: { number, at: new Date('2026-01-01T00:00:00Z') } }
  }
}

const post = (tenantId: string, request: IdempotentRequest, documentType: string, calls = { n: 0 }) =>
  withTenant(database.db, tenantId, (trx) => runIdempotent(trx, request, write(trx, documentType, calls)))

async function lastNumber(tenantId: string, documentType: string): Promise<string | undefined> {
  const { rows } = await withTenant(database.db, tenantId, (trx) =>
    sql<{
      last_value: string
    }>`select last_value from sequences where document_type = ${documentType}`.execute(trx),
  )
  return rows[0]?.last_value
}

async function storedKeys(tenantId: string): Promise<{ caller: string; key: string; status_code: number }[]> {
  const { rows } = await withTenant(database.db, tenantId, (trx) =>
    sql<{
      caller: string
      key: string
      status_code: number
    }>`select caller, key, status_code from idempotency_keys order by key`.execute(trx),
  )
  return rows
}

class Rollback extends Error {}

describe('runIdempotent', () => {
  it('runs the write once and stores its response in the same transaction', async () => {
    const { request, documentType } = freshRequest()
    const calls = { n: 0 }
    const first = await post(a.tenant.id, request, documentType, calls)
    expect(first).toMatchObject({ statusCode: 201, body: { number: '1' }, replayed: false })
    expect(calls.n).toBe(1)
    expect(await storedKeys(a.tenant.id)).toContainEqual({ caller: ada, key: request.key, status_code: 201 })
  })

  it('answers a retry with the stored response without running the write again', async () => {
    const { request, documentType } = freshRequest()
    const calls = { n: 0 }
    await post(a.tenant.id, request, documentType, calls)
    const retry = await post(a.tenant.id, request, documentType, calls)
    expect(retry).toEqual({
      statusCode: 201,
      body: { number: '1', at: '2026-01-01T00:00:00.000Z' },
      replayed: true,
    })
    expect(calls.n).toBe(1)
    expect(await lastNumber(a.tenant.id, documentType)).toBe('1')
  })

  it('treats a body with its keys in another order as the same request', async () => {
    const body = { b: 2, a: { y: [1, { d: 4, c: 3 }], x: null } }
    const reordered = { a: { x: null, y: [1, { c: 3, d: 4 }] }, b: 2 }
    expect(requestHash('POST', '/p', body)).toBe(requestHash('post', '/p', reordered))
    expect(canonicalJson(body)).toBe('{"a":{"x":null,"y":[1,{"c":3,"d":4}]},"b":2}')
    expect(requestHash('POST', '/p', body)).not.toBe(requestHash('POST', '/q', body))
    expect(requestHash('POST', '/p', { a: [1, 2] })).not.toBe(requestHash('POST', '/p', { a: [2, 1] }))
    expect(requestHash('POST', '/p', undefined)).not.toBe(requestHash('POST', '/p', null))
  })

  it('refuses the same key with another body (422) and writes nothing', async () => {
    const { request, documentType } = freshRequest()
    await post(a.tenant.id, request, documentType)
    const calls = { n: 0 }
    const other = { ...request, requestHash: requestHash('POST', '/api/v1/things', { something: 'else' }) }
    await expect(post(a.tenant.id, other, documentType, calls)).rejects.toMatchObject({
      status: 422,
      code: 'idempotency_key_reused',
    })
    expect(calls.n).toBe(0)
    expect(await lastNumber(a.tenant.id, documentType)).toBe('1')
  })

  it('stores nothing when the write fails, so a retry runs again', async () => {
    const { request, documentType } = freshRequest()
    const calls = { n: 0 }
    const failing = withTenant(database.db, a.tenant.id, (trx) =>
      runIdempotent(trx, request, async () => {
        await write(trx, documentType, calls)()
        throw new Rollback()
      }),
    )
    await expect(failing).rejects.toBeInstanceOf(Rollback)
    expect((await storedKeys(a.tenant.id)).map((k) => k.key)).not.toContain(request.key)
    const retry = await post(a.tenant.id, request, documentType, calls)
    expect(retry).toMatchObject({ statusCode: 201, body: { number: '1' }, replayed: false })
    expect(calls.n).toBe(2)
  })

  it('returns a 5xx response without storing it', async () => {
    const { request } = freshRequest()
    const outcome = await withTenant(database.db, a.tenant.id, (trx) =>
      runIdempotent(trx, request, async () => ({ statusCode: 503, body: { retry: true } })),
    )
    expect(outcome).toEqual({ statusCode: 503, body: { retry: true }, replayed: false })
    expect((await storedKeys(a.tenant.id)).map((k) => k.key)).not.toContain(request.key)
  })

  it('stores a 4xx response and a body-less one', async () => {
    const { request } = freshRequest()
    const run = () => Promise.resolve({ statusCode: 204, body: undefined })
    await withTenant(database.db, a.tenant.id, (trx) => runIdempotent(trx, request, run))
    const retry = await withTenant(database.db, a.tenant.id, (trx) => runIdempotent(trx, request, run))
    expect(retry).toEqual({ statusCode: 204, body: null, replayed: true })
  })

  // PGlite serves one connection, so two transactions never overlap there: only a server can race
  it.skipIf(!onServer())(
    'refuses a concurrent duplicate with 409 while the first attempt runs (server only)',
    async () => {
      const { request, documentType } = freshRequest()
      let release = () => {}
      const released = new Promise<void>((resolve) => {
        release = resolve
      })
      let started = () => {}
      const running = new Promise<void>((resolve) => {
        started = resolve
      })
      const calls = { n: 0 }
      const first = withTenant(database.db, a.tenant.id, (trx) =>
        runIdempotent(trx, request, async () => {
          started()
          await released
          return write(trx, documentType, calls)()
        }),
      )
      await running
      const second = post(a.tenant.id, request, documentType, calls)
      await expect(second).rejects.toMatchObject({
        status: 409,
        code: 'idempotency_in_progress',
        errors: [{ field: 'Idempotency-Key' }],
      })
      release()
      expect(await first).toMatchObject({ statusCode: 201, replayed: false })
      expect(await post(a.tenant.id, request, documentType, calls)).toMatchObject({ replayed: true })
      expect(calls.n).toBe(1)
    },
  )

  it('keeps keys apart per caller and per tenant', async () => {
    const { request, documentType } = freshRequest()
    const calls = { n: 0 }
    await post(a.tenant.id, request, documentType, calls)
    const apiKey = { ...request, caller: 'api_key:0190f6a0-0000-7000-8000-000000000002' }
    expect(await post(a.tenant.id, apiKey, documentType, calls)).toMatchObject({
      body: { number: '2' },
      replayed: false,
    })
    // B may even reuse the key with another body: it is B's own key
    const inB = { ...request, requestHash: requestHash('POST', '/x', {}) }
    expect(await post(b.tenant.id, inB, documentType, calls)).toMatchObject({
      body: { number: '1' },
      replayed: false,
    })
    expect(calls.n).toBe(3)
    expect((await storedKeys(b.tenant.id)).map((k) => k.key)).toEqual([request.key])
  })

  it('must run inside a tenant', async () => {
    const { request } = freshRequest()
    const outside = database.db
      .transaction()
      .execute((trx) => runIdempotent(trx, request, async () => ({ statusCode: 201, body: {} })))
    await expect(outside).rejects.toThrow(/inside withTenant/)
  })
})

describe('checkIdempotencyKey', () => {
  it.each(['f47ac10b-58cc-4372-a567-0e02b2c3d479', 'a', 'order 42/retry:1', 'x'.repeat(255)])(
    'accepts %s',
    (key) => {
      expect(checkIdempotencyKey(key)).toBe(key)
    },
  )

  it.each([
    ['empty', ''],
    ['only spaces', '   '],
    ['too long', 'x'.repeat(256)],
    ['non-ASCII', 'clé'],
    ['a control character', 'a\nb'],
    ['not a string', 42],
    ['missing', undefined],
  ])('refuses a key that is %s, naming the header', (_name, key) => {
    expect(() => checkIdempotencyKey(key)).toThrow(
      expect.objectContaining({
        status: 400,
        errors: [expect.objectContaining({ field: 'Idempotency-Key' })],
      }),
    )
  })
})

describe('purgeIdempotencyKeys', () => {
  it('removes keys older than the retention in every tenant, and only those', async () => {
    const oldA = freshRequest()
    const oldB = freshRequest()
    const recent = freshRequest()
    await post(a.tenant.id, oldA.request, oldA.documentType)
    await post(b.tenant.id, oldB.request, oldB.documentType)
    await post(a.tenant.id, recent.request, recent.documentType)
    const age = (tenantId: string, key: string, hours: number) =>
      withTenant(database.db, tenantId, (trx) =>
        sql`update idempotency_keys set created_at = now() - make_interval(hours => ${hours}::int)
             where key = ${key}`.execute(trx),
      )
    await age(a.tenant.id, oldA.request.key, 25)
    await age(b.tenant.id, oldB.request.key, 49)
    await age(a.tenant.id, recent.request.key, 23)
    const before = [...(await storedKeys(a.tenant.id)), ...(await storedKeys(b.tenant.id))].length

    expect(await purgeIdempotencyKeys(database.db, 48)).toBe(1)
    expect((await storedKeys(b.tenant.id)).map((k) => k.key)).not.toContain(oldB.request.key)
    expect(await purgeIdempotencyKeys(database.db)).toBe(1)
    const after = [...(await storedKeys(a.tenant.id)), ...(await storedKeys(b.tenant.id))].map((k) => k.key)
    expect(after).toHaveLength(before - 2)
    expect(after).not.toContain(oldA.request.key)
    expect(after).toContain(recent.request.key)
  })

  it('never keeps keys less than 24 hours', async () => {
    await expect(purgeIdempotencyKeys(database.db, 1)).rejects.toThrow(RangeError)
    await expect(purgeIdempotencyKeys(database.db, 24.5)).rejects.toThrow(RangeError)
  })
})
