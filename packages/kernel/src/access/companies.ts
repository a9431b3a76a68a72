import { type Static, Type } from '@sinclair/typebox'
import { sql } from 'kysely'
import type { Tx } from '../db/schema.ts'
import { Conflict, Forbidden, NotFound } from '../errors/errors.ts'
import type { Actor } from '../identity/authenticate.ts'
import { parse } from '../schemas/validate.ts'
import { createCompany } from '../tenancy/companies.ts'
import { accessTx } from './tables.ts'

/**
 * Multi-company: a member works in the companies they are allowed (membership_companies), one of
 * them current. Another company, of this tenant or another, is absent to them: 404.
 */

/** PATCH /api/v1/companies/{id}: a company's currency never changes once it exists. */
export const CompanyPatchInput = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' })),
    country: Type.Optional(
      Type.Union([
        Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2 code' }),
        Type.Null(),
      ]),
    ),
    timezone: Type.Optional(Type.String({ format: 'time-zone', description: 'IANA time zone' })),
    logo_url: Type.Optional(
      Type.Union([Type.String({ format: 'uri', maxLength: 2048, pattern: '^https://' }), Type.Null()]),
    ),
    primary_color: Type.Optional(Type.Union([Type.String({ pattern: '^#[0-9a-f]{6}$' }), Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type CompanyPatchInput = Static<typeof CompanyPatchInput>

export const SwitchCompanyInput = Type.Object(
  { company_id: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
)

export interface CompanyView {
  id: string
  name: string
  currency: string
  country: string | null
  timezone: string
  logo_url: string | null
  primary_color: string | null
  /** whether it is the member's current company */
  current: boolean
  version: number
  created_at: string
  updated_at: string
}

const COLUMNS = [
  'c.id',
  'c.name',
  'c.currency',
  'c.country',
  'c.timezone',
  'c.logo_url',
  'c.primary_color',
  'c.version',
  'c.created_at',
  'c.updated_at',
] as const

type CompanyRow = {
  id: string
  name: string
  currency: string
  country: string | null
  timezone: string
  logo_url: string | null
  primary_color: string | null
  version: number
  created_at: Date
  updated_at: Date
}

function view(row: CompanyRow, currentId: string | null): CompanyView {
  return {
    id: row.id,
    name: row.name,
    currency: row.currency,
    country: row.country,
    timezone: row.timezone,
    logo_url: row.logo_url,
    primary_color: row.primary_color,
    current: row.id === currentId,
    version: row.version,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  }
}

/** The member's row of the transaction's tenant, read again (the actor may be a moment old). */
async function membershipOf(trx: Tx, userId: string) {
  return trx
    .selectFrom('memberships')
    .select(['id', 'current_company_id'])
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow()
}

/** Companies the member may work in, unarchived, by name. */
function allowedCompanies(trx: Tx, membershipId: string) {
  return accessTx(trx)
    .selectFrom('companies as c')
    .innerJoin('membership_companies as mc', (join) =>
      join.onRef('mc.tenant_id', '=', 'c.tenant_id').onRef('mc.company_id', '=', 'c.id'),
    )
    .select(COLUMNS)
    .where('mc.membership_id', '=', membershipId)
    .where('c.archived_at', 'is', null)
}

export async function listAllowedCompanies(trx: Tx, actor: Actor): Promise<CompanyView[]> {
  const member = await membershipOf(trx, actor.userId)
  const rows = await allowedCompanies(trx, member.id).orderBy('c.name').orderBy('c.id').execute()
  return rows.map((row) => view(row, member.current_company_id))
}

export async function getAllowedCompany(trx: Tx, actor: Actor, id: string): Promise<CompanyView> {
  const member = await membershipOf(trx, actor.userId)
  const row = await allowedCompanies(trx, member.id).where('c.id', '=', id).executeTakeFirst()
  if (!row) throw new NotFound('No such company.')
  return view(row, member.current_company_id)
}

/**
 * A new company of the tenant. Its creator is allowed in it (and it becomes their current company
 * if they had none); others get it when someone allowed in it adds it to their membership.
 */
export async function createAllowedCompany(trx: Tx, actor: Actor, input: unknown): Promise<CompanyView> {
  const company = await createCompany(trx, actor.tenantId, input, actor.userId)
  const member = await membershipOf(trx, actor.userId)
  await accessTx(trx)
    .insertInto('membership_companies')
    .values({
      tenant_id: actor.tenantId,
      membership_id: member.id,
      company_id: company.id,
      created_by: actor.userId,
    })
    .execute()
  const current = member.current_company_id ?? company.id
  if (member.current_company_id === null) {
    await trx
      .updateTable('memberships')
      .set({ current_company_id: current })
      .where('id', '=', member.id)
      .execute()
  }
  return view(company, current)
}

/** Changes a company the member is allowed in, if it is still at `version` (409 otherwise). */
export async function updateAllowedCompany(
  trx: Tx,
  actor: Actor,
  id: string,
  version: number,
  input: unknown,
): Promise<CompanyView> {
  const data = parse(CompanyPatchInput, input)
  const before = await getAllowedCompany(trx, actor, id)
  const row = await trx
    .updateTable('companies as c')
    .set({
      ...(data.name !== undefined ? { name: data.name.trim() } : {}),
      ...(data.country !== undefined ? { country: data.country } : {}),
      ...(data.timezone !== undefined ? { timezone: data.timezone } : {}),
      ...(data.logo_url !== undefined ? { logo_url: data.logo_url } : {}),
      ...(data.primary_color !== undefined ? { primary_color: data.primary_color } : {}),
      updated_by: actor.userId,
      updated_at: sql`now()`,
      version: sql`c.version + 1`,
    })
    .where('c.id', '=', id)
    .where('c.version', '=', version)
    .returning(COLUMNS)
    .executeTakeFirst()
  if (!row) {
    throw new Conflict(
      `The company is at version ${before.version}, not ${version}; read it again and retry.`,
      'version_conflict',
    )
  }
  return view(row, before.current ? id : null)
}

/** Makes one of the member's allowed companies their current one. */
export async function switchCompany(trx: Tx, actor: Actor, input: unknown): Promise<CompanyView> {
  if (actor.via === 'api_key')
    throw new Forbidden(
      "An API key cannot change its member's current company; sign in as the member.",
      'api_key_not_allowed',
    )
  const { company_id } = parse(SwitchCompanyInput, input)
  const company = await getAllowedCompany(trx, actor, company_id)
  await trx
    .updateTable('memberships')
    .set({ current_company_id: company_id })
    .where('user_id', '=', actor.userId)
    .execute()
  return { ...company, current: true }
}

/**
 * Allows a new member every unarchived company of the tenant (what every member saw before
 * companies could be restricted), the oldest as current. Runs inside the tenant.
 */
export async function allowAllCompanies(
  trx: Tx,
  tenantId: string,
  membershipId: string,
  by: string | null = null,
): Promise<{ companyIds: string[]; current: string | null }> {
  const companies = await trx
    .selectFrom('companies')
    .select('id')
    .where('archived_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
  if (companies.length === 0) return { companyIds: [], current: null }
  await accessTx(trx)
    .insertInto('membership_companies')
    .values(
      companies.map((c) => ({
        tenant_id: tenantId,
        membership_id: membershipId,
        company_id: c.id,
        created_by: by,
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .execute()
  const current = companies[0]?.id ?? null
  await trx
    .updateTable('memberships')
    .set({ current_company_id: current })
    .where('id', '=', membershipId)
    .execute()
  return { companyIds: companies.map((c) => c.id), current }
}
