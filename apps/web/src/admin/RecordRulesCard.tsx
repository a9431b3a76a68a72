import { useQuery, useQueryClient } from '@tanstack/react-query'
import { Alert, App, Button, Card, Flex, Form, Input, Popconfirm, Select, Table, Typography } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api } from '../api/client.ts'
import { holds, useEntities, useMembership } from '../api/queries.ts'
import { changeError, clearErrors } from './errors.ts'
import type { RecordRule } from './types.ts'

interface Values {
  entity: string
  filter: string
  description?: string
}

/**
 * A role's record rules: the rows of an entity its holders may see, as a filter in the kernel's
 * filter language (`owner_id = $user.id`). The server checks the filter against the entity's
 * fields when saved; its complaint is shown on the filter field.
 */
export function RecordRulesCard({ role }: { role: string }) {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const client = useQueryClient()
  const membership = useMembership()
  const canManage = holds(membership.data, 'kernel.access_rule:manage')
  const entities = useEntities()
  const key = ['record-rules', role]
  const rules = useQuery({
    queryKey: key,
    queryFn: () => api<{ data: RecordRule[] }>(`/access/record-rules?role=${role}`).then((r) => r.data),
  })
  const [form] = Form.useForm<Values>()
  const [editing, setEditing] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)

  const save = async ({ description, ...values }: Values) => {
    setError(null)
    clearErrors(form, ['entity', 'filter', 'description'])
    const body = { ...values, ...(description ? { description } : {}) }
    try {
      if (editing)
        await api(`/access/record-rules/${editing}`, {
          method: 'PATCH',
          body: { ...body, description: description || null },
        })
      else await api('/access/record-rules', { method: 'POST', body: { role, ...body } })
      form.resetFields()
      setEditing(null)
      void message.success(t('form.saved'))
      await client.invalidateQueries({ queryKey: key })
    } catch (err) {
      setError(changeError(t, err, form, ['entity', 'filter', 'description']))
    }
  }
  const edit = (rule: RecordRule) => {
    setEditing(rule.id)
    form.setFieldsValue({ entity: rule.entity, filter: rule.filter, description: rule.description ?? '' })
  }
  const remove = async (id: string) => {
    try {
      await api(`/access/record-rules/${id}`, { method: 'DELETE' })
      await client.invalidateQueries({ queryKey: key })
    } catch (err) {
      void message.error(changeError(t, err))
    }
  }

  return (
    <Card
      size="small"
      title={
        <Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>
          {t('settings.recordRules')}
        </Typography.Title>
      }
    >
      <Typography.Paragraph type="secondary">{t('settings.recordRulesHelp')}</Typography.Paragraph>
      <Table<RecordRule>
        rowKey="id"
        size="small"
        loading={rules.isPending}
        dataSource={rules.data ?? []}
        pagination={false}
        scroll={{ x: true }}
        locale={{ emptyText: <Typography.Text type="secondary">{t('settings.noRules')}</Typography.Text> }}
        columns={[
          { key: 'entity', title: t('admin.entity'), dataIndex: 'entity' },
          {
            key: 'filter',
            title: t('settings.filter'),
            render: (_: unknown, r: RecordRule) => <code>{r.filter}</code>,
          },
          { key: 'description', title: t('settings.description'), dataIndex: 'description' },
          {
            key: 'actions',
            title: t('settings.actions'),
            render: (_: unknown, r: RecordRule) =>
              canManage && (
                <Flex gap={4} wrap>
                  <Button size="small" onClick={() => edit(r)}>
                    {t('settings.edit')}
                  </Button>
                  <Popconfirm title={t('settings.deleteRuleConfirm')} onConfirm={() => void remove(r.id)}>
                    <Button size="small" danger>
                      {t('settings.delete')}
                    </Button>
                  </Popconfirm>
                </Flex>
              ),
          },
        ]}
      />
      {canManage && (
        <Form name="record-rule" form={form} layout="vertical" onFinish={save} style={{ marginTop: 16 }}>
          {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 12 }} />}
          <Form.Item name="entity" label={t('admin.entity')} rules={[{ required: true }]}>
            <Select
              showSearch
              options={(entities.data ?? []).map((e) => ({
                value: e.key,
                label: `${e.plural_label} (${e.key})`,
              }))}
              data-testid="record-rule-entity"
            />
          </Form.Item>
          <Form.Item
            name="filter"
            label={t('settings.filter')}
            rules={[{ required: true }]}
            extra={t('settings.filterHelp')}
          >
            <Input.TextArea
              autoSize={{ minRows: 1, maxRows: 6 }}
              spellCheck={false}
              data-testid="record-rule-filter"
            />
          </Form.Item>
          <Form.Item name="description" label={t('settings.description')}>
            <Input autoComplete="off" />
          </Form.Item>
          <Flex gap={8}>
            <Button type="primary" htmlType="submit" data-testid="record-rule-save">
              {editing ? t('form.save') : t('settings.addRecordRule')}
            </Button>
            {editing && (
              <Button
                onClick={() => {
                  setEditing(null)
                  form.resetFields()
                }}
              >
                {t('form.cancel')}
              </Button>
            )}
          </Flex>
        </Form>
      )}
    </Card>
  )
}
