import type { Tx } from '@tessera/kernel'

/** The module's tables as its own code reads them (the generic store needs no types). */
// types, not interfaces: Kysely's withTables wants indexable records
type Timestamp = Date | string
// a column with a default: optional on insert
type Defaulted = Date | string | undefined

type StagesTable = {
  tenant_id: string
  id: string
  name: string
  sequence: number
  probability: number
  is_won: boolean
  is_lost: boolean
  required_fields: string[]
  created_by: string | null
  updated_by: string | null
  archived_at: Date | null
}

type OpportunitiesTable = {
  tenant_id: string
  id: string
  type: 'lead' | 'opportunity'
  name: string
  contact_id: string | null
  organization_id: string | null
  expected_revenue: string | null
  expected_revenue_currency: string | null
  expected_close_date: string | null
  owner_id: string | null
  stage_id: string | null
  state: 'open' | 'won' | 'lost'
  closed_at: Date | null
  created_at: Timestamp
  created_by: string | null
  archived_at: Date | null
}

type ActivitiesTable = {
  tenant_id: string
  id: string
  type: string
  subject: string
  note: string | null
  due_date: string | null
  assignee_id: string | null
  done: boolean
  opportunity_id: string | null
  partner_id: string | null
  is_proposal: boolean
  opens: number
  created_at: Timestamp
  updated_at: Timestamp
  created_by: string | null
  updated_by: string | null
}

type ConfidenceScoresTable = {
  tenant_id: string
  id: string
  opportunity_id: string
  score: number
  // jsonb: written as JSON text, read as the array it holds
  signals: unknown
  computed_at: Defaulted
}

type SettingsTable = {
  tenant_id: string
  confidence_weights: unknown
  updated_at: Defaulted
  updated_by: string | null
}

export type CrmTables = {
  crm_stages: StagesTable
  crm_opportunities: OpportunitiesTable
  crm_activities: ActivitiesTable
  crm_confidence_scores: ConfidenceScoresTable
  crm_settings: SettingsTable
  member_directory: { user_id: string; name: string; email: string; status: string }
}

export const crmTx = (trx: Tx) => trx.withTables<CrmTables>()
