import type { FastifyReply, FastifyRequest } from 'fastify'

/**
 * The web session cookie: HttpOnly (scripts cannot read it), SameSite=Lax (not sent on cross-site
 * POSTs), and over https Secure with the __Host- prefix (bound to this exact host, path /).
 */
function cookieName(request: FastifyRequest): string {
  return request.protocol === 'https' ? '__Host-tessera_session' : 'tessera_session'
}

export function readSessionCookie(request: FastifyRequest): string | undefined {
  return request.cookies[cookieName(request)]
}

export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
  expires: Date,
): void {
  reply.setCookie(cookieName(request), token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    path: '/',
    expires,
  })
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(cookieName(request), {
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    path: '/',
  })
}
