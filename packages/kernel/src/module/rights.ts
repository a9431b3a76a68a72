/** The roles that hold every right until access control defines roles and their rights. */
const ALL_RIGHTS_ROLES = ['owner', 'admin']

/**
 * Whether a member with these roles holds `permission` (none asked: yes). Provisional: owners and
 * administrators hold every right, other members only what needs none. The access-control work
 * replaces this one function with role-based rights; its callers stay as they are.
 */
export function rolesGrant(roles: readonly string[], permission: string | undefined): boolean {
  if (permission === undefined) return true
  return roles.some((role) => ALL_RIGHTS_ROLES.includes(role))
}
