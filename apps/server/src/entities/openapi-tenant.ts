import {
  type Actor,
  activeModuleNames,
  can,
  combineFieldRules,
  type EntityModel,
  loadModel,
  type ModuleRegistry,
  rulesTx,
  type Tx,
} from '@tessera/kernel'
import { sql } from 'kysely'
import type { DocumentedEntity } from './openapi-schemas.ts'

/**
 * The entities a member's OpenAPI document describes: the code entities of the modules active in
 * the tenant and the tenant's own entities, each only if the member may read it, with the
 * member's field masks. Lines (`childOf`) come along for their parents' `children` fields.
 */
export async function documentedEntities(
  trx: Tx,
  registry: ModuleRegistry,
  actor: Actor,
): Promise<{ entities: DocumentedEntity[]; lines: DocumentedEntity[] }> {
  const active = await activeModuleNames(trx)
  const code = registry.modules.filter((m) => active.has(m.name)).flatMap((m) => m.entities ?? [])
  const { rows } = await sql<{ key: string }>`select key from custom_entities order by key`.execute(trx)
  const readable = (key: string) => can(actor, `${key}:read`)
  const entityKeys = [...code.filter((e) => !e.childOf).map((e) => e.key), ...rows.map((r) => r.key)]
  const lineKeys = code.filter((e) => e.childOf !== undefined && readable(e.childOf)).map((e) => e.key)

  const models = new Map<string, EntityModel>()
  for (const key of [...entityKeys.filter(readable), ...lineKeys]) {
    const model = await loadModel(trx, key)
    if (model) models.set(key, model)
  }
  const rules =
    actor.roles.length === 0 || models.size === 0
      ? []
      : await rulesTx(trx)
          .selectFrom('field_rules')
          .select(['role', 'entity', 'field', 'access'])
          .where('entity', 'in', [...models.keys()])
          .where('role', 'in', actor.roles)
          .execute()
  const documented = (key: string): DocumentedEntity[] => {
    const model = models.get(key)
    if (!model) return []
    const own = rules.filter((rule) => rule.entity === key)
    const access = combineFieldRules(model.filter, [...new Set(actor.roles)], own)
    return [{ model, access, allows: (permission) => can(actor, permission) }]
  }
  return { entities: entityKeys.flatMap(documented), lines: lineKeys.flatMap(documented) }
}
