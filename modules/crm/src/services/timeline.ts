import {
  can,
  type EntityContext,
  type FileTables,
  getRecord,
  Invalid,
  type JsonRecord,
  listAudit,
} from '@tessera/kernel'
import { partnerEntity } from '@tessera/partners'
import { activityEntity } from '../entities/activity.ts'
import { opportunityEntity } from '../entities/opportunity.ts'
import { allRecords, literal, modelOf } from './records.ts'
import { listStages } from './stages.ts'

export const TimelineQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    opportunity: { type: 'string', format: 'uuid', description: "an opportunity's id" },
    partner: { type: 'string', format: 'uuid', description: "a contact's id (its opportunities included)" },
    cursor: { type: 'string', maxLength: 200, description: 'next_cursor of the previous page' },
    limit: { type: 'string', pattern: '^(?:[1-9][0-9]?|100)$', description: '1 to 100, default 30' },
  },
} as const

export interface TimelineQuery {
  opportunity?: string
  partner?: string
  cursor?: string
  limit?: string
}

/** One entry of a timeline; `kind` says which of the optional parts it has. */
export interface TimelineItem {
  id: string
  kind: 'activity' | 'created' | 'field_change' | 'stage_move' | 'status' | 'document'
  at: string
  entity: string
  record_id: string
  user_id?: string | null
  activity?: JsonRecord
  action?: string
  changes?: { field: string; from: unknown; to: unknown }[]
  stage?: { from: string | null; to: string | null }
  document?: { id: string; name: string }
}

const AUDIT_PAGES = 10
const HIDDEN = new Set(['version', 'updated_at', 'updated_by', 'closed_at'])

/**
 * The history of an opportunity, or of a contact and its opportunities, newest first: activities,
 * field changes and stage moves from the audit trail (with the reader's field masks), outcomes
 * (won, lost, reopened) and attached documents. Only what the member may read: the record itself
 * (else 404), activities with crm.activity:read. Pages by an opaque cursor (time and id).
 */
export async function timeline(ctx: EntityContext, query: TimelineQuery) {
  const limit = query.limit ? Number(query.limit) : 30
  const after = decodeCursor(query.cursor)
  const targets: { entity: string; id: string }[] = []
  let activityFilter: string
  if (query.opportunity) {
    await getRecord(ctx, await modelOf(ctx, opportunityEntity.key), query.opportunity, { fields: 'name' })
    targets.push({ entity: opportunityEntity.key, id: query.opportunity })
    activityFilter = `opportunity = ${literal(query.opportunity)}`
  } else if (query.partner) {
    await getRecord(ctx, await modelOf(ctx, partnerEntity.key), query.partner, { fields: 'name' })
    targets.push({ entity: partnerEntity.key, id: query.partner })
    const deals = can(ctx.actor, 'crm.opportunity:read')
      ? await allRecords(ctx, opportunityEntity.key, {
          filter: `organization = ${literal(query.partner)} or contact = ${literal(query.partner)}`,
          fields: 'id',
        })
      : []
    for (const d of deals) targets.push({ entity: opportunityEntity.key, id: d.id as string })
    activityFilter = [
      `partner = ${literal(query.partner)}`,
      ...deals.map((d) => `opportunity = ${literal(d.id as string)}`),
    ].join(' or ')
  } else throw Invalid.field('opportunity', 'Give an opportunity or a partner.', 'required')
  const items: TimelineItem[] = []
  if (can(ctx.actor, 'crm.activity:read'))
    for (const a of await allRecords(ctx, activityEntity.key, { filter: activityFilter })) {
      const linked = (a.opportunity as string | null) ?? (a.partner as string)
      items.push({
        id: `activity:${a.id}`,
        kind: 'activity',
        at: a.created_at as string,
        entity: a.opportunity ? opportunityEntity.key : partnerEntity.key,
        record_id: linked,
        user_id: (a.created_by as string | null) ?? null,
        activity: a,
      })
    }
  const stageNames = new Map((await listStages(ctx.db)).map((s) => [s.id, s.name]))
  for (const target of targets) items.push(...(await auditItems(ctx, target, stageNames)))
  items.push(...(await documentItems(ctx, targets)))
  items.sort((a, b) => (a.at === b.at ? b.id.localeCompare(a.id) : b.at.localeCompare(a.at)))
  const rest = after ? items.filter((i) => i.at < after.at || (i.at === after.at && i.id < after.id)) : items
  const page = rest.slice(0, limit)
  const last = page[page.length - 1]
  return { data: page, next_cursor: rest.length > limit && last ? encodeCursor(last) : null }
}

async function auditItems(
  ctx: EntityContext,
  target: { entity: string; id: string },
  stageNames: Map<string, string>,
): Promise<TimelineItem[]> {
  const out: TimelineItem[] = []
  let cursor: string | undefined
  for (let page = 0; page < AUDIT_PAGES; page++) {
    const result = await listAudit(ctx.db, ctx.actor, {
      entity: target.entity,
      record: target.id,
      limit: '200',
      ...(cursor ? { cursor } : {}),
    })
    for (const row of result.data) {
      const base = {
        id: `audit:${row.id}`,
        at: row.occurred_at,
        entity: row.entity,
        record_id: row.record_id,
        user_id: row.user_id,
        action: row.action,
      }
      const before = row.old_values ?? {}
      const after = row.new_values ?? {}
      if (row.action === 'create') {
        out.push({ ...base, kind: 'created' })
        continue
      }
      if (row.action !== 'update') {
        out.push({ ...base, kind: 'status' })
        continue
      }
      const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
        (f) => !HIDDEN.has(f),
      )
      if (fields.includes('stage')) {
        const name = (id: unknown) => (typeof id === 'string' ? (stageNames.get(id) ?? id) : null)
        out.push({
          ...base,
          id: `${base.id}:stage`,
          kind: 'stage_move',
          stage: { from: name(before.stage), to: name(after.stage) },
        })
      }
      const changes = fields
        .filter((f) => f !== 'stage')
        .map((field) => ({ field, from: before[field] ?? null, to: after[field] ?? null }))
      if (changes.length > 0) out.push({ ...base, kind: 'field_change', changes })
    }
    if (!result.next_cursor) break
    cursor = result.next_cursor
  }
  return out
}

/** Files attached to the records (kernel files), their reader already allowed to read the records. */
async function documentItems(
  ctx: EntityContext,
  targets: { entity: string; id: string }[],
): Promise<TimelineItem[]> {
  if (targets.length === 0) return []
  const rows = await ctx.db
    .withTables<FileTables>()
    .selectFrom('files')
    .select(['id', 'entity', 'record_id', 'name', 'created_at', 'created_by'])
    .where('archived_at', 'is', null)
    .where((eb) =>
      eb.or(targets.map((t) => eb.and([eb('entity', '=', t.entity), eb('record_id', '=', t.id)]))),
    )
    .execute()
  return rows.map((f) => ({
    id: `document:${f.id}`,
    kind: 'document',
    at: new Date(f.created_at).toISOString(),
    entity: f.entity,
    record_id: f.record_id,
    user_id: f.created_by,
    document: { id: f.id, name: f.name },
  }))
}

const encodeCursor = (item: TimelineItem) => Buffer.from(`${item.at}|${item.id}`).toString('base64url')

function decodeCursor(text: string | undefined): { at: string; id: string } | undefined {
  if (text === undefined) return undefined
  const [at, id] = Buffer.from(text, 'base64url').toString().split('|')
  if (!at || !id || Number.isNaN(Date.parse(at)))
    throw Invalid.field('cursor', 'cursor must be the next_cursor of a previous page.', 'invalid_cursor')
  return { at, id }
}
