import { Invalid, type Tx } from '@tessera/kernel'
import { crmTx } from '../tables.ts'

/** Each weight of the deal confidence: its allowed range (inclusive) and default. */
export const WEIGHTS = {
  stage_weight: { min: 0, max: 100, default: 100, description: "percent of the stage's probability counted" },
  no_recent_activity: { min: -50, max: 0, default: -10, description: 'no activity for idle_days' },
  idle_days: { min: 1, max: 60, default: 5, description: 'days without activity that count as idle' },
  meeting_scheduled: { min: 0, max: 50, default: 15, description: 'an open meeting is scheduled' },
  proposal_sent: { min: 0, max: 50, default: 10, description: 'a proposal was sent' },
  proposal_opened: { min: 0, max: 50, default: 20, description: 'the proposal was opened often enough' },
  proposal_open_threshold: { min: 1, max: 20, default: 3, description: 'opens that count as often enough' },
  close_date_passed: { min: -50, max: 0, default: -20, description: 'the expected close date has passed' },
} as const

export type Weights = { [K in keyof typeof WEIGHTS]: number }

export const DEFAULT_WEIGHTS = Object.fromEntries(
  Object.entries(WEIGHTS).map(([k, w]) => [k, w.default]),
) as Weights

/** The body of PUT /crm/confidence-weights: any of the weights, integers within their ranges. */
export const WeightsInput = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(
    Object.entries(WEIGHTS).map(([k, w]) => [
      k,
      { type: 'integer', description: `${w.description} (${w.min} to ${w.max})` },
    ]),
  ),
} as const

/** The tenant's weights: its saved ones over the defaults. */
export async function loadWeights(trx: Tx): Promise<Weights> {
  const row = await crmTx(trx).selectFrom('crm_settings').select('confidence_weights').executeTakeFirst()
  return { ...DEFAULT_WEIGHTS, ...((row?.confidence_weights as Partial<Weights> | undefined) ?? {}) }
}

/**
 * Saves the given weights over the current ones. Every weight out of its range is named in one
 * 400 (nothing is saved); the ranges keep a weight's sign, so a penalty never becomes a bonus.
 */
export async function saveWeights(
  trx: Tx,
  by: { tenantId: string; userId: string },
  input: Record<string, unknown>,
): Promise<Weights> {
  const errors = Object.entries(input).flatMap(([key, value]) => {
    const range = WEIGHTS[key as keyof Weights]
    if (!range) return [{ field: key, code: 'unknown_field', message: `${key} is not a confidence weight.` }]
    if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max)
      return [
        {
          field: key,
          code: 'out_of_range',
          message: `${key} must be an integer from ${range.min} to ${range.max}.`,
        },
      ]
    return []
  })
  if (errors.length > 0)
    throw new Invalid('Some confidence weights are out of range.', errors, 'out_of_range')
  const weights = { ...(await loadWeights(trx)), ...(input as Partial<Weights>) }
  const json = JSON.stringify(weights)
  await crmTx(trx)
    .insertInto('crm_settings')
    .values({ tenant_id: by.tenantId, confidence_weights: json, updated_by: by.userId })
    .onConflict((oc) =>
      oc
        .column('tenant_id')
        .doUpdateSet({ confidence_weights: json, updated_by: by.userId, updated_at: new Date() }),
    )
    .execute()
  return weights
}
