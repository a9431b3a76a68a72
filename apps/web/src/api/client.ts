/**
 * The one way the app talks to the API: same-origin fetch with the session cookie, the session's
 * CSRF token on unsafe methods, and errors turned into ApiError (RFC 9457 problem details with
 * per-field errors). A 401 on a signed-in call tells the session that it was lost.
 */

export interface FieldError {
  field: string
  code: string
  message: string
}

export interface Problem {
  status: number
  code: string
  title: string
  detail: string
  errors?: FieldError[]
}

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly errors: FieldError[]
  constructor(problem: Problem) {
    super(problem.detail || problem.title)
    this.status = problem.status
    this.code = problem.code
    this.errors = problem.errors ?? []
  }
}

let csrfToken: string | null = null
let onSessionLost: (() => void) | null = null

export function setCsrfToken(token: string | null): void {
  csrfToken = token
}

/** Called once by the session provider: what to do when a call answers 401. */
export function whenSessionLost(handler: () => void): void {
  onSessionLost = handler
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export interface RequestOptions {
  method?: string
  body?: unknown
  headers?: Record<string, string>
  /** a 401 is an expected answer (sign-in screens, the first /auth/me): do not report a lost session */
  anonymous?: boolean
  signal?: AbortSignal
  /** a file sent as the body itself (the files API's uploads), instead of a JSON `body` */
  file?: Blob
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET'
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers }
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  else if (options.file) headers['content-type'] = 'application/octet-stream'
  if (UNSAFE.has(method) && csrfToken) headers['x-csrf-token'] = csrfToken
  const response = await fetch(`/api/v1${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    ...(options.file ? { body: options.file } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  })
  if (response.status === 204) return undefined as T
  const text = await response.text()
  const json = text ? safeJson(text) : undefined
  if (!response.ok) {
    const problem = toProblem(response.status, json)
    if (response.status === 401 && !options.anonymous) onSessionLost?.()
    throw new ApiError(problem)
  }
  return json as T
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function toProblem(status: number, body: unknown): Problem {
  if (body && typeof body === 'object' && 'code' in body)
    return { status, ...(body as Omit<Problem, 'status'>) }
  return { status, code: `http_${status}`, title: `HTTP ${status}`, detail: `The server answered ${status}.` }
}

/** Field errors keyed by field name, for forms (`custom.x` and `custom` prefixes are matched as sent). */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError)) return {}
  const out: Record<string, string> = {}
  for (const e of error.errors) out[e.field] ??= e.message
  return out
}

/** `?a=1&b=2` from the defined entries only. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value))
  }
  const text = search.toString()
  return text ? `?${text}` : ''
}
