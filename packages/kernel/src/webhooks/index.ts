export {
  type DeliveryJob,
  deliveryJobOptions,
  WEBHOOK_DELIVERY_JOB,
  type WebhookDeliveryOptions,
  webhookDelivery,
} from './deliver.ts'
export { type DeliveryView, listDeliveries, replayDelivery } from './deliveries.ts'
export { webhookBody, webhookTarget } from './fanout.ts'
export { DELIVERY_STATUSES, DeliveriesQuery, WebhookInput, WebhookPatch } from './input.ts'
export {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listWebhooks,
  updateWebhook,
  type WebhookServices,
  type WebhookView,
} from './service.ts'
export { signatureHeader, verifySignatureHeader } from './signature.ts'
export type { DeliveryStatus } from './tables.ts'
export { assertWebhookUrl } from './url.ts'
