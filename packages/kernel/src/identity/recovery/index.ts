export * from './email-verification.ts'
export * from './messages.ts'
export * from './password-change.ts'
export * from './password-reset.ts'
export {
  tokenInvalid,
  USER_TOKEN_MINUTES,
  USER_TOKENS_PER_HOUR,
  type UserTokenPurpose,
} from './user-tokens.ts'
