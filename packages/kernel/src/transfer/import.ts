import { sql } from 'kysely'
import { assertCan } from '../access/can.ts'
import type { EntityContext } from '../entities/context.ts'
import type { EntityModel } from '../entities/model.ts'
import { type EntityAccess, entityAccess, permissionOf } from '../entities/store/access.ts'
import type { JsonRecord } from '../entities/store/rows.ts'
import { insertRecord } from '../entities/store/write.ts'
import { fromDatabaseError } from '../errors/database-errors.ts'
import { Invalid, TesseraError } from '../errors/errors.ts'
import { convertCell, convertMoney, isBlank, textOf, UUID } from './convert.ts'
import { type ColumnTarget, mapColumns } from './mapping.ts'
import { referenceByDisplay } from './references.ts'
import { type ImportFormat, type RawCell, readTable, type Table, type TableRow } from './table.ts'

/** The most row errors one answer lists (the counts cover them all). */
export const MAX_REPORTED_ERRORS = 1000

export interface ImportInput {
  body: Buffer
  format: ImportFormat
  /** JSON `{"Column header": "field_name" | null}` */
  mapping?: string
  /** validate every row, write nothing */
  dryRun: boolean
}

/** One problem of one row; `row` is the row number a spreadsheet shows (the header is row 1). */
export interface ImportRowError {
  row: number
  field: string
  code: string
  message: string
}

export interface ImportReport {
  dry_run: boolean
  /** data rows in the file */
  rows: number
  /** rows that passed every check (and, unless a dry run, were written) */
  valid: number
  invalid: number
  created: number
  errors: ImportRowError[]
  /** more errors than MAX_REPORTED_ERRORS: the list holds the first ones */
  errors_truncated: boolean
}

/** A file read and its columns mapped, for the member who imports it: ready to check and write. */
export interface PreparedImport {
  access: EntityAccess
  table: Table
  columns: ColumnTarget[]
}

/**
 * Maps the file's columns for the member who imports it, after checking their rights: the
 * entity's `import` right on top of `create`. A bad mapping or a field the member may not change
 * is refused here (400 or 403), before any row is looked at.
 */
export async function prepareImport(
  ctx: EntityContext,
  model: EntityModel,
  table: Table,
  mapping: string | undefined,
): Promise<PreparedImport> {
  assertCan(ctx.actor, permissionOf(model, 'import'))
  const access = await entityAccess(ctx, model, 'create')
  return { access, table, columns: mapColumns(access, table.headers, mapping) }
}

/**
 * Imports a CSV or XLSX file into an entity (see prepareImport for the rights). Every row goes
 * through the same code as POST (validation, rights, field rules, references the member may see,
 * uniqueness, business rules, audit and events), each inside a savepoint so one bad row does not
 * stop the others from being checked. The whole import runs inside a savepoint of the caller's
 * transaction: a dry run, or any bad row, rolls it all back — all or nothing. A bad row makes
 * this throw 400 `import_invalid` listing every row's errors.
 */
export async function importRecords(
  ctx: EntityContext,
  model: EntityModel,
  input: ImportInput,
): Promise<ImportReport> {
  const table = await readTable(input.body, input.format)
  return importPrepared(ctx, await prepareImport(ctx, model, table, input.mapping), input.dryRun)
}

/** importRecords for a file already read and mapped. */
export async function importPrepared(
  ctx: EntityContext,
  prepared: PreparedImport,
  dryRun: boolean,
): Promise<ImportReport> {
  const report = await writeRows(ctx, prepared, { dryRun })
  if (!dryRun && report.invalid > 0)
    throw new Invalid(
      `${report.invalid} of ${report.rows} rows are invalid; nothing was imported.`,
      report.errors,
      'import_invalid',
    )
  return report
}

/**
 * Checks and writes the rows of a prepared import, all or nothing (see importRecords), and
 * reports rather than throws when rows are invalid. `onProgress` hears how many rows are done
 * after each one.
 */
export async function writeRows(
  ctx: EntityContext,
  { access, table, columns }: PreparedImport,
  options: { dryRun: boolean; onProgress?: (processed: number) => Promise<void> },
): Promise<ImportReport> {
  const errors: ImportRowError[] = []
  let valid = 0
  let processed = 0
  await sql`savepoint tessera_import`.execute(ctx.db)
  for (const row of table.rows) {
    const problems = await importRow(ctx, access, columns, row)
    if (problems.length === 0) valid++
    errors.push(...problems)
    processed++
    await options.onProgress?.(processed)
  }
  const keep = !options.dryRun && errors.length === 0
  await sql
    .raw(keep ? 'release savepoint tessera_import' : 'rollback to savepoint tessera_import')
    .execute(ctx.db)
  return {
    dry_run: options.dryRun,
    rows: table.rows.length,
    valid,
    invalid: table.rows.length - valid,
    created: keep ? valid : 0,
    errors: errors.slice(0, MAX_REPORTED_ERRORS),
    errors_truncated: errors.length > MAX_REPORTED_ERRORS,
  }
}

/**
 * Converts and writes one row inside its own savepoint; returns its problems (none: written). A
 * row whose cells do not convert is still checked with the cells that do, and rolled back, so
 * the report lists all of the row's problems at once.
 */
async function importRow(
  ctx: EntityContext,
  access: EntityAccess,
  columns: readonly ColumnTarget[],
  { row, cells }: TableRow,
): Promise<ImportRowError[]> {
  const { body, problems } = await rowBody(ctx, columns, cells)
  const converted = new Set(problems.map((p) => p.field))
  await sql`savepoint tessera_import_row`.execute(ctx.db)
  try {
    await insertRecord(ctx, access, body)
  } catch (err) {
    const known = err instanceof TesseraError ? err : fromDatabaseError(err)
    if (!known) throw err
    if (known.errors.length === 0) problems.push({ field: '(row)', code: known.code, message: known.message })
    else problems.push(...known.errors.filter((e) => !converted.has(e.field)))
  }
  const keep = problems.length === 0
  await sql
    .raw(keep ? 'release savepoint tessera_import_row' : 'rollback to savepoint tessera_import_row')
    .execute(ctx.db)
  return problems.map((p) => ({ row, field: p.field, code: p.code, message: p.message }))
}

type Problem = Omit<ImportRowError, 'row'>

/** The API body a row stands for: custom fields under `custom`, money from one or two cells. */
async function rowBody(
  ctx: EntityContext,
  columns: readonly ColumnTarget[],
  cells: readonly RawCell[],
): Promise<{ body: JsonRecord; problems: Problem[] }> {
  const body: JsonRecord = {}
  const custom: JsonRecord = {}
  const problems: Problem[] = []
  const currencies = new Map<string, string>()
  columns.forEach((target, i) => {
    const cell = cells[i] ?? null
    if (target.kind === 'field' && target.part === 'currency' && !isBlank(cell))
      currencies.set(target.name, textOf(cell as Exclude<RawCell, null>))
  })
  const put = (name: string, value: unknown) => {
    if (name.startsWith('custom.')) custom[name.slice('custom.'.length)] = value
    else body[name] = value
  }
  for (const [i, target] of columns.entries()) {
    const cell = cells[i] ?? null
    if (target.kind === 'skip' || isBlank(cell)) continue
    const raw = cell as Exclude<RawCell, null>
    if (target.kind === 'company') {
      body.company_id = textOf(raw).trim()
      continue
    }
    if (target.part === 'currency') continue
    const { field, name } = target
    let converted =
      field.definition.type === 'money'
        ? convertMoney(raw, currencies.get(name))
        : convertCell(field.definition, raw)
    if (
      'value' in converted &&
      field.definition.type === 'reference' &&
      typeof converted.value === 'string' &&
      !UUID.test(converted.value)
    )
      converted = await referenceByDisplay(ctx, field, converted.value)
    if ('value' in converted) put(name, converted.value)
    else problems.push({ field: name, code: converted.code, message: `${name} ${converted.message}` })
  }
  if (Object.keys(custom).length > 0) body.custom = custom
  return { body, problems }
}
