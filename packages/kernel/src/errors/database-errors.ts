import { BusinessRule, Conflict, Invalid, NotFound, type TesseraError } from './errors.ts'

/**
 * Translates PostgreSQL errors that a client's input can cause into typed errors, by SQLSTATE.
 * The messages are our own: constraint names, SQL and values never reach a client.
 * Returns undefined for errors that are the server's fault (they become a plain 500).
 */
export function fromDatabaseError(err: unknown): TesseraError | undefined {
  const code = (err as { code?: unknown } | null)?.code
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return undefined
  switch (code) {
    case '23505':
      return new Conflict('A record with the same unique value already exists.', 'duplicate')
    case '23503':
      return new BusinessRule('reference_not_found', 'A referenced record does not exist or is still in use.')
    case '23502':
      return new Invalid('A required value is missing.', [], 'required')
    case '23514':
    case '22P02':
    case '22001':
    case '22003':
    case '22007':
    case '22008':
      return new Invalid('A value is out of range or has the wrong format.')
    case '40001':
    case '40P01':
    case '55P03':
      return new Conflict('The record was changed concurrently; retry the request.', 'concurrent_update')
    // Row-level security refused a row: to the client it is another tenant's record, i.e. absent.
    case '42501':
      return new NotFound()
    default:
      return undefined
  }
}
