import { sql } from 'kysely'
import type { Tx } from '../db/schema.ts'
import { isUuid } from '../db/tenant.ts'
import { Invalid } from '../errors/errors.ts'
import { calendarDateOf, formatNumber, periodOf } from './format.ts'
import { checkNumberingPattern } from './pattern.ts'

/** The company of a tenant-wide sequence: company_id is part of the key, so it cannot be null. */
export const TENANT_WIDE = '00000000-0000-0000-0000-000000000000'

const ENTITY_KEY = /^[a-z][a-z0-9_]{0,39}\.[a-z][a-z0-9_]{0,62}$/

export interface NextNumberInput {
  /** the document's company; null for a sequence shared by the whole tenant */
  companyId: string | null
  /** the entity key, e.g. `sales.invoice` */
  documentType: string
  /** e.g. `INV/{YYYY}/{#####}`; already validated when a tenant set it (validateNumberingPattern) */
  pattern: string
  /** the document's date, which picks the year or month the counter runs in */
  date: Date | string
}

/**
 * The next number of a gapless sequence, e.g. `INV/2026/00001`. Call it inside the transaction
 * that submits or posts the document (withTenant), as late as possible: the upsert locks the
 * sequence row until that transaction ends, so concurrent postings wait for each other instead of
 * taking the same number, and a rollback gives the number back, so there is never a hole.
 */
export async function nextNumber(trx: Tx, input: NextNumberInput): Promise<string> {
  const pattern = checkNumberingPattern(input.pattern)
  if (!ENTITY_KEY.test(input.documentType)) {
    throw new Error(`Numbering needs an entity key such as sales.invoice, not "${input.documentType}".`)
  }
  if (input.companyId !== null && !isUuid(input.companyId)) {
    throw Invalid.field('company_id', 'The company id is not a UUID.', 'format')
  }
  const date = calendarDateOf(input.date)
  const { rows } = await sql<{ last_value: string }>`
    insert into sequences (tenant_id, company_id, document_type, period, last_value)
    values (nullif(current_setting('app.tenant_id', true), '')::uuid, ${input.companyId ?? TENANT_WIDE},
            ${input.documentType}, ${periodOf(pattern, date)}, 1)
    on conflict (tenant_id, company_id, document_type, period)
    do update set last_value = sequences.last_value + 1, updated_at = now()
    returning last_value`.execute(trx)
  const value = rows[0]?.last_value
  if (value === undefined) throw new Error('The sequence upsert returned no row.')
  return formatNumber(pattern, date, value)
}
