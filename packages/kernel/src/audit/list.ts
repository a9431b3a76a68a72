import { can, type Holder } from '../access/can.ts'
import { type FieldAccess, fieldAccess, maskRecord } from '../access/rules/field-access.ts'
import { entityMetadata } from '../access/rules/registry.ts'
import type { RuleSubject } from '../access/rules/subject.ts'
import type { Tx } from '../db/schema.ts'
import { Invalid } from '../errors/errors.ts'
import { FILE_ENTITY } from '../files/changes.ts'
import { parse } from '../schemas/validate.ts'
import type { AuditValues } from './chain.ts'
import { AuditQuery } from './query.ts'
import { SECURITY_EVENT_ENTITY } from './security.ts'
import { auditTx } from './tables.ts'

/** One audit row as a reader sees it: the values masked by their field access. */
export interface AuditView {
  id: string
  seq: number
  occurred_at: string
  user_id: string | null
  api_key_id: string | null
  request_id: string | null
  entity: string
  record_id: string
  action: string
  old_values: AuditValues | null
  new_values: AuditValues | null
}

export interface AuditPage {
  data: AuditView[]
  /** pass as `cursor` for the next (older) page; null on the last one */
  next_cursor: string | null
}

const DEFAULT_LIMIT = 50

/**
 * The tenant's audit trail, newest first, filtered, as `reader` may see it: values of fields
 * hidden from them on that entity are removed (an entity the tenant no longer has shows no
 * values at all, since its masks cannot be known), and security events appear only to readers
 * of the security log. Row-level security keeps other tenants' rows out.
 */
export async function listAudit(trx: Tx, reader: RuleSubject & Holder, input: unknown): Promise<AuditPage> {
  const query = parse(AuditQuery, input)
  const from = query.from === undefined ? undefined : new Date(query.from).toISOString()
  const to = query.to === undefined ? undefined : new Date(query.to).toISOString()
  if (from !== undefined && to !== undefined && from >= to)
    throw Invalid.field('to', 'to must be later than from.', 'before_from')
  const limit = query.limit === undefined ? DEFAULT_LIMIT : Number(query.limit)

  let select = auditTx(trx)
    .selectFrom('audit_log')
    .select([
      'id',
      'seq',
      'occurred_at',
      'user_id',
      'api_key_id',
      'request_id',
      'entity',
      'record_id',
      'action',
      'old_values',
      'new_values',
    ])
    .orderBy('seq', 'desc')
    .limit(limit + 1)
  if (query.entity !== undefined) select = select.where('entity', '=', query.entity)
  if (!can(reader, 'kernel.security_event:read')) select = select.where('entity', '<>', SECURITY_EVENT_ENTITY)
  if (query.record !== undefined) select = select.where('record_id', '=', query.record)
  if (query.member !== undefined) select = select.where('user_id', '=', query.member)
  if (query.action !== undefined) select = select.where('action', '=', query.action)
  // ISO 8601 texts of one shape (toISOString) sort as the times they name
  if (from !== undefined) select = select.where('occurred_at', '>=', from)
  if (to !== undefined) select = select.where('occurred_at', '<', to)
  if (query.cursor !== undefined) select = select.where('seq', '<', query.cursor)
  const rows = await select.execute()

  const page = rows.slice(0, limit)
  const masks = new Map<string, Promise<FieldAccess | null>>()
  const maskOf = (entity: string) => {
    let found = masks.get(entity)
    if (!found) {
      found = accessTo(trx, reader, entity)
      masks.set(entity, found)
    }
    return found
  }
  const data: AuditView[] = []
  for (const row of page) {
    const access = await maskOf(row.entity)
    const mask = (values: AuditValues | null) =>
      values === null ? null : access === null ? {} : (maskRecord(values, access) as AuditValues)
    data.push({
      ...row,
      seq: Number(row.seq),
      old_values: mask(row.old_values),
      new_values: mask(row.new_values),
    })
  }
  const last = page[page.length - 1]
  return { data, next_cursor: rows.length > limit && last ? String(last.seq) : null }
}

/**
 * The reader's field access to `entity`; none for security events and files (a file's row holds
 * its name, size, type and hash, no field of its record); null when unknown.
 */
async function accessTo(trx: Tx, reader: RuleSubject, entity: string): Promise<FieldAccess | null> {
  if (entity === SECURITY_EVENT_ENTITY || entity === FILE_ENTITY)
    return { hidden: new Set(), readOnly: new Set() }
  if (!(await entityMetadata(trx, entity))) return null
  return fieldAccess(trx, reader, entity)
}
