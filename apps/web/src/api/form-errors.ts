import type { FormInstance } from 'antd'
import { ApiError } from './client.ts'

/**
 * Puts the API's per-field errors next to their fields and returns what no field of the form
 * shows (the problem's detail, or errors of fields the form does not have) for an alert above it.
 * `alias` maps the API's field names to the form's where they differ.
 */
export function applyErrors(
  form: FormInstance,
  error: unknown,
  fields: readonly string[],
  alias: Record<string, string> = {},
): string | null {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error)
  const placed: { name: string; errors: string[] }[] = []
  const rest: string[] = []
  for (const e of error.errors) {
    const name = alias[e.field] ?? e.field
    const at = fields.includes(name)
      ? name
      : fields.find((f) => name.startsWith(`${f}.`) || name.startsWith(`${f}[`))
    if (at) placed.push({ name: at, errors: [e.message] })
    else rest.push(e.message)
  }
  form.setFields(placed)
  if (placed.length > 0 && rest.length === 0) return null
  return rest.length > 0 ? rest.join(' ') : error.message
}
