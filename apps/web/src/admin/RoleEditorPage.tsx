import { useQuery, useQueryClient } from '@tanstack/react-query'
import { Alert, App, Button, Card, Flex, Form, Input, Popconfirm, Spin, Typography } from 'antd'
import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate, useParams } from 'react-router'
import { api } from '../api/client.ts'
import { holds, useEntities, useMembership } from '../api/queries.ts'
import { ErrorPage } from '../app/ErrorPage.tsx'
import { changeError, clearErrors } from './errors.ts'
import { FieldRulesCard } from './FieldRulesCard.tsx'
import { PermissionPicker } from './PermissionPicker.tsx'
import { usePermissionCatalogue } from './queries.ts'
import { RecordRulesCard } from './RecordRulesCard.tsx'
import type { Role } from './types.ts'

interface Values {
  key: string
  name: string
  description?: string
  permissions: string[]
}

const FIELDS = ['key', 'name', 'description', 'permissions']

/**
 * One role: its name and permissions (a template is read-only), then the record rules and field
 * rules that narrow what its holders see. `/settings/roles/new` creates one.
 */
export function RoleEditorPage() {
  const { id = 'new' } = useParams()
  const creating = id === 'new'
  const { t } = useTranslation()
  const { message } = App.useApp()
  const navigate = useNavigate()
  const client = useQueryClient()
  const membership = useMembership()
  const entities = useEntities()
  const catalogue = usePermissionCatalogue()
  const role = useQuery({
    queryKey: ['role', id],
    queryFn: () => api<Role>(`/roles/${id}`),
    enabled: !creating,
  })
  const [form] = Form.useForm<Values>()
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    if (role.data) form.setFieldsValue({ ...role.data, description: role.data.description ?? '' })
  }, [role.data, form])

  if (role.isError) return <ErrorPage error={role.error} />
  if (catalogue.isError) return <ErrorPage error={catalogue.error} />
  if ((!creating && !role.data) || !catalogue.data) return <Spin />
  const template = role.data?.template ?? false
  const canSave = holds(membership.data, creating ? 'kernel.role:create' : 'kernel.role:update') && !template
  const customEntities = (entities.data ?? []).filter((e) => e.custom).map((e) => e.key)

  const save = async ({ key, description, ...values }: Values) => {
    setError(null)
    clearErrors(form, FIELDS)
    const body = { ...values, description: description || null }
    try {
      if (creating) {
        const created = await api<Role>('/roles', { method: 'POST', body: { key, ...body } })
        void message.success(t('form.saved'))
        await client.invalidateQueries({ queryKey: ['roles'] })
        navigate(`/settings/roles/${created.id}`, { replace: true })
      } else {
        const updated = await api<Role>(`/roles/${id}`, {
          method: 'PATCH',
          body,
          headers: { 'if-match': `"${role.data?.version}"` },
        })
        client.setQueryData(['role', id], updated)
        await client.invalidateQueries({ queryKey: ['roles'] })
        void message.success(t('form.saved'))
      }
    } catch (err) {
      setError(changeError(t, err, form, FIELDS))
    }
  }
  const remove = async () => {
    try {
      await api(`/roles/${id}`, { method: 'DELETE' })
      await client.invalidateQueries({ queryKey: ['roles'] })
      navigate('/settings/roles')
    } catch (err) {
      setError(changeError(t, err))
    }
  }

  return (
    <Flex vertical gap="middle">
      <Link to="/settings/roles">← {t('settings.rolesTitle')}</Link>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        {creating ? t('settings.newRole') : role.data?.name}
      </Typography.Title>
      {template && <Alert type="info" showIcon title={t('settings.templateReadOnly')} />}
      <Card size="small">
        {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 12 }} />}
        <Form
          name="role"
          form={form}
          layout="vertical"
          onFinish={save}
          disabled={!canSave}
          initialValues={{ key: '', name: '', description: '', permissions: [] }}
        >
          <Form.Item
            name="key"
            label={t('admin.key')}
            rules={[{ required: creating }]}
            extra={t('settings.roleKeyHelp')}
          >
            <Input disabled={!creating} autoComplete="off" data-testid="role-key" />
          </Form.Item>
          <Form.Item name="name" label={t('settings.roleName')} rules={[{ required: true }]}>
            <Input autoComplete="off" data-testid="role-name" />
          </Form.Item>
          <Form.Item name="description" label={t('settings.description')}>
            <Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} />
          </Form.Item>
          <Form.Item name="permissions" label={t('settings.permissions')}>
            <PermissionPicker catalogue={catalogue.data} customEntities={customEntities} />
          </Form.Item>
          {canSave && (
            <Flex gap={8} wrap>
              <Button type="primary" htmlType="submit" data-testid="role-save">
                {t('form.save')}
              </Button>
              {!creating && holds(membership.data, 'kernel.role:delete') && (
                <Popconfirm title={t('settings.deleteRoleConfirm')} onConfirm={() => void remove()}>
                  <Button danger data-testid="role-delete">
                    {t('settings.delete')}
                  </Button>
                </Popconfirm>
              )}
            </Flex>
          )}
        </Form>
      </Card>
      {role.data && holds(membership.data, 'kernel.access_rule:read') && (
        <>
          <RecordRulesCard role={role.data.key} />
          <FieldRulesCard role={role.data.key} />
        </>
      )}
    </Flex>
  )
}
