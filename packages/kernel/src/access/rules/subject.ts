import type { Tx } from '../../db/schema.ts'
import type { FilterContext } from '../../filters/variables.ts'

/**
 * Whom rules are evaluated for. An Actor fits (userId, roles); `companyIds` are the member's
 * allowed companies once multi-company gives members some. Until then, or when absent, a member
 * is allowed every company of the tenant, which is what the tenant had before companies were
 * restricted.
 */
export interface RuleSubject {
  userId: string
  roles: readonly string[]
  companyIds?: readonly string[]
}

/** What `$user.id`, `$user.company_ids`, `$user.roles`, `$today` and `$now` stand for. */
export async function filterContextOf(trx: Tx, subject: RuleSubject): Promise<FilterContext> {
  const companyIds =
    subject.companyIds ?? (await trx.selectFrom('companies').select('id').execute()).map((c) => c.id)
  return {
    user: { id: subject.userId, company_ids: companyIds, roles: [...subject.roles] },
    now: new Date(),
  }
}

/** The subject's role keys, once each. */
export function rolesOf(subject: RuleSubject): string[] {
  return [...new Set(subject.roles)]
}
