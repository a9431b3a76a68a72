export * from './database-errors.ts'
export * from './errors.ts'
