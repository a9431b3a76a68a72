import { type EntityContext, listRecords, loadModel } from '@tessera/kernel'
import { partnerEntity } from '../entities/partner.ts'

/** A contact as other modules receive it: the record the member may see, as the API shows it. */
export type PartnerRecord = Record<string, unknown> & { id: string; kind: string; name: string }

/**
 * The contacts whose email is `email`, ignoring case (mail addresses are matched that way in
 * practice): how mail-in, CRM and helpdesk find who wrote. Goes through the entity store, so the
 * member's rights, record rules and field masks apply as they do to the API; archived contacts
 * are left out. Organisations come before people, then by name.
 */
export async function findPartnersByEmail(ctx: EntityContext, email: string): Promise<PartnerRecord[]> {
  const wanted = email.trim().toLowerCase()
  if (wanted === '' || wanted.length > 254) return []
  const model = await loadModel(ctx.db, partnerEntity.key)
  if (!model) return []
  // starts_with compares case-insensitively; the exact comparison below drops longer addresses
  const { data } = await listRecords(ctx, model, {
    filter: `email starts_with '${wanted.replaceAll("'", "''")}'`,
    sort: 'kind,name',
    limit: 200,
  })
  return (data as PartnerRecord[]).filter((p) => String(p.email ?? '').toLowerCase() === wanted)
}

/** The first contact with this email (see findPartnersByEmail), or undefined. */
export async function findPartnerByEmail(
  ctx: EntityContext,
  email: string,
): Promise<PartnerRecord | undefined> {
  return (await findPartnersByEmail(ctx, email))[0]
}
