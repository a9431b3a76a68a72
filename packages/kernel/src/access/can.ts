import { Forbidden } from '../errors/errors.ts'
import { describePermission, holds } from './grants.ts'
import { ADMINISTRATIVE_PERMISSIONS } from './permissions.ts'

/** Whoever asks: an Actor fits. `permissions` are resolved from the roles on every request. */
export interface Holder {
  permissions: readonly string[]
}

/**
 * Whether the actor holds `permission` (none asked: yes). The actor's permissions are read from
 * the database with its credentials on every request, never cached, so a change to a role or to
 * a member's roles applies on the next request.
 */
export function can(actor: Holder, permission: string | undefined): boolean {
  return permission === undefined || holds(actor.permissions, permission)
}

/** Refuses with 403 `permission_required`, naming the permission, unless the actor holds it. */
export function assertCan(actor: Holder, permission: string): void {
  if (!can(actor, permission)) {
    throw new Forbidden(
      `This needs the permission ${describePermission(permission)}, which you do not hold.`,
      'permission_required',
    )
  }
}

/** Whether the actor holds any right that changes who can do what (the MFA policy's "admins"). */
export function administers(actor: Holder): boolean {
  return ADMINISTRATIVE_PERMISSIONS.some((permission) => holds(actor.permissions, permission))
}
