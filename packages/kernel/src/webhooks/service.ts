import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import type { Db, Tx } from '../db/schema.ts'
import { withTenant } from '../db/tenant.ts'
import { Conflict, NotFound } from '../errors/errors.ts'
import type { Actor } from '../identity/authenticate.ts'
import { newId } from '../ids.ts'
import type { OutboundGuard } from '../outbound/guard.ts'
import { openSecret, sealSecret } from '../secrets/seal.ts'
import type { WebhookInput, WebhookPatch } from './input.ts'
import { webhooksTx } from './tables.ts'
import { assertWebhookUrl } from './url.ts'

/** What webhook management needs besides the database. */
export interface WebhookServices {
  /** the outbound guard (TESSERA_OUTBOUND_ALLOW): URLs are checked when saved and on every delivery */
  guard: OutboundGuard
  /** seals signing secrets at rest (IdentityContext.sealingKey) */
  sealingKey: Uint8Array
}

export interface WebhookView {
  id: string
  url: string
  events: string[]
  description: string | null
  active: boolean
  created_by: string | null
  version: number
  created_at: string
  updated_at: string
}

const COLUMNS = [
  'id',
  'url',
  'events',
  'description',
  'active',
  'created_by',
  'version',
  'created_at',
  'updated_at',
] as const

type WebhookRow = Omit<WebhookView, 'created_at' | 'updated_at'> & { created_at: Date; updated_at: Date }

function view(row: WebhookRow): WebhookView {
  return { ...row, created_at: row.created_at.toISOString(), updated_at: row.updated_at.toISOString() }
}

/** The associated data binding a sealed secret to its webhook. */
export function secretBinding(tenantId: string, webhookId: string): string {
  return `webhook:${tenantId}:${webhookId}`
}

export function openWebhookSecret(key: Uint8Array, tenantId: string, webhookId: string, sealed: string) {
  return openSecret(key, sealed, secretBinding(tenantId, webhookId))
}

/**
 * Subscribes a URL to event types. The signing secret is generated here and returned only in this
 * response; the database keeps it sealed. Deliveries follow the creator's rights and field masks.
 */
export async function createWebhook(
  db: Db,
  services: WebhookServices,
  actor: Actor,
  input: WebhookInput,
): Promise<WebhookView & { secret: string }> {
  await assertWebhookUrl(services.guard, input.url)
  const id = newId()
  const secret = `whsec_${randomBytes(32).toString('base64url')}`
  const row = await withTenant(db, actor.tenantId, (trx) =>
    webhooksTx(trx)
      .insertInto('webhooks')
      .values({
        tenant_id: actor.tenantId,
        id,
        url: input.url,
        events: input.events,
        description: input.description ?? null,
        secret_sealed: sealSecret(services.sealingKey, secret, secretBinding(actor.tenantId, id)),
        active: input.active ?? true,
        created_by: actor.userId,
        updated_by: actor.userId,
      })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow(),
  )
  return { ...view(row), secret }
}

export async function listWebhooks(trx: Tx): Promise<WebhookView[]> {
  const rows = await webhooksTx(trx).selectFrom('webhooks').select(COLUMNS).orderBy('id').execute()
  return rows.map(view)
}

/** The tenant's webhook, or 404 (also for another tenant's id: row-level security hides it). */
export async function getWebhook(trx: Tx, id: string): Promise<WebhookView> {
  const row = await webhooksTx(trx)
    .selectFrom('webhooks')
    .select(COLUMNS)
    .where('id', '=', id)
    .executeTakeFirst()
  if (!row) throw new NotFound('There is no such webhook.')
  return view(row)
}

/** Changes a webhook still at `version` (409 otherwise); a new URL is checked like a first one. */
export async function updateWebhook(
  db: Db,
  services: WebhookServices,
  actor: Actor,
  id: string,
  version: number,
  patch: WebhookPatch,
): Promise<WebhookView> {
  if (patch.url !== undefined) await assertWebhookUrl(services.guard, patch.url)
  return withTenant(db, actor.tenantId, async (trx) => {
    const before = await getWebhook(trx, id)
    const row = await webhooksTx(trx)
      .updateTable('webhooks')
      .set({
        ...(patch.url === undefined ? {} : { url: patch.url }),
        ...(patch.events === undefined ? {} : { events: patch.events }),
        ...(patch.description === undefined ? {} : { description: patch.description }),
        ...(patch.active === undefined ? {} : { active: patch.active }),
        version: sql<number>`version + 1`,
        updated_at: sql<Date>`now()`,
        updated_by: actor.userId,
      })
      .where('id', '=', id)
      .where('version', '=', version)
      .returning(COLUMNS)
      .executeTakeFirst()
    if (!row)
      throw new Conflict(
        `The webhook is at version ${before.version}, not ${version}; read it again and retry.`,
        'version_conflict',
      )
    return view(row)
  })
}

/** Deletes a webhook and its delivery log; jobs still queued for it find nothing and end. */
export async function deleteWebhook(trx: Tx, id: string): Promise<void> {
  const result = await webhooksTx(trx).deleteFrom('webhooks').where('id', '=', id).executeTakeFirst()
  if (result.numDeletedRows === 0n) throw new NotFound('There is no such webhook.')
}
