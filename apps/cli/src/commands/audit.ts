import { findTenantBySlug, migrate, verifyAuditChain } from '@tessera/kernel'
import { openRuntime } from '@tessera/server'

/**
 * `tessera audit verify --tenant SLUG`: recomputes the tenant's audit chain. Prints how many rows
 * verified and the head hash (exit 0), or the first broken link (exit 1).
 */
export async function auditVerifyCommand(options: { tenant: string; json?: boolean }): Promise<void> {
  const { database, migrations } = await openRuntime()
  try {
    await migrate(database.db, migrations)
    const tenant = await findTenantBySlug(database.db, options.tenant)
    if (!tenant) throw new Error(`No tenant has the slug "${options.tenant}".`)
    const report = await verifyAuditChain(database.db, tenant.id)
    if (report.broken) process.exitCode = 1
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ tenant: tenant.slug, ...report }, null, 2)}\n`)
      return
    }
    const { broken } = report
    const rows = (n: number) => `${n} ${n === 1 ? 'row' : 'rows'}`
    process.stdout.write(
      broken
        ? `Broken link in the audit trail of ${tenant.slug} at seq ${broken.seq}` +
            `${broken.id ? ` (id ${broken.id})` : ''}: ${broken.reason}. ` +
            `${rows(report.verified)} before it verified.\n`
        : `${rows(report.verified)} verified; head hash ${report.head}.\n`,
    )
  } finally {
    await database.close()
  }
}
