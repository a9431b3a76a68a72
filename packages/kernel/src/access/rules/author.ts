import type { Tx } from '../../db/schema.ts'
import {
  type RequestMeta,
  recordSecurityEvent,
  type SecurityEventType,
} from '../../identity/security-events.ts'

/** Who changes a rule: stamped on the rule and named in the security log with where they came from. */
export interface RuleAuthor {
  tenantId: string
  userId: string
  /** the API key the change was made with, if any */
  apiKeyId?: string | null
  meta: RequestMeta
}

/**
 * A rule change in the security log, in the transaction of the change itself: a rule never
 * changes without its entry, and an entry never outlives a rolled-back change.
 */
export function logRuleChange(
  trx: Tx,
  by: RuleAuthor,
  type: SecurityEventType,
  details: Record<string, unknown>,
): Promise<void> {
  return recordSecurityEvent(trx, by.tenantId, type, by.meta, {
    userId: by.userId,
    apiKeyId: by.apiKeyId ?? null,
    details,
  })
}
