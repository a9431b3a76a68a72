export * from './dummy-verify.ts'
export * from './hashing.ts'
export * from './policy.ts'
export type { PasswordStrength } from './strength.ts'
