import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * `Tessera-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, the scheme
 * Stripe made familiar: the timestamp inside the MAC lets a receiver refuse a replayed request.
 */
export function signatureHeader(secret: string, body: string, timestamp: number): string {
  return `t=${timestamp},v1=${signature(secret, body, timestamp)}`
}

function signature(secret: string, body: string, timestamp: number): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')
}

/** Checks a header against the body, within `toleranceSeconds` of `now` (unix seconds). */
export function verifySignatureHeader(
  secret: string,
  body: string,
  header: string,
  now = Math.floor(Date.now() / 1000),
  toleranceSeconds = 300,
): boolean {
  const parts = new Map(header.split(',').map((p) => p.split('=', 2) as [string, string]))
  const t = Number(parts.get('t'))
  const sent = Buffer.from(parts.get('v1') ?? '', 'hex')
  const expected = Buffer.from(signature(secret, body, t), 'hex')
  return (
    Number.isInteger(t) &&
    Math.abs(now - t) <= toleranceSeconds &&
    sent.length === expected.length &&
    timingSafeEqual(sent, expected)
  )
}
