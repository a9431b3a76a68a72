import { sql } from 'kysely'
import type { Db } from '../db/schema.ts'
import { withSystem, withTenant } from '../db/tenant.ts'
import type { Mailer } from '../mail/mailer.ts'

/**
 * Sends the notification emails marked pending, tenant by tenant, each in its own transaction
 * after the change that caused it committed. A failed send is marked failed, not retried in a
 * loop: the in-app notification still stands. Returns how many were sent.
 */
export async function sendPendingNotificationEmails(db: Db, mailer: Pick<Mailer, 'send'>): Promise<number> {
  const tenants = await withSystem(db, (trx) => trx.selectFrom('tenants').select('id').execute())
  let sent = 0
  for (const { id: tenantId } of tenants) {
    sent += await withTenant(db, tenantId, async (trx) => {
      const { rows } = await sql<{
        id: string
        title: string
        body: string | null
        link: string | null
        email: string
      }>`
        select n.id, n.title, n.body, n.link, u.email from notifications n join users u on u.id = n.user_id
        where n.email_status = 'pending' order by n.id limit 100 for update of n skip locked`.execute(trx)
      let count = 0
      for (const row of rows) {
        let status = 'sent'
        try {
          const text = [row.body, row.link].filter(Boolean).join('\n\n') || row.title
          await mailer.send({ to: row.email, subject: row.title, text })
          count += 1
        } catch {
          status = 'failed'
        }
        await sql`update notifications set email_status = ${status} where id = ${row.id}::uuid`.execute(trx)
      }
      return count
    })
  }
  return sent
}
