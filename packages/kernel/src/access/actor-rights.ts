import { sql } from 'kysely'

/**
 * SQL for what an Actor carries besides who it is, read with the credentials on every request
 * (no cache), so a change to a role, a member's roles or their companies applies at once.
 * `membership` is the alias of the memberships row in the caller's query.
 */

/** The union of the permissions of the given role keys (a text[] expression). */
export function permissionsOfRoles(roleKeys: string) {
  return sql<string[]>`array(select distinct p from roles r cross join unnest(r.permissions) p
    where r.key = any(${sql.ref(roleKeys)}) order by 1)`
}

/** The member's allowed companies. */
export function allowedCompaniesOf(membership: string) {
  return sql<string[]>`array(select mc.company_id::text from membership_companies mc
    where mc.membership_id = ${sql.ref(`${membership}.id`)} order by mc.company_id)`
}
