import type { QueryClient } from '@tanstack/react-query'
import type { Money } from './money.ts'

/** The CRM answers the screens read (see modules/crm/src/routes.ts and its tests for the shapes). */

export const OPPORTUNITY = 'crm.opportunity'
export const ACTIVITY_TYPES = ['call', 'meeting', 'email', 'task', 'note'] as const

/** A value quoted for the filter language (quotes doubled), as ids from the address are. */
export const literal = (value: string) => `'${value.replaceAll("'", "''")}'`

export interface Activity {
  id: string
  version: number
  type: string
  subject: string
  note: string | null
  due_date: string | null
  assignee: string | null
  done: boolean
  overdue: boolean
  opportunity: string | null
  partner: string | null
}

let lastWrite = 0

/**
 * After any CRM write: everything the CRM screens show may have changed (a logged call moves the
 * confidence, the timeline, the memory and the focus list), and so may the generic records views.
 */
export async function refreshCrm(client: QueryClient): Promise<void> {
  lastWrite = Date.now()
  await Promise.all([
    client.invalidateQueries({ queryKey: ['crm'] }),
    client.invalidateQueries({ queryKey: ['records', OPPORTUNITY] }),
    client.invalidateQueries({ queryKey: ['records', 'crm.activity'] }),
  ])
}

/**
 * How often to re-read what the server derives from CRM events (confidence, memory): the worker
 * recomputes it a moment after a write, so for a short while after one the screen asks again.
 */
export const afterWrites = () => (Date.now() - lastWrite < 30_000 ? 2_000 : false)

/** One signed reason of a confidence score: what it added to or took from the score, and why. */
export interface Signal {
  code: string
  amount: number
  reason: string
}

/** GET /crm/opportunities/{id}/confidence: the latest score, or `score: null` before the first. */
export type Confidence =
  | { score: number; signals: Signal[]; computed_at: string; previous_score: number | null }
  | { score: null }

export type FactKind = 'person' | 'date' | 'personal_event' | 'preference' | 'commitment'

/** The customer memory: facts drawn from past activities and deals, and a "last time" summary. */
export interface Memory {
  summary: string | null
  facts: { kind: FactKind; text: string; sentence: string; source: { entity: string; id: string } }[]
  last: { id: string; type: string; subject: string; at: string } | null
}

/** One entry of a timeline; `kind` says which of the optional parts it carries. */
export interface TimelineItem {
  id: string
  kind: 'activity' | 'created' | 'field_change' | 'stage_move' | 'status' | 'document'
  at: string
  entity: string
  record_id: string
  activity?: { type: string; subject: string; done: boolean; note: string | null }
  action?: string
  changes?: { field: string; from: unknown; to: unknown }[]
  stage?: { from: string | null; to: string | null }
  document?: { id: string; name: string }
}

export interface TimelinePage {
  data: TimelineItem[]
  next_cursor: string | null
}

export interface PipelineStage {
  id: string
  name: string
  is_won: boolean
  is_lost: boolean
}

/** A record another one points at, as the CRM answers show it. */
export interface Ref {
  id: string
  name: string | null
}

export interface PipelineCard {
  id: string
  version: number
  name: string
  state: 'open' | 'won' | 'lost'
  organization: Ref | null
  contact: Ref | null
  expected_revenue: Money | null
  expected_close_date: string | null
  owner: Ref | null
  tags: Ref[]
  confidence: number | null
}

/** Amounts of one currency that have no rate to the company currency, left out of the total. */
export interface Unconverted extends Money {
  count: number
}

export interface PipelineColumn {
  stage: PipelineStage
  count: number
  total: Money
  unconverted: Unconverted[]
  opportunities: PipelineCard[]
}

export interface Pipeline {
  currency: string
  columns: PipelineColumn[]
  total: Money
  unconverted: Unconverted[]
}

/** A thing to do today: why it is listed, the record it is about, and the one request that does it. */
export interface Mission {
  kind: string
  priority: number
  title: string
  why: string
  record: { entity: string; id: string; name: string }
  action: { label: string; method: 'POST' | 'PATCH'; href: string; body: Record<string, unknown> }
}

export interface Focus {
  date: string
  missions: Mission[]
}

type Row = Record<string, unknown> & { id: string }

/**
 * GET /partners/{id}/overview: the profile and the sections the member may read (`sections` names
 * them); sections of other modules (quotes, orders, invoices, tickets) come when those are active.
 */
export interface PartnerOverview {
  profile: Row & { name: string; kind: string }
  sections: string[]
  contacts?: (Row & { name: string })[]
  opportunities?: (Row & {
    name: string
    state: string
    stage: Ref | null
    expected_revenue: Money | null
    confidence: number | null
  })[]
  activities?: Activity[]
  memory?: Memory
  [section: string]: unknown
}
