import { type Static, Type } from '@sinclair/typebox'

/** The audit trail's filters, as `GET /api/v1/audit` takes them (strings, from a query string). */
export const AuditQuery = Type.Object(
  {
    entity: Type.Optional(
      Type.String({
        pattern: '^[a-z][a-z0-9_]{0,39}\\.[a-z][a-z0-9_]{0,62}$',
        description: 'an entity key, e.g. catalog.item; kernel.security_event for security events',
      }),
    ),
    record: Type.Optional(Type.String({ format: 'uuid', description: "a record's id: its history" })),
    member: Type.Optional(Type.String({ format: 'uuid', description: "the acting member's user id" })),
    action: Type.Optional(
      Type.String({
        pattern: '^[a-z][a-z0-9_.-]{0,99}$',
        description: 'create, update, delete, archive, a workflow action or a security event type',
      }),
    ),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'at or after this time' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'before this time' })),
    cursor: Type.Optional(
      Type.String({ pattern: '^[1-9][0-9]{0,17}$', description: 'next_cursor of the previous page' }),
    ),
    limit: Type.Optional(
      Type.String({ pattern: '^(?:[1-9][0-9]?|1[0-9][0-9]|200)$', description: '1 to 200, default 50' }),
    ),
  },
  { additionalProperties: false },
)
export type AuditQuery = Static<typeof AuditQuery>
