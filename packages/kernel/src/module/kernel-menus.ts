import type { MenuEntry } from './define.ts'

/** The kernel's own screens, under Settings; modules may hang their settings under `kernel.settings`. */
export const kernelMenus: readonly MenuEntry[] = [
  { id: 'kernel.settings', label: 'Settings', icon: 'settings', order: 1000 },
  {
    id: 'kernel.members',
    label: 'Members',
    path: '/settings/members',
    icon: 'team',
    order: 10,
    parent: 'kernel.settings',
    permission: 'kernel.member:manage',
  },
  // every member manages their own API keys; administrators see the tenant's
  {
    id: 'kernel.api_keys',
    label: 'API keys',
    path: '/settings/api-keys',
    icon: 'key',
    order: 20,
    parent: 'kernel.settings',
  },
  {
    id: 'kernel.security_log',
    label: 'Security log',
    path: '/settings/security-log',
    icon: 'audit',
    order: 30,
    parent: 'kernel.settings',
    permission: 'kernel.security_event:read',
  },
  {
    id: 'kernel.modules',
    label: 'Modules',
    path: '/settings/modules',
    icon: 'appstore',
    order: 40,
    parent: 'kernel.settings',
    permission: 'kernel.module:manage',
  },
]
