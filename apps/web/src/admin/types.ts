/** The shapes of the administration routes' answers (apps/server/src/access, apps/server/src/webhooks). */

export interface Member {
  id: string
  user_id: string
  email: string
  name: string
  status: 'active' | 'disabled'
  roles: string[]
  permissions: string[]
  company_ids: string[]
  version: number
}

export interface Role {
  id: string
  key: string
  name: string
  description: string | null
  permissions: string[]
  /** defined in code (kernel or a module): read-only */
  template: boolean
  origin: string | null
  version: number
}

export interface PermissionInfo {
  permission: string
  module: string
  description: string
  owner_only: boolean
}

export interface RecordRule {
  id: string
  role: string
  entity: string
  filter: string
  description: string | null
  version: number
}

export interface FieldRule {
  id: string
  role: string
  entity: string
  field: string
  access: 'hidden' | 'read_only'
  version: number
}

export interface Webhook {
  id: string
  url: string
  events: string[]
  description: string | null
  active: boolean
  version: number
  created_at: string
}

export interface Delivery {
  id: string
  event_type: string
  status: 'pending' | 'retrying' | 'succeeded' | 'dead'
  attempts: number
  http_status: number | null
  duration_ms: number | null
  response_excerpt: string | null
  error: string | null
  last_attempt_at: string | null
  created_at: string
}

export interface CompanyDetail {
  id: string
  name: string
  currency: string
  country: string | null
  timezone: string
  logo_url: string | null
  primary_color: string | null
  current: boolean
  version: number
}
