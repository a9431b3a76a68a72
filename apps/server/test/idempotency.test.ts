import { nextNumber, withTenant } from '@tessera/kernel'
import { createTestApp, type TestApp } from '@tessera/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { actorOf, authenticated } from '../src/auth/actor.ts'
import { idempotently, replyIdempotent } from '../src/idempotency.ts'
import { bearer, type SignedUp, signUp } from './auth/helpers.ts'

let t: TestApp
let ada: SignedUp
let bob: SignedUp

beforeAll(async () => {
  t = await createTestApp()
  // A probe route written as the doc comment of src/idempotency.ts tells POST routes to be.
  t.app.post('/test/numbers', { onRequest: authenticated(t.identity) }, async (request, reply) => {
    const actor = actorOf(request)
    const outcome = await withTenant(t.database.db, actor.tenantId, (trx) =>
      idempotently(trx, request, actor, async () => {
        const number = await nextNumber(trx, {
          companyId: null,
          documentType: 'test.number',
          pattern: 'N{###}',
          date: '2026-01-01',
        })
        return { statusCode: 201, body: { number, body: request.body } }
      }),
    )
    return replyIdempotent(reply, outcome)
  })
  ada = await signUp(t)
  bob = await signUp(t)
})
afterAll(() => t.close())

/** Posts as a member (their access token) or with a raw bearer credential such as an API key. */
const post = (who: SignedUp | string, payload: object, key?: string, url = '/test/numbers') =>
  t.app.inject({
    method: 'POST',
    url,
    payload,
    headers: {
      ...bearer(typeof who === 'string' ? who : who.accessToken),
      ...(key === undefined ? {} : { 'idempotency-key': key }),
    },
  })

async function lastNumber(who: SignedUp): Promise<string | undefined> {
  const { rows } = await withTenant(t.database.db, who.tenantId, (trx) =>
    sql<{ last_value: string }>`select last_value from sequences where document_type = 'test.number'`.execute(
      trx,
    ),
  )
  return rows[0]?.last_value
}

describe('Idempotency-Key on a POST route', () => {
  it('writes once and replays the first response to a retry, marked as replayed', async () => {
    const first = await post(ada, { a: 1, b: [1, 2] }, 'order-1')
    expect(first.statusCode).toBe(201)
    expect(first.headers['idempotent-replayed']).toBeUndefined()
    const retry = await post(ada, { b: [1, 2], a: 1 }, 'order-1')
    expect(retry.statusCode).toBe(201)
    expect(retry.headers['idempotent-replayed']).toBe('true')
    expect(retry.json()).toEqual(first.json())
    expect(await lastNumber(ada)).toBe('1')
  })

  it('writes every time without a key', async () => {
    const before = Number(await lastNumber(ada))
    await post(ada, { a: 1 })
    await post(ada, { a: 1 })
    expect(Number(await lastNumber(ada))).toBe(before + 2)
  })

  it('refuses the same key with another body or another query string (422), writing nothing', async () => {
    await post(ada, { a: 1 }, 'order-2')
    const before = await lastNumber(ada)
    for (const res of [
      await post(ada, { a: 2 }, 'order-2'),
      await post(ada, { a: 1 }, 'order-2', '/test/numbers?x=1'),
    ]) {
      expect(res.statusCode).toBe(422)
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(res.json()).toMatchObject({ code: 'idempotency_key_reused' })
    }
    expect(await lastNumber(ada)).toBe(before)
  })

  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(256)],
    ['non-ASCII', 'clé-1'],
  ])('refuses a key that is %s with 400 naming Idempotency-Key, writing nothing', async (_name, key) => {
    const before = await lastNumber(ada)
    const res = await post(ada, { a: 1 }, key)
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ errors: [{ field: 'Idempotency-Key' }] })
    expect(await lastNumber(ada)).toBe(before)
  })

  it("keeps an API key's keys apart from its owner's", async () => {
    await post(ada, { a: 1 }, 'per-caller')
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: bearer(ada.accessToken),
      payload: { name: 'Integration', roles: ['owner'] },
    })
    expect(created.statusCode).toBe(201)
    const viaKey = await post(created.json().key, { a: 1 }, 'per-caller')
    expect(viaKey.statusCode).toBe(201)
    expect(viaKey.headers['idempotent-replayed']).toBeUndefined()
    expect((await post(created.json().key, { a: 1 }, 'per-caller')).headers['idempotent-replayed']).toBe(
      'true',
    )
  })

  it("keeps one tenant's keys apart from another's", async () => {
    await post(ada, { a: 1 }, 'shared-key')
    const inBob = await post(bob, { something: 'else' }, 'shared-key')
    expect(inBob.statusCode).toBe(201)
    expect(inBob.headers['idempotent-replayed']).toBeUndefined()
    expect(inBob.json()).toMatchObject({ number: 'N001', body: { something: 'else' } })
  })
})
