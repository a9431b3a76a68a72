import type { DomainEvent } from './types.ts'

/** The event as JSON leaves the process (NATS), snake_case like the HTTP API. */
export function eventJson(event: DomainEvent) {
  return {
    id: event.id,
    type: event.type,
    tenant_id: event.tenantId,
    entity: event.entity,
    record_id: event.recordId,
    created_at: event.createdAt.toISOString(),
    actor: { user_id: event.actor.userId, api_key_id: event.actor.apiKeyId },
    request_id: event.requestId,
    data: event.data,
  }
}
