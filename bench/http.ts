export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH'
  /** path and query, e.g. /api/v1/partners?limit=50 */
  path: string
  body?: unknown
  headers?: Record<string, string>
}

/** Sends one request as the bench's API client, reading the whole body. */
export async function send(
  baseUrl: string,
  token: string,
  request: HttpRequest,
): Promise<{ status: number; ok: boolean; body: string }> {
  const hasBody = request.body !== undefined
  const res = await fetch(`${baseUrl}${request.path}`, {
    method: request.method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(hasBody ? { 'content-type': 'application/json' } : {}),
      ...request.headers,
    },
    ...(hasBody ? { body: JSON.stringify(request.body) } : {}),
  })
  return { status: res.status, ok: res.ok, body: await res.text() }
}
