import { defineEntity } from '@tessera/kernel'

/** The opportunity fields a stage may require before an opportunity enters it. */
export const REQUIRABLE_FIELDS = [
  'expected_revenue',
  'expected_close_date',
  'contact',
  'organization',
  'owner',
] as const

/**
 * A column of the pipeline, configurable per tenant (seeded New → Won / Lost on activation).
 * `probability` is the stage's weight in the deal confidence; a won or lost stage is entered only
 * through the opportunity's win and lose actions.
 */
export const stageEntity = defineEntity({
  key: 'crm.stage',
  label: 'Pipeline stage',
  table: 'crm_stages',
  resource: 'crm-stages',
  fields: {
    name: { type: 'text', label: 'Name', required: true, maxLength: 100, unique: true, searchable: true },
    sequence: { type: 'integer', label: 'Sequence', required: true, default: 10, min: 0, max: 10_000 },
    probability: {
      type: 'integer',
      label: 'Probability (%)',
      description: 'the chance of winning a deal in this stage; the stage weight of the confidence',
      required: true,
      default: 10,
      min: 0,
      max: 100,
    },
    is_won: { type: 'boolean', label: 'Won stage', required: true, default: false },
    is_lost: { type: 'boolean', label: 'Lost stage', required: true, default: false },
    required_fields: {
      type: 'multi_select',
      label: 'Required fields',
      description: 'what an opportunity must have before it enters the stage',
      options: REQUIRABLE_FIELDS,
    },
  },
  display: 'name',
  search: ['name'],
  sort: 'sequence',
  archivable: true,
  layout: { list: ['name', 'sequence', 'probability', 'is_won', 'is_lost', 'required_fields'] },
})
