import type { Db } from '../db/schema.ts'
import { withSystem } from '../db/tenant.ts'
import { createTenant } from '../tenancy/tenants.ts'
import { generatePassword } from './generated-password.ts'
import { addUserToTenant } from './signup.ts'

export const DEMO_OWNER_EMAIL = 'owner@demo.example.com'

/**
 * On a database with no tenant at all, creates a demo tenant and its owner with a generated
 * password, returned so the caller can print it once. Never a fixed default password: a default
 * that ships in the source is public. Returns undefined when any tenant exists.
 */
export async function ensureDemoTenant(
  db: Db,
): Promise<{ tenantId: string; userId: string; slug: string; email: string; password: string } | undefined> {
  const any = await withSystem(db, (trx) =>
    trx.selectFrom('tenants').select('id').limit(1).executeTakeFirst(),
  )
  if (any) return undefined
  const { tenant } = await createTenant(db, {
    name: 'Demo',
    slug: 'demo',
    company: { currency: 'EUR', timezone: 'UTC' },
  })
  const password = generatePassword()
  const { user } = await addUserToTenant(db, {
    tenantId: tenant.id,
    email: DEMO_OWNER_EMAIL,
    name: 'Demo Owner',
    password,
    roles: ['owner'],
  })
  return { tenantId: tenant.id, userId: user.id, slug: tenant.slug, email: DEMO_OWNER_EMAIL, password }
}
