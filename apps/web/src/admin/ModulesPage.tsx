import { useMutation, useQueryClient } from '@tanstack/react-query'
import { App, Card, List, Switch, Tag, Typography } from 'antd'
import { useTranslation } from 'react-i18next'
import { api } from '../api/client.ts'
import { holds, useMembership, useModules } from '../api/queries.ts'
import type { ModuleState } from '../api/types.ts'

/** The installed modules and their state in this tenant; activating one adds its menus and entities. */
export function ModulesPage() {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const client = useQueryClient()
  const modules = useModules()
  const membership = useMembership()
  const canManage = holds(membership.data, 'kernel.module:manage')
  const change = useMutation({
    mutationFn: ({ name, active }: { name: string; active: boolean }) =>
      api<ModuleState>(`/modules/${name}`, { method: 'PATCH', body: { active } }),
    onSuccess: () => client.invalidateQueries(),
    onError: (err) => void message.error(err.message),
  })
  return (
    <Card
      title={
        <Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>
          {t('admin.modulesTitle')}
        </Typography.Title>
      }
    >
      <List
        loading={modules.isPending}
        dataSource={modules.data ?? []}
        renderItem={(m) => (
          <List.Item
            data-testid={`module-${m.name}`}
            actions={[
              <Switch
                key="active"
                checked={m.active}
                disabled={!canManage}
                loading={change.isPending && change.variables?.name === m.name}
                onChange={(active) => change.mutate({ name: m.name, active })}
                aria-label={`${m.active ? t('admin.deactivate') : t('admin.activate')} ${m.name}`}
                data-testid={`module-toggle-${m.name}`}
              />,
            ]}
          >
            <List.Item.Meta
              title={
                <>
                  {m.name} <Tag>{m.version}</Tag> {m.active && <Tag color="green">{t('admin.active')}</Tag>}
                </>
              }
              description={m.description}
            />
          </List.Item>
        )}
      />
    </Card>
  )
}
