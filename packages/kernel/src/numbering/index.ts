export * from './format.ts'
export * from './next-number.ts'
export * from './pattern.ts'
