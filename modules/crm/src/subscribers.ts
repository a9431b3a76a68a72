import { type DomainEvent, type EventSubscriber, notify, type SubscriberContext } from '@tessera/kernel'
import { recomputeConfidence } from './services/confidence-store.ts'

/**
 * The events CRM publishes that members may be notified of or other modules act on:
 * - crm.activity.assigned: an activity was given to a member (their notification)
 * - crm.opportunity.won / .lost / .reopened: the win, lose and reopen actions; the payload's
 *   record is the opportunity as it ends up (customer, amount, owner), what projects needs
 * - crm.opportunity.quote_requested: someone asked for a quote; a sales module makes it
 */
export const CRM_EVENTS = [
  'crm.activity.assigned',
  'crm.opportunity.won',
  'crm.opportunity.lost',
  'crm.opportunity.reopened',
  'crm.opportunity.quote_requested',
] as const

const record = (event: DomainEvent) => event.data.record ?? {}

/** An activity given to someone (created with an assignee, or reassigned) tells them, not the giver. */
async function notifyAssignee(ctx: SubscriberContext, event: DomainEvent): Promise<void> {
  const activity = record(event)
  const assignee = activity.assignee
  const given = event.type === 'crm.activity.created' || event.data.changed.includes('assignee')
  if (!given || typeof assignee !== 'string' || assignee === event.actor.userId) return
  await notify(ctx.db, {
    userId: assignee,
    type: 'crm.activity.assigned',
    title: `New ${String(activity.type)}: ${String(activity.subject)}`,
    ...(activity.due_date ? { body: `Due ${String(activity.due_date)}` } : {}),
    link: `/crm/activities/${event.recordId}`,
    entity: 'crm.activity',
    ...(event.recordId ? { recordId: event.recordId } : {}),
  })
}

export const crmSubscribers: EventSubscriber[] = [
  { event: 'crm.activity.*', name: 'notify-assignee', handle: notifyAssignee },
  {
    // a deal's confidence follows its changes and its activities' (the daily job catches time passing)
    event: 'crm.opportunity.*',
    name: 'confidence-on-opportunity',
    handle: async (ctx, event) => {
      if (event.recordId) await recomputeConfidence(ctx.db, ctx.tenantId, [event.recordId])
    },
  },
  {
    // a stage's probability is every deal's stage weight in it
    event: 'crm.stage.updated',
    name: 'confidence-on-stage',
    handle: async (ctx, event) => {
      if (event.data.changed.includes('probability')) await recomputeConfidence(ctx.db, ctx.tenantId)
    },
  },
  {
    event: 'crm.activity.*',
    name: 'confidence-on-activity',
    handle: async (ctx, event) => {
      const opportunity = record(event).opportunity
      if (typeof opportunity === 'string') await recomputeConfidence(ctx.db, ctx.tenantId, [opportunity])
    },
  },
]
