/** Workflow actions whose past tense is not simply `<action>ed` (or `<action>d` after an e). */
const IRREGULAR: Record<string, string> = {
  submit: 'submitted',
  cancel: 'cancelled',
  amend: 'amended',
  post: 'posted',
  pay: 'paid',
  send: 'sent',
  reopen: 'reopened',
  reset: 'reset',
  win: 'won',
  lose: 'lost',
}

/**
 * The past tense of an entity action, for event names (DESIGN.md: `sales.order.confirmed`):
 * create → created, archive → archived, submit → submitted, approve → approved, reject → rejected.
 */
export function pastTense(action: string): string {
  const irregular = IRREGULAR[action]
  if (irregular) return irregular
  if (action.endsWith('e')) return `${action}d`
  if (/[^aeiou]y$/.test(action)) return `${action.slice(0, -1)}ied`
  return `${action}ed`
}

/** `partners.partner` + `create` → `partners.partner.created`. */
export function eventType(entityKey: string, action: string): string {
  return `${entityKey}.${pastTense(action)}`
}

/** An event type or a pattern: dot-separated snake_case names, optionally ending in `.*`, or `*`. */
export const EVENT_PATTERN = '^(\\*|[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*(\\.\\*)?)$'
const PATTERN = new RegExp(EVENT_PATTERN)

export function isEventPattern(value: string): boolean {
  return value.length <= 200 && PATTERN.test(value)
}

/** Whether `type` is `pattern`, or starts with the prefix before a trailing `*`. */
export function matchesEvent(pattern: string, type: string): boolean {
  if (pattern === '*') return true
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1))
  return pattern === type
}
