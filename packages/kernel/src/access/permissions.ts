/**
 * Permissions: `<module>.<entity>:<action>`, declared by the kernel for its own resources (below)
 * and by each module's manifest. A role holds a list of them, or `*`.
 */

/** A permission's shape; the prefix before the first dot is the module (or `kernel`). */
export const PERMISSION_PATTERN = /^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*:[a-z][a-z0-9_-]*$/

/**
 * Every permission of the server except the owner-only ones, now and as modules are added: the
 * Admin template holds it, so an administrator never silently lacks a new module's rights.
 */
export const ALL_PERMISSIONS = '*'

export interface PermissionInfo {
  permission: string
  /** `kernel` or the declaring module */
  module: string
  description: string
  /** only an owner may hold it (and so grant it); `*` does not include it */
  owner_only: boolean
}

/** The kernel's own rights. Names are stable: roles store them. */
export const KERNEL_PERMISSIONS: readonly Omit<PermissionInfo, 'module'>[] = [
  k('kernel.member:read', 'See the members of the tenant, their roles and companies'),
  k('kernel.member:update', "Change a member's roles and allowed companies"),
  k('kernel.member:manage', "Disable, enable, force-logout or unlock a member; reset a member's MFA"),
  k('kernel.role:read', 'See roles and the permission catalogue'),
  k('kernel.role:create', 'Create custom roles'),
  k('kernel.role:update', 'Change custom roles'),
  k('kernel.role:delete', 'Delete custom roles nobody holds'),
  k('kernel.company:read', 'See the companies one is allowed in'),
  k('kernel.company:create', 'Create companies'),
  k('kernel.company:update', 'Change companies'),
  k('kernel.settings:read', "See the tenant's settings"),
  k('kernel.settings:update', "Change the tenant's settings"),
  k('kernel.audit:read', 'Read the audit trail'),
  k('kernel.module:manage', 'Activate and deactivate modules'),
  k('kernel.webhook:read', 'See webhooks'),
  k('kernel.webhook:create', 'Create webhooks'),
  k('kernel.webhook:update', 'Change webhooks'),
  k('kernel.webhook:delete', 'Delete webhooks'),
  k('kernel.api_key:manage', "See and revoke every member's API keys (one's own need no right)"),
  k('kernel.security_event:read', 'Read the security log'),
  k('kernel.sso:manage', 'Configure single sign-on'),
  k('kernel.mfa_policy:manage', "Set the tenant's MFA policy"),
  k('kernel.access_rule:read', 'See record rules and field rules'),
  k('kernel.access_rule:manage', 'Create, change and delete record rules and field rules'),
  k('kernel.access:explain', 'Ask why a member can or cannot see a record'),
  k('kernel.meta:manage', 'Define custom fields and custom entities'),
  k('kernel.exchange_rate:read', "See the tenant's exchange rates"),
  k('kernel.exchange_rate:manage', 'Enter, correct and delete exchange rates'),
  k('kernel.ownership:transfer', 'Make members owners (and so transfer ownership)', true),
]

function k(permission: string, description: string, owner_only = false) {
  return { permission, description, owner_only }
}

/** Permissions no `*` covers: only the Owner template holds them by name. */
export const OWNER_ONLY_PERMISSIONS: ReadonlySet<string> = new Set(
  KERNEL_PERMISSIONS.filter((p) => p.owner_only).map((p) => p.permission),
)

/**
 * The rights that change who can do what. A member holding any is an administrator in the sense
 * of the tenant's MFA policy "admins".
 */
export const ADMINISTRATIVE_PERMISSIONS: readonly string[] = [
  'kernel.member:update',
  'kernel.member:manage',
  'kernel.role:create',
  'kernel.role:update',
  'kernel.role:delete',
  'kernel.api_key:manage',
  'kernel.sso:manage',
  'kernel.mfa_policy:manage',
  'kernel.access_rule:manage',
  'kernel.meta:manage',
  'kernel.ownership:transfer',
]

/** What a module contributes to the catalogue. */
export interface PermissionSource {
  name: string
  permissions?: readonly string[]
}

/** The permission catalogue of a server: the kernel's, then each enabled module's in order. */
export function permissionCatalogue(modules: readonly PermissionSource[]): PermissionInfo[] {
  return [
    ...KERNEL_PERMISSIONS.map((p) => ({ ...p, module: 'kernel' })),
    ...modules.flatMap((m) =>
      (m.permissions ?? []).map((permission) => ({
        permission,
        module: m.name,
        description: '',
        owner_only: false,
      })),
    ),
  ]
}
