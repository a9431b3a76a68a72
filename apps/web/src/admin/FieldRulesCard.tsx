import { useQuery, useQueryClient } from '@tanstack/react-query'
import { Alert, App, Button, Card, Form, Popconfirm, Radio, Select, Table, Tag, Typography } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api } from '../api/client.ts'
import { holds, useEntities, useEntityMeta, useMembership } from '../api/queries.ts'
import type { FieldMeta } from '../api/types.ts'
import { changeError, clearErrors } from './errors.ts'
import type { FieldRule } from './types.ts'

interface Values {
  entity: string
  field: string
  access: 'hidden' | 'read_only'
}

/** How a field rule names a field: custom fields of a module's entity as `custom.<key>`. */
const ruleName = (field: FieldMeta) => (field.custom ? `custom.${field.name}` : field.name)

/** A role's field masks: fields of an entity hidden from its holders, or shown but read-only. */
export function FieldRulesCard({ role }: { role: string }) {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const client = useQueryClient()
  const membership = useMembership()
  const canManage = holds(membership.data, 'kernel.access_rule:manage')
  const entities = useEntities()
  const key = ['field-rules', role]
  const rules = useQuery({
    queryKey: key,
    queryFn: () => api<{ data: FieldRule[] }>(`/access/field-rules?role=${role}`).then((r) => r.data),
  })
  const [form] = Form.useForm<Values>()
  const entity = Form.useWatch('entity', form)
  const meta = useEntityMeta(entity)
  const [error, setError] = useState<string | null>(null)

  const add = async (values: Values) => {
    setError(null)
    clearErrors(form, ['entity', 'field', 'access'])
    try {
      await api('/access/field-rules', { method: 'POST', body: { role, ...values } })
      form.resetFields()
      void message.success(t('form.saved'))
      await client.invalidateQueries({ queryKey: key })
    } catch (err) {
      setError(changeError(t, err, form, ['entity', 'field', 'access']))
    }
  }
  const remove = async (id: string) => {
    try {
      await api(`/access/field-rules/${id}`, { method: 'DELETE' })
      await client.invalidateQueries({ queryKey: key })
    } catch (err) {
      void message.error(changeError(t, err))
    }
  }
  const accessLabel = (access: string) =>
    access === 'hidden' ? t('settings.hidden') : t('settings.readOnly')

  return (
    <Card
      size="small"
      title={
        <Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>
          {t('settings.fieldRules')}
        </Typography.Title>
      }
    >
      <Typography.Paragraph type="secondary">{t('settings.fieldRulesHelp')}</Typography.Paragraph>
      <Table<FieldRule>
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
            key: 'field',
            title: t('settings.field'),
            render: (_: unknown, r: FieldRule) => <code>{r.field}</code>,
          },
          {
            key: 'access',
            title: t('settings.access'),
            render: (_: unknown, r: FieldRule) => (
              <Tag color={r.access === 'hidden' ? 'red' : 'orange'}>{accessLabel(r.access)}</Tag>
            ),
          },
          {
            key: 'actions',
            title: t('settings.actions'),
            render: (_: unknown, r: FieldRule) =>
              canManage && (
                <Popconfirm title={t('settings.deleteRuleConfirm')} onConfirm={() => void remove(r.id)}>
                  <Button size="small" danger>
                    {t('settings.delete')}
                  </Button>
                </Popconfirm>
              ),
          },
        ]}
      />
      {canManage && (
        <Form
          name="field-rule"
          form={form}
          layout="vertical"
          onFinish={add}
          initialValues={{ access: 'hidden' }}
          onValuesChange={(changed) => {
            if ('entity' in changed) form.setFieldValue('field', undefined)
          }}
          style={{ marginTop: 16 }}
        >
          {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 12 }} />}
          <Form.Item name="entity" label={t('admin.entity')} rules={[{ required: true }]}>
            <Select
              showSearch
              options={(entities.data ?? []).map((e) => ({
                value: e.key,
                label: `${e.plural_label} (${e.key})`,
              }))}
              data-testid="field-rule-entity"
            />
          </Form.Item>
          <Form.Item name="field" label={t('settings.field')} rules={[{ required: true }]}>
            <Select
              showSearch
              disabled={!entity}
              loading={meta.isFetching}
              options={(meta.data?.fields ?? []).map((f) => ({
                value: ruleName(f),
                label: `${f.label} (${ruleName(f)})`,
              }))}
              data-testid="field-rule-field"
            />
          </Form.Item>
          <Form.Item name="access" label={t('settings.access')}>
            <Radio.Group
              options={[
                { value: 'hidden', label: t('settings.hidden') },
                { value: 'read_only', label: t('settings.readOnly') },
              ]}
            />
          </Form.Item>
          <Button type="primary" htmlType="submit" data-testid="field-rule-save">
            {t('settings.addFieldRule')}
          </Button>
        </Form>
      )}
    </Card>
  )
}
