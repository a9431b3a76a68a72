import type { StandardColumns, Tx } from '@tessera/kernel'

/** The module's tables as its own code reads them (the generic store needs no types). */
// types, not interfaces: Kysely's withTables wants indexable records
type PartnersTable = StandardColumns & {
  tenant_id: string
  id: string
  kind: 'person' | 'organization'
  name: string
  organization_id: string | null
  email: string | null
  archived_at: Date | null
}

type PartnerCategoriesTable = StandardColumns & {
  tenant_id: string
  id: string
  name: string
  description: string | null
}

type PartnerTagsTable = StandardColumns & {
  tenant_id: string
  id: string
  name: string
  color: string | null
}

export type PartnersTables = {
  partners: PartnersTable
  partner_categories: PartnerCategoriesTable
  partner_tags: PartnerTagsTable
  countries: { code: string; name: string }
}

export const partnersTx = (trx: Tx) => trx.withTables<PartnersTables>()
