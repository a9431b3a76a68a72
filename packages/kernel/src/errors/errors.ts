/**
 * The kernel's typed errors. Services throw these; the HTTP layer turns each into an RFC 9457
 * problem with the status given here, so a business rule never needs to know about HTTP.
 * `code` is stable and documented: clients may branch on it.
 */
export interface FieldError {
  /** snake_case path of the offending field, e.g. `lines[2].quantity` */
  field: string
  code: string
  message: string
}

export abstract class TesseraError extends Error {
  abstract readonly status: number
  readonly code: string
  /** the fields at fault, when the error is about particular fields */
  readonly errors: FieldError[]
  constructor(code: string, message: string, errors: FieldError[] = []) {
    super(message)
    this.code = code
    this.errors = errors
    this.name = new.target.name
  }
}

/** 400: the input is malformed or fails validation. */
export class Invalid extends TesseraError {
  readonly status = 400
  constructor(message: string, errors: FieldError[] = [], code = 'invalid') {
    super(code, message, errors)
  }

  static field(field: string, message: string, code = 'invalid'): Invalid {
    return new Invalid(message, [{ field, code, message }])
  }

  /** The same error for input nested under `parent`: `currency` becomes `company.currency`. */
  nestedIn(parent: string): Invalid {
    const nest = (text: string) => `${parent}.${text}`
    return new Invalid(
      this.message,
      this.errors.map((e) => ({
        ...e,
        field: nest(e.field),
        message: e.message.startsWith(e.field) ? nest(e.message) : e.message,
      })),
      this.code,
    )
  }
}

/** 401: no valid credentials. */
export class Unauthorized extends TesseraError {
  readonly status = 401
  constructor(message = 'Authentication is required.', code = 'unauthorized') {
    super(code, message)
  }
}

/** 403: authenticated but not allowed. Never used for another tenant's record: that is NotFound. */
export class Forbidden extends TesseraError {
  readonly status = 403
  constructor(message = 'You are not allowed to do this.', code = 'forbidden') {
    super(code, message)
  }
}

/** 404: absent, or belongs to another tenant (the two must be indistinguishable). */
export class NotFound extends TesseraError {
  readonly status = 404
  constructor(message = 'Not found.', code = 'not_found', errors: FieldError[] = []) {
    super(code, message, errors)
  }

  /** A reference in the input names a record that does not exist for the caller. */
  static field(field: string, message: string, code = 'not_found'): NotFound {
    return new NotFound(message, code, [{ field, code, message }])
  }
}

/** 409: a version, uniqueness, idempotency or concurrency conflict; retrying may succeed. */
export class Conflict extends TesseraError {
  readonly status = 409
  constructor(message: string, code = 'conflict', errors: FieldError[] = []) {
    super(code, message, errors)
  }
}

/** 422: well-formed input that a business rule refuses (e.g. posting an unbalanced entry). */
export class BusinessRule extends TesseraError {
  readonly status = 422
  constructor(code: string, message: string, errors: FieldError[] = []) {
    super(code, message, errors)
  }

  static field(field: string, message: string, code = 'business_rule'): BusinessRule {
    return new BusinessRule(code, message, [{ field, code, message }])
  }
}

/** 429: too many requests. */
export class TooManyRequests extends TesseraError {
  readonly status = 429
  readonly retryAfterSeconds: number
  constructor(retryAfterSeconds: number, message = 'Too many requests.', code = 'too_many_requests') {
    super(code, message)
    this.retryAfterSeconds = retryAfterSeconds
  }
}
