import { Invalid } from '../errors/errors.ts'

const KEY = /^[\x20-\x7e]{1,255}$/

/** The `Idempotency-Key` header's value: 1 to 255 printable ASCII characters, not only spaces. */
export function checkIdempotencyKey(value: unknown): string {
  if (typeof value !== 'string' || !KEY.test(value) || value.trim() === '') {
    throw Invalid.field(
      'Idempotency-Key',
      'Idempotency-Key must be 1 to 255 printable ASCII characters, e.g. a UUID.',
      'format',
    )
  }
  return value
}
