import { type RawBuilder, sql } from 'kysely'

/**
 * The modules active in the tenant of the `tenants` row aliased `alias`, as a column of a larger
 * select: the authentication statement reads them with the credentials (Actor.activeModules), so
 * the module gate costs no query of its own and a deactivation still applies on the next request.
 */
export function activeModulesOf(alias: string): RawBuilder<string[]> {
  return sql<string[]>`array(select tm.module from tenant_modules tm
    where tm.tenant_id = ${sql.ref(`${alias}.id`)} and tm.active order by 1)`
}
