import { ALL_PERMISSIONS } from './permissions.ts'

/** A role every tenant gets from code: the kernel's four, and those modules declare. */
export interface RoleTemplate {
  key: string
  name: string
  description: string
  permissions: readonly string[]
  /** `kernel` or the declaring module */
  origin: string
}

/**
 * The kernel's templates. Owner and Admin hold `*`, so they keep every right as modules are
 * added; only the Owner holds the owner-only rights. Migration 0009_roles.sql seeds the same four
 * into tenants that existed before roles did.
 */
export const KERNEL_ROLE_TEMPLATES: readonly RoleTemplate[] = [
  {
    key: 'owner',
    name: 'Owner',
    description: 'Every permission, including making other members owners.',
    permissions: [ALL_PERMISSIONS, 'kernel.ownership:transfer'],
    origin: 'kernel',
  },
  {
    key: 'admin',
    name: 'Admin',
    description: "Every permission except the owner's.",
    permissions: [ALL_PERMISSIONS],
    origin: 'kernel',
  },
  {
    key: 'manager',
    name: 'Manager',
    description: 'Reads members, roles, companies, settings and the audit trail.',
    permissions: [
      'kernel.member:read',
      'kernel.role:read',
      'kernel.company:read',
      'kernel.settings:read',
      'kernel.audit:read',
      'kernel.webhook:read',
      'kernel.access_rule:read',
    ],
    origin: 'kernel',
  },
  {
    key: 'user',
    name: 'User',
    description: 'A member: sees colleagues and companies.',
    permissions: ['kernel.member:read', 'kernel.company:read'],
    origin: 'kernel',
  },
]

/** What a module's manifest declares about its roles (see ModuleManifest.roles). */
export interface ModuleRoleSource {
  name: string
  roles?: readonly { key: string; name: string; description?: string; permissions: readonly string[] }[]
}

export function moduleRoleTemplates(m: ModuleRoleSource): RoleTemplate[] {
  return (m.roles ?? []).map((role) => ({
    key: role.key,
    name: role.name,
    description: role.description ?? '',
    permissions: [...role.permissions],
    origin: m.name,
  }))
}
