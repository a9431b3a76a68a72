import { Checkbox, Collapse, Flex, Tag, Typography } from 'antd'
import { useTranslation } from 'react-i18next'
import type { PermissionInfo } from './types.ts'

const CRUD = ['read', 'create', 'update', 'delete']

interface Group {
  module: string
  entities: { entity: string; permissions: PermissionInfo[] }[]
}

/**
 * The catalogue by module, then by entity (`partners.partner:read` → module partners, entity
 * partners.partner). Custom entities are tenant data the catalogue cannot list: their CRUD rights
 * are added under "custom".
 */
export function groupPermissions(
  catalogue: readonly PermissionInfo[],
  customEntities: readonly string[],
): Group[] {
  const all = [
    ...catalogue,
    ...customEntities.flatMap((key) =>
      CRUD.map((action) => ({
        permission: `${key}:${action}`,
        module: 'custom',
        description: '',
        owner_only: false,
      })),
    ),
  ]
  const groups = new Map<string, Map<string, PermissionInfo[]>>()
  for (const p of all) {
    const entity = p.permission.split(':')[0] ?? p.permission
    const byEntity = groups.get(p.module) ?? new Map<string, PermissionInfo[]>()
    byEntity.set(entity, [...(byEntity.get(entity) ?? []), p])
    groups.set(p.module, byEntity)
  }
  return [...groups].map(([module, byEntity]) => ({
    module,
    entities: [...byEntity].map(([entity, permissions]) => ({ entity, permissions })),
  }))
}

interface Props {
  catalogue: readonly PermissionInfo[]
  customEntities: readonly string[]
  value?: string[]
  onChange?: (value: string[]) => void
  disabled?: boolean
  id?: string
}

/** A role's permissions: one checkbox per right, grouped by module and entity, a module at once. */
export function PermissionPicker({ catalogue, customEntities, value = [], onChange, disabled, id }: Props) {
  const { t } = useTranslation()
  const groups = groupPermissions(catalogue, customEntities)
  const chosen = new Set(value)
  const known = new Set(
    groups.flatMap((g) => g.entities.flatMap((e) => e.permissions.map((p) => p.permission))),
  )
  // rights the catalogue does not list (`*`, `partners.*`) stay as they are, shown apart
  const other = value.filter((p) => !known.has(p))
  const set = (permissions: string[], on: boolean) => {
    const next = new Set(chosen)
    for (const p of permissions) {
      if (on) next.add(p)
      else next.delete(p)
    }
    onChange?.([...next])
  }
  return (
    <div id={id}>
      {other.length > 0 && (
        <Flex gap={4} wrap style={{ marginBottom: 8 }}>
          {other.map((p) => (
            <Tag key={p} closable={!disabled} onClose={() => set([p], false)}>
              {p === '*' ? t('settings.allPermissions') : p}
            </Tag>
          ))}
        </Flex>
      )}
      <Collapse
        size="small"
        defaultActiveKey={groups
          .filter((g) => g.entities.some((e) => e.permissions.some((p) => chosen.has(p.permission))))
          .map((g) => g.module)}
        items={groups.map((g) => {
          const rights = g.entities.flatMap((e) => e.permissions.map((p) => p.permission))
          const count = rights.filter((p) => chosen.has(p)).length
          return {
            key: g.module,
            label: `${g.module} (${count}/${rights.length})`,
            children: (
              <Flex vertical gap={8}>
                <Checkbox
                  checked={count === rights.length}
                  indeterminate={count > 0 && count < rights.length}
                  disabled={disabled}
                  onChange={(e) => set(rights, e.target.checked)}
                >
                  {t('settings.allOfModule', { module: g.module })}
                </Checkbox>
                {g.entities.map((e) => (
                  <Flex key={e.entity} gap={8} wrap align="baseline">
                    <Typography.Text strong style={{ minWidth: 160 }}>
                      {e.entity}
                    </Typography.Text>
                    {e.permissions.map((p) => (
                      <Checkbox
                        key={p.permission}
                        aria-label={p.permission}
                        title={p.description || p.permission}
                        checked={chosen.has(p.permission)}
                        disabled={disabled}
                        onChange={(ev) => set([p.permission], ev.target.checked)}
                      >
                        {p.permission.split(':')[1]}
                        {p.owner_only && (
                          <Tag style={{ marginInlineStart: 4 }}>{t('settings.ownerOnly')}</Tag>
                        )}
                      </Checkbox>
                    ))}
                  </Flex>
                ))}
              </Flex>
            ),
          }
        })}
      />
    </div>
  )
}
