import { defineEntity } from '@tessera/kernel'
import { checkActivity } from '../services/activity-rules.ts'

export const ACTIVITY_TYPES = ['call', 'meeting', 'email', 'task', 'note'] as const

/** Today as the database stores a date, in UTC (the server's clock, as due dates are compared). */
const todayUtc = () => new Date().toISOString().slice(0, 10)

/**
 * Something done or to do with a customer: a call, meeting, email, task or note, linked to an
 * opportunity, a contact or both. The assignee is notified (crm.activity.assigned); an open
 * activity past its due date is overdue. An email may be the proposal, with how many times the
 * recipient opened it (as a mail tracker reports), which the deal confidence reads.
 */
export const activityEntity = defineEntity({
  key: 'crm.activity',
  label: 'Activity',
  pluralLabel: 'Activities',
  table: 'crm_activities',
  resource: 'crm-activities',
  fields: {
    type: { type: 'select', label: 'Type', options: ACTIVITY_TYPES, required: true, default: 'task' },
    subject: { type: 'text', label: 'Subject', required: true, maxLength: 200, searchable: true },
    note: { type: 'long_text', label: 'Note', maxLength: 20_000, searchable: true },
    due_date: { type: 'date', label: 'Due date' },
    assignee: {
      type: 'user',
      label: 'Assignee',
      description: 'the member who does it',
      column: 'assignee_id',
    },
    done: { type: 'boolean', label: 'Done', required: true, default: false },
    opportunity: { type: 'reference', label: 'Opportunity', target: 'crm.opportunity' },
    partner: { type: 'reference', label: 'Contact', target: 'partners.partner' },
    is_proposal: {
      type: 'boolean',
      label: 'Proposal',
      description: 'an email carrying the proposal',
      required: true,
      default: false,
    },
    opens: {
      type: 'integer',
      label: 'Opens',
      description: 'how many times the recipient opened the email',
      required: true,
      default: 0,
      min: 0,
      max: 1_000_000,
    },
    overdue: {
      type: 'computed',
      label: 'Overdue',
      returns: 'boolean',
      compute: (r) => r.done !== true && typeof r.due_date === 'string' && r.due_date < todayUtc(),
    },
  },
  display: 'subject',
  search: ['subject', 'note'],
  sort: '-created_at',
  customizable: true,
  layout: {
    list: ['type', 'subject', 'due_date', 'assignee', 'done', 'overdue', 'opportunity', 'partner'],
    calendar: 'due_date',
  },
  validate: checkActivity,
})
