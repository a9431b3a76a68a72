export * from './backup-codes.ts'
export * from './totp.ts'
