import { type Static, Type } from '@sinclair/typebox'
import { EVENT_PATTERN } from '../events/names.ts'

const url = Type.String({
  minLength: 8,
  maxLength: 2000,
  pattern: '^https?://',
  description: 'https (or http) URL that receives a POST per event; it must reach a public address',
})
const events = Type.Array(
  Type.String({
    pattern: EVENT_PATTERN,
    maxLength: 200,
    description: 'an event type, or a pattern ending in * (`partners.partner.*`, `*`)',
  }),
  { minItems: 1, maxItems: 50, uniqueItems: true },
)
const description = Type.Union([Type.String({ maxLength: 500 }), Type.Null()])

/** POST /api/v1/webhooks */
export const WebhookInput = Type.Object(
  {
    url,
    events,
    description: Type.Optional(description),
    active: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
)
export type WebhookInput = Static<typeof WebhookInput>

/** PATCH /api/v1/webhooks/{id} */
export const WebhookPatch = Type.Object(
  {
    url: Type.Optional(url),
    events: Type.Optional(events),
    description: Type.Optional(description),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type WebhookPatch = Static<typeof WebhookPatch>

export const DELIVERY_STATUSES = ['pending', 'retrying', 'succeeded', 'dead'] as const

/** GET /api/v1/webhooks/{id}/deliveries: newest first, `before` a delivery id from the last page */
export const DeliveriesQuery = Type.Object(
  {
    status: Type.Optional(Type.Union(DELIVERY_STATUSES.map((s) => Type.Literal(s)))),
    limit: Type.Optional(
      Type.String({ pattern: '^(100|[1-9][0-9]?)$', description: '1 to 100, default 50' }),
    ),
    before: Type.Optional(Type.String({ format: 'uuid' })),
  },
  { additionalProperties: false },
)
export type DeliveriesQuery = Static<typeof DeliveriesQuery>
