import type { ColumnType, Generated } from 'kysely'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>

export interface UsersTable {
  id: string
  email: string
  email_normalized: string
  name: string
  locale: ColumnType<string, string | undefined, string>
  timezone: ColumnType<string, string | undefined, string>
  password_hash: string | null
  email_verified_at: NullableTimestamp
  totp_secret: string | null
  totp_enabled_at: NullableTimestamp
  totp_last_step: ColumnType<string | null, number | string | null | undefined, number | string | null>
  backup_codes: string[] | null
  /** wrong TOTP codes in the current hour, across challenges and tenants (0004_mfa.sql) */
  totp_failures: ColumnType<number, number | undefined, number>
  totp_failures_since: NullableTimestamp
  created_at: Timestamp
  updated_at: Timestamp
}

export interface LoginThrottleTable {
  email_normalized: string
  failures: ColumnType<number, number | undefined, number>
  first_failed_at: Timestamp
  locked_until: NullableTimestamp
}

export interface UserTenantsTable {
  user_id: string
  tenant_id: string
}

export type MembershipStatus = 'active' | 'disabled'

export interface MembershipsTable {
  tenant_id: string
  id: string
  user_id: string
  roles: ColumnType<string[], string[] | undefined, string[]>
  status: ColumnType<MembershipStatus, MembershipStatus | undefined, MembershipStatus>
  /** one of the member's allowed companies (membership_companies, 0009_roles.sql) */
  current_company_id: ColumnType<string | null, string | null | undefined, string | null>
  created_at: Timestamp
  updated_at: Timestamp
  created_by: string | null
  updated_by: string | null
  version: ColumnType<number, number | undefined, number>
}

export interface SessionsTable {
  tenant_id: string
  id: string
  user_id: string
  user_agent: string | null
  ip: string | null
  auth_method: 'password' | 'sso'
  cookie_hash: string
  created_at: Timestamp
  last_seen_at: Timestamp
  expires_at: Timestamp
  revoked_at: NullableTimestamp
  revoked_reason: string | null
}

export interface RefreshTokensTable {
  tenant_id: string
  id: string
  session_id: string
  token_hash: string
  created_at: Timestamp
  used_at: NullableTimestamp
}

export interface MfaChallengesTable {
  tenant_id: string
  id: string
  user_id: string
  token_hash: string
  attempts: ColumnType<number, number | undefined, number>
  expires_at: Timestamp
  used_at: NullableTimestamp
  user_agent: string | null
  ip: string | null
}

export interface UserTokensTable {
  id: string
  user_id: string
  purpose: 'password_reset' | 'email_verification'
  token_hash: string
  expires_at: Timestamp
  used_at: NullableTimestamp
  created_at: Timestamp
}

export interface ApiKeysTable {
  tenant_id: string
  id: string
  user_id: string
  name: string
  prefix: string
  secret_hash: string
  roles: ColumnType<string[], string[] | undefined, string[]>
  expires_at: NullableTimestamp
  last_used_at: NullableTimestamp
  revoked_at: NullableTimestamp
  created_at: Timestamp
}

export interface SsoProvidersTable {
  tenant_id: string
  id: string
  issuer: string
  client_id: string
  client_secret: string
  allowed_domains: ColumnType<string[], string[] | undefined, string[]>
  default_role: ColumnType<string, string | undefined, string>
  enabled: ColumnType<boolean, boolean | undefined, boolean>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface SecurityEventsTable {
  tenant_id: string
  id: string
  type: string
  user_id: string | null
  api_key_id: string | null
  ip: string | null
  user_agent: string | null
  details: ColumnType<Record<string, unknown>, string | undefined, never>
  created_at: Generated<Date>
}

export interface IdentityTables {
  users: UsersTable
  login_throttle: LoginThrottleTable
  user_tenants: UserTenantsTable
  memberships: MembershipsTable
  sessions: SessionsTable
  refresh_tokens: RefreshTokensTable
  mfa_challenges: MfaChallengesTable
  user_tokens: UserTokensTable
  api_keys: ApiKeysTable
  sso_providers: SsoProvidersTable
  security_events: SecurityEventsTable
}
