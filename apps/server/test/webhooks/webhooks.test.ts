import { createJobs, createRegistry, type Jobs, webhookDelivery, withTenant } from '@tessera/kernel'
import { createTestApp, type TestApp } from '@tessera/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startWorker, type Worker } from '../../src/events/worker.ts'
import { installedModules } from '../../src/modules.ts'
import { addMember, call, createRole, type Member } from '../access/helpers.ts'
import type { SignedUp } from '../auth/helpers.ts'
import { create, tenantWith } from '../entities/helpers.ts'
import { catalogModule } from '../fixtures/modules/catalog.ts'
import { deliveryRows, readmeVerifier, startReceiver, until } from './helpers.ts'

const ALLOW = ['127.0.0.1']
let t: TestApp
let owner: SignedUp
let jobs: Jobs
let worker: Worker
let receiver: Awaited<ReturnType<typeof startReceiver>>
beforeAll(async () => {
  t = await createTestApp({ modules: [catalogModule], env: { TESSERA_OUTBOUND_ALLOW: ALLOW.join(',') } })
  owner = await tenantWith(t, ['catalog'])
  receiver = await startReceiver()
  jobs = createJobs(t.database, { worker: true, pollingIntervalSeconds: 0.5 })
  worker = await startWorker({
    database: t.database,
    registry: createRegistry([...installedModules, catalogModule]),
    sealingKey: t.identity.sealingKey,
    config: { natsUrl: undefined, outboundAllow: ALLOW },
    jobs,
    dispatchIntervalMs: 100,
  })
})
afterAll(async () => {
  await worker?.stop()
  await jobs?.stop()
  await receiver?.close()
  await t?.close()
})

/** One attempt of a delivery now, as its retry job would make it later. */
const attemptNow = (tenantId: string, deliveryId: string, attempt: number) =>
  webhookDelivery({
    db: t.database.db,
    jobs,
    sealingKey: t.identity.sealingKey,
    outboundAllow: ALLOW,
  }).attempt(tenantId, { deliveryId, attempt })

async function subscribe(token: string, body: Record<string, unknown>) {
  const res = await call(t, token, 'POST', '/api/v1/webhooks', body)
  expect(res.statusCode, res.body).toBe(201)
  return res.json() as { id: string; secret: string; version: number }
}

const ITEM = { name: 'Widget', kind: 'good' }

describe('webhook deliveries', () => {
  it('POST each matching event, signed so that the README’s sample verifies it, and log the answer', async () => {
    const created = await call(t, owner.accessToken, 'POST', '/api/v1/webhooks', {
      url: `${receiver.url}/hooks/items`,
      events: ['catalog.item.*'],
      description: 'items to the warehouse',
    })
    expect(created.statusCode, created.body).toBe(201)
    expect(created.headers['cache-control']).toBe('no-store')
    const hook = created.json() as { id: string; secret: string }
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/)
    expect(created.json()).toMatchObject({ events: ['catalog.item.*'], active: true, version: 1 })
    const read = await call(t, owner.accessToken, 'GET', `/api/v1/webhooks/${hook.id}`)
    expect(read.json()).not.toHaveProperty('secret')
    expect(
      JSON.stringify((await call(t, owner.accessToken, 'GET', '/api/v1/webhooks')).json()),
    ).not.toContain(hook.secret)
    const other = await subscribe(owner.accessToken, {
      url: `${receiver.url}/hooks/orders`,
      events: ['catalog.order.*'],
    })

    const item = await create(t, owner.accessToken, 'catalog-items', ITEM)
    const request = await until(() => receiver.received.find((r) => r.path === '/hooks/items'))
    const body = JSON.parse(request.body)
    expect(body).toMatchObject({
      type: 'catalog.item.created',
      tenant_id: owner.tenantId,
      data: { record: { id: item.id, name: 'Widget' } },
    })
    expect(Object.keys(body).sort()).toEqual(['created_at', 'data', 'id', 'tenant_id', 'type'])
    expect(request.headers['tessera-event-id']).toBe(body.id)
    expect(request.headers['content-type']).toBe('application/json')
    const signature = request.headers['tessera-signature'] as string
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/)
    const verify = await readmeVerifier()
    expect(verify(hook.secret, request.body, signature)).toBe(true)
    expect(verify('whsec_wrong', request.body, signature)).toBe(false)
    expect(verify(hook.secret, request.body.replace('Widget', 'Wodget'), signature)).toBe(false)

    const log = await until(async () => {
      const res = await call(t, owner.accessToken, 'GET', `/api/v1/webhooks/${hook.id}/deliveries`)
      const [first] = res.json().data
      return first?.status === 'succeeded' ? res.json() : undefined
    })
    expect(log.data).toHaveLength(1)
    expect(log.data[0]).toMatchObject({
      event_id: body.id,
      event_type: 'catalog.item.created',
      attempts: 1,
      http_status: 200,
      response_excerpt: 'thanks',
      error: null,
      next_attempt_at: null,
    })
    expect(log.data[0].duration_ms).toBeGreaterThanOrEqual(0)
    // the orders webhook matched nothing
    expect(receiver.received.filter((r) => r.path === '/hooks/orders')).toEqual([])
    expect(await deliveryRows(t, owner.tenantId, other.id)).toEqual([])
  })

  it('retries a receiver answering 500 with doubling delays, gives up after a day, and replays by hand', async () => {
    const failing = await startReceiver({ status: 500, body: 'x'.repeat(2000) })
    try {
      const hook = await subscribe(owner.accessToken, {
        url: `${failing.url}/fail`,
        events: ['catalog.item.created'],
      })
      await create(t, owner.accessToken, 'catalog-items', { ...ITEM, name: 'Refused' })
      const first = await until(async () =>
        (await deliveryRows(t, owner.tenantId, hook.id)).find((d) => d.attempts === 1),
      )
      expect(first).toMatchObject({ status: 'retrying', http_status: 500, error: null })
      expect(first.response_excerpt).toHaveLength(1024)
      const gap = (d: { last_attempt_at: Date | null; next_attempt_at: Date | null }) =>
        ((d.next_attempt_at?.getTime() ?? 0) - (d.last_attempt_at?.getTime() ?? 0)) / 1000
      expect(gap(first)).toBe(60)

      // the retry jobs are due in minutes: make those attempts now, as the jobs would
      await attemptNow(owner.tenantId, first.id, 1)
      const second = (await deliveryRows(t, owner.tenantId, hook.id))[0]
      expect(second).toMatchObject({ status: 'retrying', attempts: 2 })
      expect(gap(second as NonNullable<typeof second>)).toBe(120)
      await attemptNow(owner.tenantId, first.id, 2)
      const third = (await deliveryRows(t, owner.tenantId, hook.id))[0]
      expect(third).toMatchObject({ status: 'retrying', attempts: 3 })
      expect(gap(third as NonNullable<typeof third>)).toBe(240)
      // a stale job (its attempt was already made) does nothing
      await attemptNow(owner.tenantId, first.id, 1)
      expect((await deliveryRows(t, owner.tenantId, hook.id))[0]?.attempts).toBe(3)
      expect(failing.received).toHaveLength(3)
      expect(new Set(failing.received.map((r) => r.headers['tessera-event-id'])).size).toBe(1)

      // a day later: the next failure is the last
      await withTenant(t.database.db, owner.tenantId, (trx) =>
        sql`update webhook_deliveries set retry_until = now() + interval '1 minute'
            where id = ${first.id}::uuid`.execute(trx),
      )
      await attemptNow(owner.tenantId, first.id, 3)
      expect((await deliveryRows(t, owner.tenantId, hook.id))[0]).toMatchObject({
        status: 'dead',
        attempts: 4,
        next_attempt_at: null,
      })

      failing.answer({ status: 202, body: 'ok now' })
      const replay = await call(
        t,
        owner.accessToken,
        'POST',
        `/api/v1/webhooks/${hook.id}/deliveries/${first.id}/replay`,
      )
      expect(replay.statusCode, replay.body).toBe(202)
      expect(replay.json()).toMatchObject({ id: first.id, status: 'pending', attempts: 4 })
      const done = await until(async () =>
        (await deliveryRows(t, owner.tenantId, hook.id)).find((d) => d.status === 'succeeded'),
      )
      expect(done).toMatchObject({ attempts: 5, http_status: 202, response_excerpt: 'ok now' })
      expect(failing.received).toHaveLength(5)
    } finally {
      await failing.close()
    }
  })

  it('never follows a redirect', async () => {
    const target = await startReceiver()
    const redirecting = await startReceiver({ status: 302, headers: { location: `${target.url}/stolen` } })
    try {
      const hook = await subscribe(owner.accessToken, {
        url: redirecting.url,
        events: ['catalog.item.created'],
      })
      await create(t, owner.accessToken, 'catalog-items', { ...ITEM, name: 'Redirected' })
      const row = await until(async () =>
        (await deliveryRows(t, owner.tenantId, hook.id)).find((d) => d.attempts === 1),
      )
      expect(row).toMatchObject({ status: 'retrying', http_status: 302 })
      expect(row.error).toContain('redirect')
      expect(redirecting.received).toHaveLength(1)
      expect(target.received).toEqual([])
    } finally {
      await target.close()
      await redirecting.close()
    }
  })

  it('sends only what the webhook’s creator may read: no hidden field, no entity without its read right', async () => {
    await createRole(t, owner.accessToken, 'hooks_masked', [
      'kernel.webhook:read',
      'kernel.webhook:create',
      'catalog.item:read',
    ])
    await createRole(t, owner.accessToken, 'hooks_blind', ['kernel.webhook:read', 'kernel.webhook:create'])
    const rule = await call(t, owner.accessToken, 'POST', '/api/v1/access/field-rules', {
      role: 'hooks_masked',
      entity: 'catalog.item',
      field: 'secret_note',
      access: 'hidden',
    })
    expect(rule.statusCode, rule.body).toBe(201)
    const masked: Member = await addMember(t, owner, ['hooks_masked'])
    const blind: Member = await addMember(t, owner, ['hooks_blind'])
    const events = ['catalog.item.created']
    const full = await subscribe(owner.accessToken, { url: `${receiver.url}/full`, events })
    await subscribe(masked.token, { url: `${receiver.url}/masked`, events })
    const blindHook = await subscribe(blind.token, { url: `${receiver.url}/blind`, events })

    const item = await create(t, owner.accessToken, 'catalog-items', { ...ITEM, secret_note: 'cost 3.10' })
    const record = (path: string) => {
      const r = receiver.received.find(
        (x) => x.path === path && JSON.parse(x.body).data.record.id === item.id,
      )
      return r && JSON.parse(r.body).data.record
    }
    expect(await until(() => record('/full'))).toMatchObject({ secret_note: 'cost 3.10' })
    const seen = await until(() => record('/masked'))
    expect(seen).toMatchObject({ name: 'Widget' })
    expect(seen).not.toHaveProperty('secret_note')
    await until(async () => (await deliveryRows(t, owner.tenantId, full.id)).length > 0)
    expect(await deliveryRows(t, owner.tenantId, blindHook.id)).toEqual([])
    expect(receiver.received.filter((r) => r.path === '/blind')).toEqual([])
  })
})

describe('webhook routes refuse bad input', () => {
  const url = () => `${receiver.url}/ok`
  it.each([
    ['no body fields', {}, 'url'],
    ['no events', () => ({ url: url() }), 'events'],
    ['an ftp URL', { url: 'ftp://files.example.com/in', events: ['*'] }, 'url'],
    ['a URL with credentials', () => ({ url: url().replace('//', '//user:pw@'), events: ['*'] }), 'url'],
    ['an over-long URL', { url: `https://example.com/${'a'.repeat(2000)}`, events: ['*'] }, 'url'],
    ['an empty event list', () => ({ url: url(), events: [] }), 'events'],
    ['a malformed pattern', () => ({ url: url(), events: ['Catalog..item'] }), 'events[0]'],
    ['a wildcard inside a pattern', () => ({ url: url(), events: ['catalog.*.created'] }), 'events[0]'],
    ['a repeated event', () => ({ url: url(), events: ['*', '*'] }), 'events'],
    ['a tenant_id', () => ({ url: url(), events: ['*'], tenant_id: owner.tenantId }), 'tenant_id'],
    ['a secret of its own', () => ({ url: url(), events: ['*'], secret: 'whsec_mine' }), 'secret'],
    ['a private address', { url: 'http://10.0.0.1/hook', events: ['*'] }, 'url'],
  ])('400 on %s, naming the field, writing nothing', async (_label, body, field) => {
    const count = async () =>
      (await call(t, owner.accessToken, 'GET', '/api/v1/webhooks')).json().data.length as number
    const before = await count()
    const res = await call(
      t,
      owner.accessToken,
      'POST',
      '/api/v1/webhooks',
      typeof body === 'function' ? body() : body,
    )
    expect(res.statusCode, res.body).toBe(400)
    expect(res.headers['content-type']).toContain('application/problem+json')
    expect((res.json().errors as { field: string }[]).map((e) => e.field)).toContain(field)
    expect(await count()).toBe(before)
  })

  it('changes with If-Match only (428 without, 409 when stale), checking a new URL like a first one', async () => {
    const hook = await subscribe(owner.accessToken, { url: url(), events: ['*'] })
    const path = `/api/v1/webhooks/${hook.id}`
    expect((await call(t, owner.accessToken, 'PATCH', path, { active: false })).statusCode).toBe(428)
    const refused = await call(t, owner.accessToken, 'PATCH', path, { url: 'http://169.254.169.254/' }, 1)
    expect(refused.statusCode).toBe(400)
    expect(refused.json().errors[0].field).toBe('url')
    const ok = await call(
      t,
      owner.accessToken,
      'PATCH',
      path,
      { active: false, events: ['catalog.item.*'] },
      1,
    )
    expect(ok.statusCode, ok.body).toBe(200)
    expect(ok.json()).toMatchObject({ active: false, events: ['catalog.item.*'], version: 2 })
    expect(ok.headers.etag).toBe('"2"')
    expect((await call(t, owner.accessToken, 'PATCH', path, { active: true }, 1)).statusCode).toBe(409)
    expect((await call(t, owner.accessToken, 'PATCH', path, {}, 2)).statusCode).toBe(400)
    expect((await call(t, owner.accessToken, 'DELETE', path)).statusCode).toBe(204)
    expect((await call(t, owner.accessToken, 'GET', path)).statusCode).toBe(404)
  })

  it('answers 404 for another tenant’s webhook and its deliveries, on every route', async () => {
    const hook = await subscribe(owner.accessToken, { url: url(), events: ['*'] })
    const stranger = await tenantWith(t, [])
    const base = `/api/v1/webhooks/${hook.id}`
    const tries: [Parameters<typeof call>[2], string, unknown?, number?][] = [
      ['GET', base],
      ['PATCH', base, { active: false }, 1],
      ['DELETE', base],
      ['GET', `${base}/deliveries`],
      ['POST', `${base}/deliveries/${hook.id}/replay`],
    ]
    for (const [method, path, body, version] of tries) {
      const res = await call(t, stranger.accessToken, method, path, body, version)
      expect(res.statusCode, `${method} ${path}`).toBe(404)
      expect(res.body).not.toContain(receiver.url)
    }
    expect((await call(t, stranger.accessToken, 'GET', '/api/v1/webhooks')).json().data).toEqual([])
    expect((await call(t, owner.accessToken, 'GET', base)).json()).toMatchObject({ active: true, version: 1 })
    const unknown = await call(t, owner.accessToken, 'POST', `${base}/deliveries/${hook.id}/replay`)
    expect(unknown.statusCode).toBe(404)
  })

  it('answers 403 to a member without the webhook right the route needs', async () => {
    const hook = await subscribe(owner.accessToken, { url: url(), events: ['*'] })
    await createRole(t, owner.accessToken, 'hooks_reader', ['kernel.webhook:read'])
    const reader = await addMember(t, owner, ['hooks_reader'])
    await createRole(t, owner.accessToken, 'hooks_none', [])
    const nobody = await addMember(t, owner, ['hooks_none'])
    const base = `/api/v1/webhooks/${hook.id}`
    expect((await call(t, reader.token, 'GET', base)).statusCode).toBe(200)
    expect((await call(t, reader.token, 'GET', `${base}/deliveries`)).statusCode).toBe(200)
    const writes: [Parameters<typeof call>[2], string, unknown?, number?][] = [
      ['POST', '/api/v1/webhooks', { url: url(), events: ['*'] }],
      ['PATCH', base, { active: false }, 1],
      ['DELETE', base],
      ['POST', `${base}/deliveries/${hook.id}/replay`],
    ]
    for (const [method, path, body, version] of writes) {
      expect((await call(t, reader.token, method, path, body, version)).statusCode, `${method} ${path}`).toBe(
        403,
      )
    }
    expect((await call(t, nobody.token, 'GET', '/api/v1/webhooks')).statusCode).toBe(403)
    expect((await call(t, nobody.token, 'GET', `${base}/deliveries`)).statusCode).toBe(403)
    expect((await call(t, owner.accessToken, 'GET', base)).json()).toMatchObject({ active: true, version: 1 })
  })

  it('refuses (422) to replay a delivery of a switched-off webhook', async () => {
    const hook = await subscribe(owner.accessToken, {
      url: `${receiver.url}/off`,
      events: ['catalog.item.created'],
    })
    await create(t, owner.accessToken, 'catalog-items', { ...ITEM, name: 'Off' })
    const delivery = await until(async () => (await deliveryRows(t, owner.tenantId, hook.id))[0])
    const off = await call(t, owner.accessToken, 'PATCH', `/api/v1/webhooks/${hook.id}`, { active: false }, 1)
    expect(off.statusCode, off.body).toBe(200)
    const res = await call(
      t,
      owner.accessToken,
      'POST',
      `/api/v1/webhooks/${hook.id}/deliveries/${delivery.id}/replay`,
    )
    expect(res.statusCode).toBe(422)
    expect(res.json().code).toBe('webhook_inactive')
  })

  it('validates the deliveries query', async () => {
    const hook = await subscribe(owner.accessToken, { url: url(), events: ['*'] })
    const base = `/api/v1/webhooks/${hook.id}/deliveries`
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=1000', 'limit'],
      ['status=lost', 'status'],
      ['before=yesterday', 'before'],
      ['tenant=x', 'tenant'],
    ]) {
      const res = await call(t, owner.accessToken, 'GET', `${base}?${query}`)
      expect(res.statusCode, query).toBe(400)
      expect(JSON.stringify(res.json().errors), query).toContain(field)
    }
    expect((await call(t, owner.accessToken, 'GET', `${base}?limit=5&status=dead`)).json()).toEqual({
      data: [],
      next_before: null,
    })
  })
})
