import { useQuery, useQueryClient } from '@tanstack/react-query'
import {
  Alert,
  App,
  Button,
  type ButtonProps,
  Card,
  Form,
  Input,
  Modal,
  Popconfirm,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { api } from '../api/client.ts'
import { holds, useMembership } from '../api/queries.ts'
import { ErrorPage } from '../app/ErrorPage.tsx'
import { useSession } from '../auth/session.tsx'
import { ExplainAccessCard } from './ExplainAccessCard.tsx'
import { changeError, clearErrors } from './errors.ts'
import { useRoles } from './queries.ts'
import type { Member } from './types.ts'

interface Invite {
  email: string
  name?: string
  roles: string[]
}

/** The tenant's members: invite by email, change their roles, disable or enable their login. */
export function MembersPage() {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const client = useQueryClient()
  const { me } = useSession()
  const membership = useMembership()
  const canUpdate = holds(membership.data, 'kernel.member:update')
  const canManage = holds(membership.data, 'kernel.member:manage')
  const members = useQuery({
    queryKey: ['members'],
    queryFn: () => api<{ data: Member[] }>('/members').then((r) => r.data),
  })
  const roles = useRoles(holds(membership.data, 'kernel.role:read'))
  const roleOptions = (roles.data ?? []).map((r) => ({ value: r.key, label: `${r.name} (${r.key})` }))
  const [form] = Form.useForm<Invite>()
  const [error, setError] = useState<string | null>(null)
  const [editing, setEditing] = useState<Member | null>(null)

  const invite = async ({ name, ...values }: Invite) => {
    setError(null)
    clearErrors(form, ['email', 'name', 'roles'])
    try {
      await api('/members', { method: 'POST', body: { ...values, ...(name ? { name } : {}) } })
      void message.success(t('settings.invited', { email: values.email }))
      form.resetFields()
      await client.invalidateQueries({ queryKey: ['members'] })
    } catch (err) {
      setError(changeError(t, err, form, ['email', 'name', 'roles']))
    }
  }
  const setStatus = async (member: Member, action: 'disable' | 'enable') => {
    try {
      await api(`/users/${member.user_id}/actions/${action}`, { method: 'POST' })
      await client.invalidateQueries({ queryKey: ['members'] })
    } catch (err) {
      void message.error(changeError(t, err))
    }
  }

  if (members.isError) return <ErrorPage error={members.error} />
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        {t('settings.membersTitle')}
      </Typography.Title>
      {canUpdate && (
        <Card size="small" title={t('settings.invite')}>
          {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 12 }} />}
          <Form
            name="invite"
            form={form}
            layout="vertical"
            onFinish={invite}
            initialValues={{ roles: ['user'] }}
          >
            <Form.Item name="email" label={t('auth.email')} rules={[{ required: true }]}>
              <Input type="email" autoComplete="off" data-testid="invite-email" />
            </Form.Item>
            <Form.Item name="name" label={t('settings.memberName')}>
              <Input autoComplete="off" />
            </Form.Item>
            <Form.Item name="roles" label={t('admin.roles')} rules={[{ required: true }]}>
              <Select mode="multiple" options={roleOptions} data-testid="invite-roles" />
            </Form.Item>
            <Button type="primary" htmlType="submit" data-testid="invite-submit">
              {t('settings.sendInvitation')}
            </Button>
          </Form>
        </Card>
      )}
      {canUpdate && holds(membership.data, 'kernel.role:read') && (
        <Link to="/settings/roles">{t('settings.rolesTitle')} →</Link>
      )}
      <Table<Member>
        rowKey="id"
        size="small"
        loading={members.isPending}
        dataSource={members.data ?? []}
        pagination={false}
        scroll={{ x: true }}
        columns={[
          { key: 'name', title: t('settings.memberName'), dataIndex: 'name' },
          { key: 'email', title: t('auth.email'), dataIndex: 'email' },
          {
            key: 'roles',
            title: t('admin.roles'),
            render: (_: unknown, m: Member) => m.roles.map((r) => <Tag key={r}>{r}</Tag>),
          },
          {
            key: 'status',
            title: t('settings.status'),
            render: (_: unknown, m: Member) =>
              m.status === 'active' ? (
                <Tag>{t('settings.statusActive')}</Tag>
              ) : (
                <Tag color="error">{t('settings.statusDisabled')}</Tag>
              ),
          },
          {
            key: 'actions',
            title: t('settings.actions'),
            render: (_: unknown, m: Member) => (
              <Space wrap>
                {canUpdate && (
                  <Button
                    size="small"
                    onClick={() => setEditing(m)}
                    aria-label={t('settings.editRolesOf', { name: m.name })}
                  >
                    {t('settings.editRoles')}
                  </Button>
                )}
                {canManage &&
                  m.user_id !== me?.user.id &&
                  (m.status === 'active' ? (
                    <Popconfirm
                      title={t('settings.disableConfirm')}
                      onConfirm={() => void setStatus(m, 'disable')}
                    >
                      <Button size="small" danger aria-label={t('settings.disableWho', { name: m.name })}>
                        {t('settings.disable')}
                      </Button>
                    </Popconfirm>
                  ) : (
                    <Button
                      size="small"
                      onClick={() => void setStatus(m, 'enable')}
                      aria-label={t('settings.enableWho', { name: m.name })}
                    >
                      {t('settings.enable')}
                    </Button>
                  ))}
              </Space>
            ),
          },
        ]}
      />
      {holds(membership.data, 'kernel.access:explain') && members.data && (
        <ExplainAccessCard members={members.data} />
      )}
      {editing && (
        <MemberRolesDialog member={editing} options={roleOptions} onClose={() => setEditing(null)} />
      )}
    </Space>
  )
}

/** Changes one member's roles, saying which version was read (If-Match). */
function MemberRolesDialog({
  member,
  options,
  onClose,
}: {
  member: Member
  options: { value: string; label: string }[]
  onClose: () => void
}) {
  const { t } = useTranslation()
  const client = useQueryClient()
  const [form] = Form.useForm<{ roles: string[] }>()
  const [error, setError] = useState<string | null>(null)
  const save = async (values: { roles: string[] }) => {
    setError(null)
    try {
      await api(`/members/${member.id}`, {
        method: 'PATCH',
        body: values,
        headers: { 'if-match': `"${member.version}"` },
      })
      await client.invalidateQueries({ queryKey: ['members'] })
      onClose()
    } catch (err) {
      setError(changeError(t, err, form, ['roles']))
    }
  }
  return (
    <Modal
      open
      title={t('settings.editRolesOf', { name: member.name })}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('form.save')}
      cancelText={t('form.cancel')}
      okButtonProps={{ 'data-testid': 'member-roles-save' } as ButtonProps}
    >
      {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 12 }} />}
      <Form
        name="member-roles"
        form={form}
        layout="vertical"
        onFinish={save}
        initialValues={{ roles: member.roles }}
      >
        <Form.Item name="roles" label={t('admin.roles')} rules={[{ required: true }]}>
          <Select mode="multiple" options={options} data-testid="member-roles" />
        </Form.Item>
      </Form>
    </Modal>
  )
}
