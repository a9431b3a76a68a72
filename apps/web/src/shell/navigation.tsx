import {
  AppstoreOutlined,
  AuditOutlined,
  ContactsOutlined,
  FolderOutlined,
  FormOutlined,
  FunnelPlotOutlined,
  HomeOutlined,
  KeyOutlined,
  SafetyOutlined,
  SettingOutlined,
  TableOutlined,
  TeamOutlined,
} from '@ant-design/icons'
import type { MenuProps } from 'antd'
import type { ReactNode } from 'react'
import type { EntitySummary, MenuEntry } from '../api/types.ts'

const ICONS: Record<string, ReactNode> = {
  settings: <SettingOutlined />,
  team: <TeamOutlined />,
  key: <KeyOutlined />,
  audit: <AuditOutlined />,
  appstore: <AppstoreOutlined />,
  contacts: <ContactsOutlined />,
  funnel: <FunnelPlotOutlined />,
}

const singular = (word: string) => word.replace(/ies$/, 'y').replace(/s$/, '')

/**
 * The entity a menu entry opens: the one served at /api/v1<path>, else the module's entity named
 * like the entry (`partners.tags` → `partners.tag`), since modules name menus for people, not routes.
 */
export function entityOfMenu(
  entry: MenuEntry,
  entities: readonly EntitySummary[],
): EntitySummary | undefined {
  if (!entry.path) return undefined
  const byPath = entities.find((e) => e.path === `/api/v1${entry.path}`)
  if (byPath) return byPath
  const last = entry.id.split('.').pop() ?? ''
  return entities.find((e) => e.module === entry.module && e.key === `${entry.module}.${singular(last)}`)
}

/** Where a menu entry leads in the app. */
export function linkOf(entry: MenuEntry, entities: readonly EntitySummary[]): string | null {
  const entity = entityOfMenu(entry, entities)
  if (entity) return `/e/${entity.key}`
  return entry.path
}

type Item = Required<MenuProps>['items'][number]

export interface NavExtras {
  customEntities: EntitySummary[]
  canManageMeta: boolean
  labels: { home: string; entities: string; customFields: string; security: string }
  /** the web app's administration screens the member may open (admin/admin-menu.tsx) */
  adminEntries?: { key: string; label: string; icon: ReactNode }[]
}

/** Ant Design menu items from the member's menu tree plus the app's own entries. */
export function menuItems(
  tree: readonly MenuEntry[],
  entities: readonly EntitySummary[],
  extras: NavExtras,
): Item[] {
  const toItem = (entry: MenuEntry): Item => {
    const link = linkOf(entry, entities)
    const icon = entry.icon ? ICONS[entry.icon] : undefined
    if (entry.children.length > 0) {
      const children = entry.children.map(toItem)
      if (entry.id === 'kernel.settings') {
        if (extras.canManageMeta)
          children.push({
            key: '/settings/custom-fields',
            label: extras.labels.customFields,
            icon: <FormOutlined />,
          })
        children.push(...(extras.adminEntries ?? []))
        children.push({ key: '/settings/security', label: extras.labels.security, icon: <SafetyOutlined /> })
      }
      return { key: `group:${entry.id}`, label: entry.label, icon: icon ?? <FolderOutlined />, children }
    }
    return { key: link ?? `none:${entry.id}`, label: entry.label, icon, disabled: link === null }
  }
  const items: Item[] = [{ key: '/', label: extras.labels.home, icon: <HomeOutlined /> }]
  if (extras.customEntities.length > 0) {
    items.push({
      key: 'group:custom',
      label: extras.labels.entities,
      icon: <TableOutlined />,
      children: extras.customEntities.map((e) => ({ key: `/e/${e.key}`, label: e.plural_label })),
    })
  }
  return [...items, ...tree.map(toItem)]
}

/** Whether `path` is `key` or a page under it (`/settings/roles/<id>` under `/settings/roles`). */
const under = (path: string, key: string) =>
  path === key || (key !== '/' && path.startsWith(key.endsWith('/') ? key : `${key}/`))

/**
 * The menu entry a page belongs to, and the submenus holding it: the entry whose link is the
 * longest leading part of the path, so a detail page (a role, a webhook's log, a record) lights
 * up the list it was opened from.
 */
export function menuSelection(items: readonly Item[], path: string): { selected?: string; open: string[] } {
  let best: { selected: string; open: string[] } | undefined
  const walk = (list: readonly Item[], open: string[]) => {
    for (const item of list) {
      if (!item || typeof item.key !== 'string') continue
      if ('children' in item && item.children) walk(item.children, [...open, item.key])
      else if (
        !item.key.startsWith('none:') &&
        under(path, item.key) &&
        item.key.length > (best?.selected.length ?? -1)
      )
        best = { selected: item.key, open }
    }
  }
  walk(items, [])
  return best ?? { open: [] }
}
