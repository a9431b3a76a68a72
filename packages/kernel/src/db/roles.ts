/**
 * The two database roles Tessera uses (cluster-wide on a PostgreSQL server, so fixed names).
 * - OWNER_ROLE owns every table and runs migrations. It is still subject to forced RLS.
 * - APP_ROLE is what every request runs as: it owns nothing, is not a superuser and has no
 *   BYPASSRLS, so row-level security is the last word on which tenant's rows it sees.
 * Both are NOLOGIN: the connecting user switches to them per transaction with SET LOCAL ROLE.
 */
export const OWNER_ROLE = 'tessera_owner'
export const APP_ROLE = 'tessera_app'
