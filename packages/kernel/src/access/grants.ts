import { ALL_PERMISSIONS, OWNER_ONLY_PERMISSIONS } from './permissions.ts'

/**
 * Whether a set of held permissions covers `permission`. `*` covers every permission except the
 * owner-only ones; asking for `*` itself needs `*`.
 */
export function holds(held: readonly string[], permission: string): boolean {
  if (held.includes(permission)) return true
  return (
    permission !== ALL_PERMISSIONS &&
    held.includes(ALL_PERMISSIONS) &&
    !OWNER_ONLY_PERMISSIONS.has(permission)
  )
}

/** The first of `wanted` that `held` does not cover, if any: what granting `wanted` would escalate. */
export function firstNotHeld(wanted: readonly string[], held: readonly string[]): string | undefined {
  return wanted.find((permission) => !holds(held, permission))
}

/**
 * The rights two sets have in common, e.g. an API key's roles and its owner's: a permission of
 * either side that the other covers. `*` survives only when both sides hold it.
 */
export function intersect(a: readonly string[], b: readonly string[]): string[] {
  const common = new Set([...a.filter((p) => holds(b, p)), ...b.filter((p) => holds(a, p))])
  return [...common].sort()
}

/** How a permission is named in a refusal: `*` is not self-explanatory. */
export function describePermission(permission: string): string {
  return permission === ALL_PERMISSIONS ? 'every permission (*)' : `"${permission}"`
}
