import type { FormInstance } from 'antd'
import type { TFunction } from 'i18next'
import { ApiError } from '../api/client.ts'
import { applyErrors } from '../api/form-errors.ts'

/**
 * What an administration form shows above itself when a change fails: a refusal (403) and a
 * lost update (409) in plain words with the server's reason, anything else as applyErrors places it
 * (per-field errors next to their fields).
 */
export function changeError(
  t: TFunction,
  error: unknown,
  form?: FormInstance,
  fields: readonly string[] = [],
  alias: Record<string, string> = {},
): string | null {
  if (error instanceof ApiError && error.status === 403) return `${t('settings.forbidden')} ${error.message}`
  if (error instanceof ApiError && error.code === 'version_conflict') return t('settings.conflict')
  if (form) return applyErrors(form, error, fields, alias)
  return error instanceof Error ? error.message : String(error)
}

/**
 * Clears the errors a previous answer put on fields: a field without its own rules would otherwise
 * keep showing a complaint the next answer no longer makes.
 */
export function clearErrors(form: FormInstance, fields: readonly string[]): void {
  form.setFields(fields.map((name) => ({ name, errors: [] })))
}
