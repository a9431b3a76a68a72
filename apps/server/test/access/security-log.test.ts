import { defineModule } from '@tessera/kernel'
import { createTestApp, type TestApp } from '@tessera/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedUp, signUp } from '../auth/helpers.ts'
import { call } from './helpers.ts'

/** Changes to who may see what are security events: rules, and the modules a tenant runs. */

const logModule = defineModule({ name: 'logmod', version: '2.1.0', permissions: ['logmod.thing:read'] })

let t: TestApp
beforeAll(async () => {
  t = await createTestApp({ modules: [logModule] })
})
afterAll(() => t.close())

interface SecurityEvent {
  type: string
  user_id: string | null
  ip: string | null
  user_agent: string | null
  details: Record<string, unknown>
}

/** The tenant's security events whose type starts with `prefix`, oldest first. */
async function events(owner: SignedUp, prefix: string): Promise<SecurityEvent[]> {
  const res = await call(t, owner.accessToken, 'GET', '/api/v1/security-events?limit=200')
  expect(res.statusCode).toBe(200)
  return (res.json().data as SecurityEvent[]).filter((e) => e.type.startsWith(prefix)).reverse()
}

describe('the security log', () => {
  it('records each record-rule change with who made it and what changed', async () => {
    const owner = await signUp(t)
    const base = '/api/v1/access/record-rules'
    const created = await call(t, owner.accessToken, 'POST', base, {
      role: 'user',
      entity: 'kernel.company',
      filter: "country = 'FR'",
    })
    expect(created.statusCode).toBe(201)
    const id = created.json().id as string
    expect(
      (await call(t, owner.accessToken, 'PATCH', `${base}/${id}`, { filter: "country = 'DE'" })).statusCode,
    ).toBe(200)
    // refused changes leave no trace
    expect(
      (await call(t, owner.accessToken, 'PATCH', `${base}/${id}`, { filter: 'salary > 1' })).statusCode,
    ).toBe(400)
    expect((await call(t, owner.accessToken, 'DELETE', `${base}/${id}`)).statusCode).toBe(204)

    const rule = { role: 'user', entity: 'kernel.company' }
    const log = await events(owner, 'record_rule.')
    expect(log.map((e) => e.type)).toEqual([
      'record_rule.created',
      'record_rule.updated',
      'record_rule.deleted',
    ])
    expect(log.every((e) => e.user_id === owner.userId && e.ip !== null)).toBe(true)
    expect(log.map((e) => e.details)).toEqual([
      { rule_id: id, ...rule, filter: "country = 'FR'" },
      {
        rule_id: id,
        before: { ...rule, filter: "country = 'FR'" },
        after: { ...rule, filter: "country = 'DE'" },
      },
      { rule_id: id, ...rule, filter: "country = 'DE'" },
    ])
  })

  it('records each field-rule change', async () => {
    const owner = await signUp(t)
    const base = '/api/v1/access/field-rules'
    const body = { role: 'user', entity: 'kernel.company', field: 'currency', access: 'hidden' }
    const created = await call(t, owner.accessToken, 'POST', base, body)
    expect(created.statusCode).toBe(201)
    const id = created.json().id as string
    expect((await call(t, owner.accessToken, 'POST', base, body)).statusCode).toBe(409)
    const patched = await call(t, owner.accessToken, 'PATCH', `${base}/${id}`, { access: 'read_only' })
    expect(patched.statusCode).toBe(200)
    expect((await call(t, owner.accessToken, 'DELETE', `${base}/${id}`)).statusCode).toBe(204)
    expect((await call(t, owner.accessToken, 'DELETE', `${base}/${id}`)).statusCode).toBe(404)

    const { access: _, ...rule } = body
    const log = await events(owner, 'field_rule.')
    expect(log.map((e) => [e.type, e.user_id])).toEqual([
      ['field_rule.created', owner.userId],
      ['field_rule.updated', owner.userId],
      ['field_rule.deleted', owner.userId],
    ])
    expect(log.map((e) => e.details)).toEqual([
      { rule_id: id, ...rule, access: 'hidden' },
      { rule_id: id, before: { ...rule, access: 'hidden' }, after: { ...rule, access: 'read_only' } },
      { rule_id: id, ...rule, access: 'read_only' },
    ])
  })

  it('records each activation and deactivation of a module, not a request that changes nothing', async () => {
    const owner = await signUp(t)
    const setActive = (active: boolean) =>
      t.app.inject({
        method: 'PATCH',
        url: '/api/v1/modules/logmod',
        headers: { authorization: `Bearer ${owner.accessToken}`, 'user-agent': 'security-log-test' },
        payload: { active },
      })
    for (const active of [true, true, false, true]) expect((await setActive(active)).statusCode).toBe(200)

    const log = await events(owner, 'module.')
    expect(log.map((e) => [e.type, e.details])).toEqual([
      ['module.activated', { module: 'logmod', version: '2.1.0', seeded: true }],
      ['module.deactivated', { module: 'logmod', version: '2.1.0' }],
      ['module.activated', { module: 'logmod', version: '2.1.0', seeded: false }],
    ])
    expect(log.every((e) => e.user_id === owner.userId && e.user_agent === 'security-log-test')).toBe(true)
  })

  it('keeps a refused module change out of the log', async () => {
    const owner = await signUp(t)
    const res = await call(t, owner.accessToken, 'PATCH', '/api/v1/modules/logmod', { active: 'yes' })
    expect(res.statusCode).toBe(400)
    expect(await events(owner, 'module.')).toEqual([])
  })
})
