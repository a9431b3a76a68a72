import { createDispatcher } from '@tessera/kernel'
import { installedModules } from '@tessera/server'
import { createTestApp, type TestApp } from '@tessera/testing'
import { call } from '../../../apps/server/test/access/helpers.ts'
import { type SignedUp, signUp } from '../../../apps/server/test/auth/helpers.ts'
import { partnersModule } from '../../partners/src/index.ts'
import { crmModule } from '../src/index.ts'

export { addMember, call } from '../../../apps/server/test/access/helpers.ts'
export { bearer, type SignedUp, signUp } from '../../../apps/server/test/auth/helpers.ts'

const modules = [partnersModule, crmModule]

/** The server with CRM and its dependency (already there when the build installs them). */
export function createCrmApp(): Promise<TestApp> {
  return createTestApp({ modules: modules.filter((m) => !installedModules.includes(m)) })
}

/** A new tenant (company currency EUR) whose owner has activated partners and CRM. */
export async function tenantWithCrm(t: TestApp): Promise<SignedUp> {
  const owner = await signUp(t)
  for (const name of ['partners', 'crm']) {
    const res = await call(t, owner.accessToken, 'PATCH', `/api/v1/modules/${name}`, { active: true })
    if (res.statusCode !== 200) throw new Error(`activation of ${name} failed: ${res.statusCode} ${res.body}`)
  }
  return owner
}

/** Delivers the outbox to the subscribers now, as the worker would. */
export function deliverEvents(t: TestApp): Promise<number> {
  return createDispatcher({ db: t.database.db, modules }).runOnce()
}

/** POSTs and returns the created record, failing loudly otherwise. */
export async function created(t: TestApp, token: string, url: string, body: unknown) {
  const res = await call(t, token, 'POST', url, body)
  if (res.statusCode !== 201) throw new Error(`POST ${url}: ${res.statusCode} ${res.body}`)
  return res.json() as Record<string, unknown> & { id: string; version: number }
}

export type StageName = 'New' | 'Qualified' | 'Proposal' | 'Negotiation' | 'Won' | 'Lost'

/** The tenant's stages by name (the seeded pipeline). */
export async function stagesByName(t: TestApp, token: string): Promise<Record<StageName, string>> {
  const res = await call(t, token, 'GET', '/api/v1/crm-stages?limit=50')
  return Object.fromEntries(
    (res.json().data as { id: string; name: string }[]).map((s) => [s.name, s.id]),
  ) as Record<StageName, string>
}
