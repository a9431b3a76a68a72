import type { WorkflowDefinition } from '../definition.ts'

/**
 * The lifecycle of every business document (DESIGN.md): a draft is editable and unnumbered;
 * `submit` numbers it from its gapless sequence inside the same transaction and locks it;
 * `cancel` ends it, locked still. A cancelled document is corrected by `amend`, which makes a new
 * draft copy pointing back at it (`amended_from`); nothing submitted is ever edited.
 */
export function documentWorkflow(key: string): WorkflowDefinition {
  return {
    initial: 'draft',
    states: [
      { key: 'draft', label: 'Draft' },
      { key: 'submitted', label: 'Submitted', locked: true },
      { key: 'cancelled', label: 'Cancelled', locked: true },
    ],
    transitions: [
      { name: 'submit', label: 'Submit', from: ['draft'], to: 'submitted', permission: `${key}:submit` },
      {
        name: 'cancel',
        label: 'Cancel',
        from: ['draft', 'submitted'],
        to: 'cancelled',
        permission: `${key}:cancel`,
      },
    ],
  }
}

/** The action that copies a cancelled document into a new draft. */
export const AMEND_ACTION = 'amend'
