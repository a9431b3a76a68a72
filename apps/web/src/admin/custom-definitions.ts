import type { QueryClient } from '@tanstack/react-query'

/** Types whose fields take min and max (the kernel's NUMERIC). */
export const BOUNDED_TYPES = new Set(['integer', 'decimal', 'money'])
export const OPTION_TYPES = new Set(['select', 'multi_select'])

/** "a\n b \n\n" → ["a", "b"]: the options textarea, one per line. */
export const optionsOf = (text: string | undefined) =>
  (text ?? '')
    .split('\n')
    .map((o) => o.trim())
    .filter(Boolean)

/**
 * A bound as typed → what the API takes: none clears it, an integer is sent as a number, anything
 * else as the string typed (decimals stay strings; a bad one comes back as an error on the field).
 */
export function boundOf(text: string | undefined): number | string | null {
  const value = (text ?? '').trim()
  if (value === '') return null
  return /^-?\d{1,15}$/.test(value) ? Number(value) : value
}

/**
 * After a definition changes, everything drawn from it: the editor's list, the entity's forms and
 * lists, the entity pickers and the menu (labels).
 */
export async function refreshDefinitions(client: QueryClient, entity: string): Promise<void> {
  await Promise.all([
    client.invalidateQueries({ queryKey: ['custom-fields', entity] }),
    client.invalidateQueries({ queryKey: ['entity', entity] }),
    client.invalidateQueries({ queryKey: ['records'] }),
    client.invalidateQueries({ queryKey: ['record', entity] }),
    client.invalidateQueries({ queryKey: ['entities'] }),
    client.invalidateQueries({ queryKey: ['menus'] }),
  ])
}
