import { type EntityContext, Invalid } from '@tessera/kernel'
import { assertMember } from './members.ts'

type Values = Readonly<Record<string, unknown>>

/** An activity concerns an opportunity, a contact or both; its assignee is a member of the tenant. */
export async function checkActivity(ctx: EntityContext, record: Values, previous: Values | undefined) {
  if (!record.opportunity && !record.partner)
    throw Invalid.field(
      'opportunity',
      'An activity is linked to an opportunity, a contact (partner) or both.',
      'required',
    )
  if (record.assignee !== previous?.assignee) await assertMember(ctx.db, 'assignee', record.assignee)
}
