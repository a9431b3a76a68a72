import { Type } from '@sinclair/typebox'
import {
  type FieldError,
  fromDatabaseError,
  TesseraError,
  TooManyRequests,
  toFieldError,
} from '@tessera/kernel'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

/** RFC 9457 problem details, as every error response carries them. */
export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  code: string
  instance: string
  request_id: string
  errors?: FieldError[]
}

export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'URI of the problem type: urn:tessera:problem:<code>' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ description: 'stable machine-readable code' }),
    instance: Type.String(),
    request_id: Type.String(),
    errors: Type.Optional(
      Type.Array(Type.Object({ field: Type.String(), code: Type.String(), message: Type.String() })),
    ),
  },
  { $id: 'Problem', title: 'Problem' },
)

const TITLES: Record<number, string> = {
  400: 'Invalid request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Business rule violated',
  428: 'Precondition required',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
}

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: string,
  detail: string,
  errors?: FieldError[],
): FastifyReply {
  const problem: Problem = {
    type: `urn:tessera:problem:${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    instance: request.url.split('?')[0] ?? '/',
    request_id: request.id,
    ...(errors && errors.length > 0 ? { errors } : {}),
  }
  return reply.code(status).type('application/problem+json; charset=utf-8').send(problem)
}

/**
 * The one place errors become responses. Kernel errors keep their status and code; Fastify's own
 * client errors (bad JSON, body too large, schema validation) get a stable code; database errors a
 * client can cause are translated by SQLSTATE; anything else is a 500 whose detail says nothing
 * about the cause (no stack, SQL or host name); the cause goes to the log with the request id.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      request,
      reply,
      404,
      'route_not_found',
      `No route matches ${request.method} ${pathOf(request)}.`,
    ),
  )

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof TesseraError) {
      if (error instanceof TooManyRequests) reply.header('retry-after', String(error.retryAfterSeconds))
      return sendProblem(request, reply, error.status, error.code, error.message, error.errors)
    }
    if (error.validation) {
      const errors = error.validation.map((e) => toFieldError(e as Parameters<typeof toFieldError>[0]))
      const where = error.validationContext ?? 'request'
      return sendProblem(request, reply, 400, 'invalid', `The ${where} is invalid.`, errors)
    }
    const known = fastifyClientError(error)
    if (known) return sendProblem(request, reply, known.status, known.code, known.detail)

    const mapped = fromDatabaseError(error)
    if (mapped) {
      request.log.info({ err: error }, 'database refused the request')
      return sendProblem(request, reply, mapped.status, mapped.code, mapped.message, mapped.errors)
    }
    request.log.error({ err: error }, 'unhandled error')
    return sendProblem(
      request,
      reply,
      500,
      'internal',
      'Something went wrong on our side. Quote the request id when reporting it.',
    )
  })
}

function fastifyClientError(
  error: FastifyError,
): { status: number; code: string; detail: string } | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, code: 'invalid_json', detail: 'The request body is not valid JSON.' }
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        code: 'body_too_large',
        detail: 'The request body is larger than the server accepts.',
      }
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        status: 415,
        code: 'unsupported_media_type',
        detail: 'The request body must be application/json.',
      }
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return {
        status: 400,
        code: 'invalid_content_length',
        detail: 'The Content-Length header does not match the body.',
      }
  }
  // Other 4xx errors Fastify raises before a handler runs (e.g. a malformed URL) carry no secrets.
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return { status: error.statusCode, code: 'bad_request', detail: 'The request is malformed.' }
  }
  return undefined
}

function pathOf(request: FastifyRequest): string {
  return (request.url.split('?')[0] ?? '/').slice(0, 200)
}
