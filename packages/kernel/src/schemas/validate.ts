import type { Static, TSchema } from '@sinclair/typebox'
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { type FieldError, Invalid } from '../errors/errors.ts'

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default

/**
 * One Ajv instance for service input (routes use Fastify's own, configured the same way):
 * all errors at once, no type coercion, unknown properties rejected by the schemas themselves.
 */
const ajv = new Ajv({ allErrors: true, strict: true, coerceTypes: false, useDefaults: false })
addFormats(ajv)
ajv.addFormat('time-zone', { type: 'string', validate: isTimeZone })

const zones = new Set(Intl.supportedValuesOf('timeZone'))
export function isTimeZone(value: string): boolean {
  return value === 'UTC' || zones.has(value)
}

const compiled = new WeakMap<TSchema, ValidateFunction>()

/** Returns `value` typed by `schema`, or throws Invalid naming every field at fault. */
export function parse<T extends TSchema>(schema: T, value: unknown): Static<T> {
  let validate = compiled.get(schema)
  if (!validate) {
    validate = ajv.compile(schema)
    compiled.set(schema, validate)
  }
  if (validate(value)) return value as Static<T>
  const errors = (validate.errors ?? []).map(toFieldError)
  throw new Invalid(`The input is invalid: ${errors.map((e) => e.message).join(' ')}`, errors)
}

/** Ajv's JSON pointer `/lines/2/qty` becomes `lines[2].qty`, the way clients name fields. */
export function fieldPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '')
}

export function toFieldError(error: ErrorObject): FieldError {
  const base = fieldPath(error.instancePath)
  const join = (name: string) => (base ? `${base}.${name}` : name)
  switch (error.keyword) {
    case 'required': {
      const field = join(String(error.params.missingProperty))
      return { field, code: 'required', message: `${field} is required.` }
    }
    case 'additionalProperties': {
      const field = join(String(error.params.additionalProperty))
      return { field, code: 'unknown_field', message: `${field} is not an accepted field.` }
    }
    default: {
      const field = base || '(body)'
      return { field, code: error.keyword, message: `${field} ${error.message ?? 'is invalid'}.` }
    }
  }
}
