import { checkSchema } from '@tessera/kernel'
import { allGlobalTables, type TestApp } from '@tessera/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { partnersModule } from '../../partners/src/index.ts'
import { crmModule } from '../src/index.ts'
import { addMember, call, createCrmApp, signUp, tenantWithCrm } from './helpers.ts'

let t: TestApp
beforeAll(async () => {
  t = await createCrmApp()
})
afterAll(() => t?.close())

describe('the CRM module', () => {
  it('depends on partners and declares its events, job and rights', () => {
    expect(crmModule.depends).toEqual([partnersModule])
    expect(crmModule.events).toContain('crm.opportunity.won')
    expect(crmModule.jobs?.map((j) => j.name)).toEqual(['crm.recompute-confidence'])
    expect(crmModule.permissions).toEqual(
      expect.arrayContaining(['crm.opportunity:win', 'crm.settings:manage']),
    )
  })

  it('keeps every table tenant-scoped', async () => {
    const globals = [...new Set([...allGlobalTables(), ...(partnersModule.globalTables ?? [])])]
    expect(await checkSchema(t.database.db, globals)).toEqual([])
  })

  it('answers 404 to a tenant that has not activated it, and cannot lose partners while active', async () => {
    const stranger = await signUp(t)
    expect((await call(t, stranger.accessToken, 'GET', '/api/v1/crm/pipeline')).statusCode).toBe(404)
    const owner = await tenantWithCrm(t)
    const off = await call(t, owner.accessToken, 'PATCH', '/api/v1/modules/partners', { active: false })
    expect(off.statusCode).toBe(422)
  })

  it('refuses members without the rights, and shows CRM menus to its users', async () => {
    const owner = await tenantWithCrm(t)
    const contacts = await addMember(t, owner, ['partners_user'])
    expect((await call(t, contacts.token, 'GET', '/api/v1/crm/pipeline')).statusCode).toBe(403)
    expect((await call(t, contacts.token, 'GET', '/api/v1/crm/focus')).statusCode).toBe(403)
    const user = await addMember(t, owner, ['crm_user'])
    expect((await call(t, user.token, 'GET', '/api/v1/crm/focus')).statusCode).toBe(200)
    const menus = JSON.stringify((await call(t, user.token, 'GET', '/api/v1/menus')).json())
    expect(menus).toContain('/crm/pipeline')
    expect(menus).not.toContain('/crm/settings')
    const doc = (await call(t, owner.accessToken, 'GET', '/api/v1/openapi.json')).json()
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/crm/pipeline',
        '/api/v1/partners/{id}/overview',
        '/api/v1/opportunities',
      ]),
    )
  })
})
