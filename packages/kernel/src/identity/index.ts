export * from './mfa/index.ts'
export * from './passwords/index.ts'
