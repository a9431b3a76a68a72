import { ApiOutlined, BankOutlined, LoginOutlined, SafetyCertificateOutlined } from '@ant-design/icons'
import type { TFunction } from 'i18next'
import type { ReactNode } from 'react'
import { holds } from '../api/queries.ts'
import type { Membership } from '../api/types.ts'

/**
 * The administration screens the kernel's menus do not list (/api/v1/menus has Members, API keys,
 * the security log and Modules), each shown to members holding the right its screen reads with.
 */
export function adminEntries(
  membership: Membership | undefined,
  t: TFunction,
): { key: string; label: string; icon: ReactNode }[] {
  return [
    {
      key: '/settings/roles',
      label: t('settings.rolesTitle'),
      icon: <SafetyCertificateOutlined />,
      right: 'kernel.role:read',
    },
    {
      key: '/settings/webhooks',
      label: t('settings.webhooksTitle'),
      icon: <ApiOutlined />,
      right: 'kernel.webhook:read',
    },
    {
      key: '/settings/company',
      label: t('settings.companyMenu'),
      icon: <BankOutlined />,
      right: 'kernel.company:update',
    },
    {
      key: '/settings/sign-in',
      label: t('settings.signInMenu'),
      icon: <LoginOutlined />,
      right: 'kernel.sso:manage',
    },
  ]
    .filter((e) => holds(membership, e.right))
    .map(({ right: _, ...entry }) => entry)
}
