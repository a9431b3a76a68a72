import { createTenant, listTenants, migrate, TesseraError } from '@tessera/kernel'
import { openRuntime } from '@tessera/server'

interface CreateOptions {
  name: string
  slug?: string
  currency: string
  country?: string
  timezone: string
  json?: boolean
}

export async function tenantCreateCommand(options: CreateOptions): Promise<void> {
  const { database, migrations } = await openRuntime()
  try {
    await migrate(database.db, migrations)
    const { tenant, company } = await createTenant(database.db, {
      name: options.name,
      ...(options.slug ? { slug: options.slug } : {}),
      company: {
        currency: options.currency,
        timezone: options.timezone,
        ...(options.country ? { country: options.country } : {}),
      },
    })
    if (options.json) process.stdout.write(`${JSON.stringify({ tenant, company }, null, 2)}\n`)
    else process.stdout.write(`Created tenant ${tenant.slug} (${tenant.id}) with company ${company.name}.\n`)
  } catch (err) {
    if (err instanceof TesseraError) throw new Error(describe(err))
    throw err
  } finally {
    await database.close()
  }
}

export async function tenantListCommand(options: { json?: boolean }): Promise<void> {
  const { database, migrations } = await openRuntime()
  try {
    await migrate(database.db, migrations)
    const tenants = await listTenants(database.db)
    if (options.json) {
      process.stdout.write(`${JSON.stringify(tenants, null, 2)}\n`)
      return
    }
    if (tenants.length === 0) process.stdout.write('No tenants yet.\n')
    for (const t of tenants) process.stdout.write(`${t.slug}\t${t.id}\t${t.status}\t${t.name}\n`)
  } finally {
    await database.close()
  }
}

function describe(err: TesseraError): string {
  const fields = err.errors.map((e) => `\n  ${e.field}: ${e.message}`).join('')
  return `${err.message}${fields}`
}
