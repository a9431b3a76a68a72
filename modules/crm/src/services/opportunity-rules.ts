import { BusinessRule, type EntityContext } from '@tessera/kernel'
import { assertMember } from './members.ts'
import { stageById } from './stages.ts'

type Values = Readonly<Record<string, unknown>>

const isEmpty = (value: unknown) =>
  value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)

/**
 * Before every write of a lead or opportunity: the owner is a member of the tenant; the stage's
 * required fields are filled (e.g. Proposal needs the expected revenue); a won or lost stage is
 * entered only through the win and lose actions, which also close the deal.
 */
export async function checkOpportunity(ctx: EntityContext, record: Values, previous: Values | undefined) {
  if (record.owner !== previous?.owner) await assertMember(ctx.db, 'owner', record.owner)
  const stageId = record.stage
  if (typeof stageId !== 'string') return
  const stage = await stageById(ctx.db, stageId)
  if (!stage) return // the reference check has refused it already
  const missing = stage.required_fields.filter((field) => isEmpty(record[field]))
  if (missing.length > 0)
    throw new BusinessRule(
      'required_by_stage',
      `The stage "${stage.name}" requires ${missing.join(', ')}.`,
      missing.map((field) => ({
        field,
        code: 'required_by_stage',
        message: `${field} is required in the stage "${stage.name}".`,
      })),
    )
  if (stageId === previous?.stage) return
  const outcome = stage.is_won ? 'won' : stage.is_lost ? 'lost' : 'open'
  if (outcome !== 'open' && record.state !== outcome)
    throw BusinessRule.field(
      'stage',
      `"${stage.name}" is where ${outcome} deals go: use the ${outcome === 'won' ? 'win' : 'lose'} action.`,
      'outcome_stage',
    )
  if (outcome === 'open' && record.state !== undefined && record.state !== 'open')
    throw BusinessRule.field(
      'stage',
      `The deal is ${String(record.state)}: reopen it before moving it.`,
      'closed_deal',
    )
}
