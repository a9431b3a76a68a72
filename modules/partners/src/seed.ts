import { type ModuleSeedContext, newId } from '@tessera/kernel'
import { partnersTx } from './tables.ts'

const CATEGORIES = [
  { name: 'Customer', description: 'Buys from us.' },
  { name: 'Supplier', description: 'Sells to us.' },
  { name: 'Prospect', description: 'Might buy from us.' },
]

const TAGS = [
  { name: 'VIP', color: '#d4380d' },
  { name: 'Newsletter', color: '#1677ff' },
  { name: 'Key account', color: '#389e0d' },
]

/** A tenant's first activation: the usual categories and a few tags, which it may rename or archive. */
export async function seedPartners({ db, tenantId, userId }: ModuleSeedContext): Promise<void> {
  const standard = { tenant_id: tenantId, created_by: userId, updated_by: userId }
  await partnersTx(db)
    .insertInto('partner_categories')
    .values(CATEGORIES.map((c) => ({ ...standard, id: newId(), ...c })))
    .execute()
  await partnersTx(db)
    .insertInto('partner_tags')
    .values(TAGS.map((t) => ({ ...standard, id: newId(), ...t })))
    .execute()
}
