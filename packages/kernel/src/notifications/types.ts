import type { ModuleManifest } from '../module/define.ts'

/** What the kernel itself notifies members of. */
export const KERNEL_NOTIFICATION_TYPES: readonly string[] = ['kernel.member.invited', 'kernel.security.alert']

/**
 * The notification types members choose channels for: the kernel's and the events the enabled
 * modules declare as notifiable in their manifests.
 */
export function notificationTypes(modules: readonly ModuleManifest[]): string[] {
  const declared = modules.flatMap((m) => (m as { events?: readonly string[] }).events ?? [])
  return [...new Set([...KERNEL_NOTIFICATION_TYPES, ...declared])].sort()
}
