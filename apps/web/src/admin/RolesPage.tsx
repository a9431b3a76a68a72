import { Button, Flex, Table, Tag, Typography } from 'antd'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate } from 'react-router'
import { holds, useMembership } from '../api/queries.ts'
import { ErrorPage } from '../app/ErrorPage.tsx'
import { useRoles } from './queries.ts'
import type { Role } from './types.ts'

/** The role templates (read-only) and the tenant's own roles; each opens its editor and rules. */
export function RolesPage() {
  const { t } = useTranslation()
  const navigate = useNavigate()
  const membership = useMembership()
  const roles = useRoles()
  if (roles.isError) return <ErrorPage error={roles.error} />
  return (
    <Flex vertical gap="middle">
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          {t('settings.rolesTitle')}
        </Typography.Title>
        {holds(membership.data, 'kernel.role:create') && (
          <Button type="primary" onClick={() => navigate('/settings/roles/new')} data-testid="role-new">
            {t('settings.newRole')}
          </Button>
        )}
      </Flex>
      <Table<Role>
        rowKey="id"
        size="small"
        loading={roles.isPending}
        dataSource={roles.data ?? []}
        pagination={false}
        scroll={{ x: true }}
        columns={[
          {
            key: 'name',
            title: t('settings.roleName'),
            render: (_: unknown, r: Role) => <Link to={`/settings/roles/${r.id}`}>{r.name}</Link>,
          },
          { key: 'key', title: t('admin.key'), render: (_: unknown, r: Role) => <code>{r.key}</code> },
          {
            key: 'kind',
            title: t('settings.origin'),
            render: (_: unknown, r: Role) =>
              r.template ? (
                <Tag>{t('settings.template', { origin: r.origin ?? '' })}</Tag>
              ) : (
                <Tag color="blue">{t('settings.custom')}</Tag>
              ),
          },
          {
            key: 'permissions',
            title: t('settings.permissions'),
            render: (_: unknown, r: Role) =>
              r.permissions.includes('*') ? t('settings.allPermissions') : r.permissions.length,
          },
        ]}
      />
    </Flex>
  )
}
