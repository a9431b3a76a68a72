import { randomBytes } from 'node:crypto'
import { hashPassword, verifyPassword } from './hashing.ts'

let dummyHash: Promise<string> | undefined

/**
 * Made once, from random bytes nobody knows, with the current HASH_OPTIONS, so that verifying against it
 * costs exactly what verifying a real account's hash costs.
 */
function getDummyHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(32).toString('base64url')).catch((error: unknown) => {
    dummyHash = undefined
    throw error
  })
  return dummyHash
}

/**
 * For a login whose email matches no account: does the same argon2 work as `verifyPassword` and always
 * answers false, so "unknown email" and "wrong password" take the same time.
 */
export async function verifyAgainstDummy(plain: string): Promise<false> {
  await verifyPassword(await getDummyHash(), typeof plain === 'string' ? plain : '')
  return false
}
