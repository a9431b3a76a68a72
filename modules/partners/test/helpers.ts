import { installedModules } from '@tessera/server'
import { createTestApp, type TestApp } from '@tessera/testing'
import { call } from '../../../apps/server/test/access/helpers.ts'
import { type SignedUp, signUp } from '../../../apps/server/test/auth/helpers.ts'
import { partnersModule } from '../src/index.ts'

export { addMember, call } from '../../../apps/server/test/access/helpers.ts'
export { bearer, type SignedUp, signUp } from '../../../apps/server/test/auth/helpers.ts'

/** The server with this module (already there when the build installs it, added otherwise). */
export function createPartnersApp(): Promise<TestApp> {
  return createTestApp({ modules: installedModules.includes(partnersModule) ? [] : [partnersModule] })
}

/** A new tenant whose owner has activated the module. */
export async function tenantWithPartners(t: TestApp): Promise<SignedUp> {
  const owner = await signUp(t)
  const res = await call(t, owner.accessToken, 'PATCH', '/api/v1/modules/partners', { active: true })
  if (res.statusCode !== 200) throw new Error(`activation failed: ${res.statusCode} ${res.body}`)
  return owner
}
