import { addUserToTenant, findTenantBySlug, generatePassword, migrate, TesseraError } from '@tessera/kernel'
import { openRuntime } from '@tessera/server'

interface UserCreateOptions {
  tenant: string
  email: string
  name?: string
  role: string[]
  json?: boolean
}

export async function userCreateCommand(options: UserCreateOptions): Promise<void> {
  const { database, migrations } = await openRuntime()
  try {
    await migrate(database.db, migrations)
    const tenant = await findTenantBySlug(database.db, options.tenant)
    if (!tenant) throw new Error(`No tenant has the slug "${options.tenant}".`)
    const password = generatePassword()
    const name = options.name ?? options.email.split('@')[0] ?? options.email
    const created = await addUserToTenant(database.db, {
      tenantId: tenant.id,
      email: options.email,
      name,
      password,
      roles: options.role,
    })
    const isNew = created.created
    const result = {
      tenant: tenant.slug,
      user_id: created.user.id,
      email: created.user.email,
      roles: created.membership.roles,
      ...(isNew ? { password } : {}),
    }
    if (options.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
      return
    }
    process.stdout.write(`Added ${result.email} to ${tenant.slug} as ${result.roles.join(', ')}.\n`)
    process.stdout.write(
      isNew
        ? `Password (shown once, change it after signing in): ${password}\n`
        : 'This account already existed and keeps its password.\n',
    )
  } catch (err) {
    if (err instanceof TesseraError) {
      throw new Error(`${err.message}${err.errors.map((e) => `\n  ${e.field}: ${e.message}`).join('')}`)
    }
    throw err
  } finally {
    await database.close()
  }
}
