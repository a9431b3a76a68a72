import { sql } from 'kysely'
import { Invalid, NotFound } from '../../errors/errors.ts'
import type { EntityContext } from '../context.ts'
import type { EntityModel, FieldModel } from '../model.ts'
import { type EntityAccess, loadAccess, modelOf } from './access.ts'
import { UUID } from './read.ts'
import type { JsonRecord } from './rows.ts'

/** The row writers, passed in because writing a line is writing a record (which may have lines). */
export interface RowWriter {
  insert(
    ctx: EntityContext,
    access: EntityAccess,
    body: unknown,
    options: { prefix: string; set: Record<string, unknown>; preset: string[] },
  ): Promise<string>
  patch(
    ctx: EntityContext,
    access: EntityAccess,
    id: string,
    body: unknown,
    version: undefined,
    prefix: string,
  ): Promise<void>
  remove(ctx: EntityContext, model: EntityModel, id: string): Promise<void>
}

/**
 * A document's lines, written with it in its transaction. On create every line is new. On update
 * the lines sent replace the document's lines: a line with an `id` updates that line (which must
 * belong to this document: 404 otherwise), a line without one is added, and a line not sent is
 * deleted. The line's reference to its document is set here and cannot be sent.
 */
export async function writeChildren(
  ctx: EntityContext,
  field: FieldModel,
  parentId: string,
  lines: readonly unknown[],
  mode: 'create' | 'update',
  path: string,
  writer: RowWriter,
): Promise<void> {
  const child = await modelOf(ctx, field.definition.target as string)
  const inverse = child?.fields[field.definition.inverse as string]
  if (!child || !inverse || inverse.storage.kind !== 'column')
    throw new Error(`entities: ${path} names a child entity or inverse field that does not exist`)
  const access = await loadAccess(ctx, child)
  const inverseColumn = inverse.storage.column
  const { rows } = await sql<{ id: string }>`
    select t.id from ${sql.table(child.table)} as t
    where ${sql.ref(`t.${inverseColumn}`)} = ${parentId}::uuid`.execute(ctx.db)
  const existing = new Set(mode === 'update' ? rows.map((r) => r.id) : [])
  const kept = new Set<string>()
  for (const [i, line] of lines.entries()) {
    const at = `${path}[${i}]`
    if (typeof line !== 'object' || line === null || Array.isArray(line))
      throw Invalid.field(at, `${at} must be an object.`, 'type')
    const { id, ...fields } = line as JsonRecord
    if (Object.hasOwn(fields, inverse.name))
      throw Invalid.field(
        `${at}.${inverse.name}`,
        `${at}.${inverse.name} is set by the document and cannot be sent.`,
        'read_only',
      )
    if (id === undefined) {
      await writer.insert(ctx, access, fields, {
        prefix: `${at}.`,
        set: { [inverseColumn]: parentId },
        preset: [inverse.name],
      })
      continue
    }
    if (typeof id !== 'string' || !UUID.test(id) || !existing.has(id) || kept.has(id))
      throw NotFound.field(`${at}.id`, `${at}.id: this document has no line with this id.`, 'line_not_found')
    kept.add(id)
    await writer.patch(ctx, access, id, fields, undefined, `${at}.`)
  }
  for (const id of existing) if (!kept.has(id)) await writer.remove(ctx, child, id)
}
