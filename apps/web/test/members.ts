import { addUserToTenant } from '@tessera/kernel'
import { type Member, PASSWORD, type World } from './harness.ts'

let counter = 0

/**
 * Another member of `owner`'s tenant holding only `roles` (as `tessera user create` adds one), for
 * tests of what a member without a right sees. Signs in through the login screen like anyone.
 */
export async function addMember(
  world: World,
  owner: Member,
  roles: string[],
): Promise<Pick<Member, 'email' | 'password' | 'name'>> {
  counter += 1
  const email = `member-${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}@example.com`
  const name = `Member ${counter}`
  await addUserToTenant(world.t.database.db, {
    tenantId: owner.tenantId,
    email,
    name,
    password: PASSWORD,
    roles,
  })
  return { email, password: PASSWORD, name }
}
