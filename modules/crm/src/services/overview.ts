import {
  can,
  codeEntity,
  type EntityContext,
  type FileTables,
  getRecord,
  isModuleActive,
  type JsonRecord,
  listRecords,
  loadModel,
} from '@tessera/kernel'
import { partnerEntity } from '@tessera/partners'
import { activityEntity } from '../entities/activity.ts'
import { opportunityEntity } from '../entities/opportunity.ts'
import { latestScores } from './confidence-store.ts'
import { customerMemory } from './memory.ts'
import { allRecords, literal, modelOf } from './records.ts'

/**
 * Sections other modules own, shown when their module is active in the tenant and the member may
 * read them: found by entity key and the entity's reference to the contact, so CRM imports none
 * of those modules (and a tenant without them simply gets no such section).
 */
const RELATED = [
  ['quotes', 'sales.quote'],
  ['orders', 'sales.order'],
  ['invoices', 'accounting.invoice'],
  ['tickets', 'helpdesk.ticket'],
] as const

const SECTION_LIMIT = 50

/**
 * The 360-degree view of a contact: its profile, people (for an organisation), opportunities with
 * their confidence, latest activities, the customer memory, documents, and the quotes, orders,
 * invoices and tickets of the modules that are active. A section the member may not read is left
 * out, not emptied: `sections` lists the ones present.
 */
export async function partnerOverview(ctx: EntityContext, id: string) {
  const partners = await modelOf(ctx, partnerEntity.key)
  const profile = await getRecord(ctx, partners, id, { include: 'organization,category,tags,addresses' })
  const out: Record<string, unknown> = { profile }
  if (profile.kind === 'organization')
    out.contacts = (
      await listRecords(ctx, partners, { filter: `organization = ${literal(id)}`, limit: SECTION_LIMIT })
    ).data
  const customer = `organization = ${literal(id)} or contact = ${literal(id)}`
  let dealIds: string[] = []
  if (can(ctx.actor, 'crm.opportunity:read')) {
    const deals = await allRecords(ctx, opportunityEntity.key, { filter: customer, include: 'stage' })
    const scores = await latestScores(
      ctx.db,
      deals.map((d) => d.id as string),
    )
    dealIds = deals.map((d) => d.id as string)
    out.opportunities = deals
      .slice(0, SECTION_LIMIT)
      .map((d) => ({ ...d, confidence: scores.get(d.id as string)?.score ?? null }))
  }
  if (can(ctx.actor, 'crm.activity:read')) {
    const filter = [`partner = ${literal(id)}`, ...dealIds.map((d) => `opportunity = ${literal(d)}`)].join(
      ' or ',
    )
    const activities = await modelOf(ctx, activityEntity.key)
    out.activities = (
      await listRecords(ctx, activities, { filter, sort: '-created_at', limit: SECTION_LIMIT })
    ).data
    out.memory = await customerMemory(ctx, { partner: id })
  }
  for (const [section, key] of RELATED) {
    const records = await relatedRecords(ctx, key, id)
    if (records) out[section] = records
  }
  out.documents = await documents(ctx, [
    { entity: partnerEntity.key, id },
    ...dealIds.map((d) => ({ entity: opportunityEntity.key, id: d })),
  ])
  return { ...out, sections: Object.keys(out).filter((k) => k !== 'profile') }
}

/** A related module's records of the contact, or undefined when it is absent, inactive or unreadable. */
async function relatedRecords(
  ctx: EntityContext,
  key: string,
  partnerId: string,
): Promise<JsonRecord[] | undefined> {
  const definition = codeEntity(key)
  if (!definition || !(await isModuleActive(ctx.db, key.slice(0, key.indexOf('.'))))) return undefined
  if (!can(ctx.actor, `${key}:read`)) return undefined
  const field = Object.entries(definition.fields).find(
    ([, f]) => f.type === 'reference' && f.target === partnerEntity.key,
  )?.[0]
  const model = field ? await loadModel(ctx.db, key) : undefined
  if (!field || !model) return undefined
  return (await listRecords(ctx, model, { filter: `${field} = ${literal(partnerId)}`, limit: SECTION_LIMIT }))
    .data
}

/** Files attached to the contact and its opportunities, newest first (records the member may read). */
async function documents(ctx: EntityContext, targets: { entity: string; id: string }[]) {
  const rows = await ctx.db
    .withTables<FileTables>()
    .selectFrom('files')
    .select(['id', 'entity', 'record_id', 'name', 'created_at'])
    .where('archived_at', 'is', null)
    .where((eb) =>
      eb.or(targets.map((t) => eb.and([eb('entity', '=', t.entity), eb('record_id', '=', t.id)]))),
    )
    .orderBy('created_at', 'desc')
    .limit(SECTION_LIMIT)
    .execute()
  return rows.map((f) => ({ ...f, created_at: new Date(f.created_at).toISOString() }))
}
