import {
  createDispatcher,
  createJobs,
  type Jobs,
  newId,
  sealSecret,
  WEBHOOK_DELIVERY_JOB,
  webhookDelivery,
  webhookTarget,
  withTenant,
} from '@tessera/kernel'
import { createTestApp, type TestApp } from '@tessera/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call } from '../access/helpers.ts'
import type { SignedUp } from '../auth/helpers.ts'
import { create, tenantWith } from '../entities/helpers.ts'
import { catalogModule } from '../fixtures/modules/catalog.ts'
import { deliveryRows, startReceiver } from './helpers.ts'

/** No TESSERA_OUTBOUND_ALLOW here: only public addresses are reachable. */
let t: TestApp
let owner: SignedUp
let jobs: Jobs
let receiver: Awaited<ReturnType<typeof startReceiver>>
beforeAll(async () => {
  t = await createTestApp({ modules: [catalogModule] })
  owner = await tenantWith(t, ['catalog'])
  receiver = await startReceiver()
  jobs = createJobs(t.database)
  await jobs.prepare([WEBHOOK_DELIVERY_JOB])
})
afterAll(async () => {
  await jobs?.stop()
  await receiver?.close()
  await t?.close()
})

describe('webhook URLs that reach inside are refused', () => {
  it.each([
    ['loopback', () => `http://127.0.0.1:${receiver.port}/hook`],
    ['loopback elsewhere in 127/8', () => 'http://127.1.2.3/'],
    ['a private network (10/8)', () => 'http://10.0.0.1/'],
    ['a private network (172.16/12)', () => 'https://172.16.5.4/'],
    ['a private network (192.168/16)', () => 'http://192.168.1.1/'],
    ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/'],
    ['link-local', () => 'http://169.254.10.10/'],
    ['IPv6 loopback', () => `http://[::1]:${receiver.port}/`],
    ['IPv6 unique-local', () => 'http://[fd00::1]/'],
    ['IPv6 link-local', () => 'http://[fe80::1]/'],
    ['an IPv4-mapped IPv6 loopback', () => `http://[::ffff:127.0.0.1]:${receiver.port}/`],
    ['0.0.0.0', () => `http://0.0.0.0:${receiver.port}/`],
    ['loopback as one decimal number', () => `http://2130706433:${receiver.port}/`],
    ['loopback in hex', () => `http://0x7f000001:${receiver.port}/`],
    ['loopback in octal', () => `http://0177.0.0.1:${receiver.port}/`],
    ['a name that resolves to loopback', () => `http://localhost:${receiver.port}/`],
  ])('%s: 400 naming url, nothing written', async (_label, url) => {
    const res = await call(t, owner.accessToken, 'POST', '/api/v1/webhooks', { url: url(), events: ['*'] })
    expect(res.statusCode, res.body).toBe(400)
    expect(res.json().errors).toEqual([expect.objectContaining({ field: 'url', code: 'url_refused' })])
    expect((await call(t, owner.accessToken, 'GET', '/api/v1/webhooks')).json().data).toEqual([])
  })

  it('refuses again on delivery, on the address connected to, when one got in anyway', async () => {
    // a webhook saved while the address was allowed (or its name resolved elsewhere then)
    const id = newId()
    await withTenant(t.database.db, owner.tenantId, (trx) =>
      sql`insert into webhooks (tenant_id, id, url, events, secret_sealed, created_by)
          values (${owner.tenantId}::uuid, ${id}::uuid, ${`http://localhost:${receiver.port}/inside`},
                  ${['catalog.item.created']}::text[],
                  ${sealSecret(t.identity.sealingKey, 'whsec_x', `webhook:${owner.tenantId}:${id}`)},
                  ${owner.userId}::uuid)`.execute(trx),
    )
    await create(t, owner.accessToken, 'catalog-items', { name: 'Probe', kind: 'good' })
    await createDispatcher({
      db: t.database.db,
      modules: [catalogModule],
      targets: [webhookTarget(jobs)],
    }).runOnce()
    const [pending] = await deliveryRows(t, owner.tenantId, id)
    if (!pending) throw new Error('no delivery')
    await webhookDelivery({
      db: t.database.db,
      jobs,
      sealingKey: t.identity.sealingKey,
      outboundAllow: [],
    }).attempt(owner.tenantId, { deliveryId: pending.id, attempt: 0 })
    const [row] = await deliveryRows(t, owner.tenantId, id)
    expect(row).toMatchObject({ status: 'retrying', attempts: 1, http_status: null })
    expect(row?.error).toMatch(/localhost is a loopback address/)
    expect(receiver.received).toEqual([])
  })
})
