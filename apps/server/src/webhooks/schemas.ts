import { Type } from '@sinclair/typebox'
import { DELIVERY_STATUSES } from '@tessera/kernel'

/** Response shapes of /api/v1/webhooks (documentation and serialisation). */

const Timestamp = Type.String({ format: 'date-time' })
const Uuid = Type.String({ format: 'uuid' })
const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])

export const WebhookParams = Type.Object({ id: Uuid }, { additionalProperties: false })
export const DeliveryParams = Type.Object({ id: Uuid, deliveryId: Uuid }, { additionalProperties: false })

const webhookFields = {
  id: Uuid,
  url: Type.String(),
  events: Type.Array(Type.String()),
  description: nullable(Type.String()),
  active: Type.Boolean(),
  created_by: nullable(Uuid),
  version: Type.Integer(),
  created_at: Timestamp,
  updated_at: Timestamp,
}

export const WebhookSchema = Type.Object(webhookFields, { additionalProperties: false })

export const CreatedWebhookSchema = Type.Object(
  {
    ...webhookFields,
    secret: Type.String({ description: 'the signing secret: shown in this response only, keep it' }),
  },
  { additionalProperties: false },
)

export const DeliverySchema = Type.Object(
  {
    id: Uuid,
    webhook_id: Uuid,
    event_id: Uuid,
    event_type: Type.String(),
    status: Type.Union(DELIVERY_STATUSES.map((s) => Type.Literal(s))),
    attempts: Type.Integer(),
    http_status: nullable(Type.Integer()),
    duration_ms: nullable(Type.Integer()),
    response_excerpt: nullable(Type.String({ description: "the first KiB of the receiver's last answer" })),
    error: nullable(Type.String()),
    last_attempt_at: nullable(Timestamp),
    next_attempt_at: nullable(Timestamp),
    created_at: Timestamp,
  },
  { additionalProperties: false },
)

export const DeliveryPage = Type.Object(
  {
    data: Type.Array(DeliverySchema),
    next_before: nullable(Type.String({ description: 'pass as `before` for the next page' })),
  },
  { additionalProperties: false },
)
