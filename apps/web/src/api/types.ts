/** The shapes of the API answers the app reads (see the server's response schemas). */

export interface Me {
  user: {
    id: string
    email: string
    name: string
    locale: string
    timezone: string
    email_verified: boolean
    mfa_enabled: boolean
  }
  tenant: { id: string; slug: string; name: string }
  roles: string[]
  session_id: string | null
  csrf_token?: string
}

export interface Membership {
  id: string
  permissions: string[]
  company_ids: string[]
  current_company_id: string | null
  companies: { id: string; name: string }[]
}

export interface Company {
  id: string
  name: string
  currency: string
  logo_url: string | null
  primary_color: string | null
  current: boolean
}

export interface MenuEntry {
  id: string
  label: string
  path: string | null
  icon: string | null
  order: number
  module: string
  children: MenuEntry[]
}

export interface EntitySummary {
  key: string
  label: string
  plural_label: string
  resource: string
  path: string
  custom: boolean
  module: string | null
}

export type FieldType =
  | 'text'
  | 'long_text'
  | 'integer'
  | 'decimal'
  | 'money'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'select'
  | 'multi_select'
  | 'email'
  | 'phone'
  | 'url'
  | 'reference'
  | 'user'
  | 'children'
  | 'many_to_many'
  | 'file'
  | 'json'
  | 'computed'

export interface FieldMeta {
  name: string
  type: FieldType
  label: string
  description: string | null
  required: boolean
  read_only: boolean
  unique: boolean
  searchable: boolean
  options: string[] | null
  target: string | null
  min: number | string | null
  max: number | string | null
  min_length: number | null
  max_length: number | null
  pattern: string | null
  scale: number | null
  default: unknown
  custom: boolean
}

export interface EntityAction {
  name: string
  label: string
  from: string[]
  to: string
  permission: string
  allowed: boolean
}

export interface EntityMeta extends EntitySummary {
  description: string | null
  display_field: string | null
  search_fields: string[]
  default_sort: string | null
  archivable: boolean
  fields: FieldMeta[]
  layout: {
    sections: { label: string; fields: string[] }[]
    list: string[]
    kanban: string | null
    calendar: string | null
  }
  initial_state: string | null
  states: { key: string; label: string; locked: boolean }[]
  actions: EntityAction[]
  rights: {
    read: boolean
    create: boolean
    update: boolean
    delete: boolean
    export: boolean
    import: boolean
  }
  version: number | null
}

export type EntityRecord = Record<string, unknown> & { id: string; version: number }

export interface RecordPage {
  data: EntityRecord[]
  next_cursor: string | null
  count?: number
}

export interface ModuleState {
  name: string
  version: string
  description: string
  dependencies: string[]
  active: boolean
  activated_at: string | null
}

export interface CustomField {
  key: string
  entity: string
  type: string
  label: string
  description: string | null
  required: boolean
  searchable: boolean
  options: string[] | null
  min: number | string | null
  max: number | string | null
  removed_at: string | null
  version: number
}

export interface Notification {
  id: string
  type: string
  title: string
  body: string | null
  link: string | null
  read_at: string | null
  created_at: string
}

export interface SessionInfo {
  id: string
  created_at: string
  last_seen_at?: string | null
  user_agent?: string | null
  ip?: string | null
  current: boolean
}
