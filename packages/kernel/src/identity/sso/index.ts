export { createSsoContext, type SsoContext } from './context.ts'
export {
  finishSsoLogin,
  SSO_ATTEMPT_MINUTES,
  type SsoCallback,
  type SsoLoginResult,
  type SsoStart,
  startSsoLogin,
} from './login-flow.ts'
export {
  deleteSsoProvider,
  getSsoProvider,
  SsoProviderInput,
  type SsoProviderView,
  saveSsoProvider,
} from './provider-config.ts'
export type { SsoLoginAttemptsTable, SsoTables } from './tables.ts'
