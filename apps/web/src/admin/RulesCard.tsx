import { useQuery, useQueryClient } from '@tanstack/react-query'
import {
  Alert,
  App,
  Button,
  Card,
  Flex,
  Form,
  type FormInstance,
  type FormProps,
  Popconfirm,
  Table,
  type TableColumnsType,
  Typography,
} from 'antd'
import { type ReactNode, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api } from '../api/client.ts'
import { holds, useMembership } from '../api/queries.ts'
import { changeError, clearErrors } from './errors.ts'

interface Rule {
  id: string
}

/**
 * A role's rules of one kind (/access/record-rules or /access/field-rules): the list, and one form
 * that adds a rule or, after Edit, changes that rule. The server validates a changed rule again as a
 * whole; its complaints land on the form's fields.
 */
export function useRoleRules<T extends Rule, V extends object>(
  kind: 'record-rules' | 'field-rules',
  role: string,
  fields: readonly string[],
) {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const client = useQueryClient()
  const key = [kind, role]
  const rules = useQuery({
    queryKey: key,
    queryFn: () => api<{ data: T[] }>(`/access/${kind}?role=${role}`).then((r) => r.data),
  })
  const [form] = Form.useForm<V>()
  const [editing, setEditing] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)

  const cancel = () => {
    setEditing(null)
    setError(null)
    form.resetFields()
  }
  /** `created` is the body of a new rule, `changed` of a PATCH to the rule being edited. */
  const save = async (created: object, changed: object = created) => {
    setError(null)
    clearErrors(form, fields)
    try {
      if (editing) await api(`/access/${kind}/${editing}`, { method: 'PATCH', body: changed })
      else await api(`/access/${kind}`, { method: 'POST', body: { role, ...created } })
      cancel()
      void message.success(t('form.saved'))
      await client.invalidateQueries({ queryKey: key })
    } catch (err) {
      setError(changeError(t, err, form, fields))
    }
  }
  const edit = (rule: T, values: Parameters<FormInstance<V>['setFieldsValue']>[0]) => {
    setEditing(rule.id)
    setError(null)
    clearErrors(form, fields)
    form.setFieldsValue(values)
  }
  const remove = async (rule: T) => {
    try {
      await api(`/access/${kind}/${rule.id}`, { method: 'DELETE' })
      if (editing === rule.id) cancel()
      await client.invalidateQueries({ queryKey: key })
    } catch (err) {
      void message.error(changeError(t, err))
    }
  }
  return { rules, form, editing, error, save, edit, remove, cancel }
}

interface Props<T extends Rule, V extends object> {
  title: string
  help: string
  /** what useRoleRules gave the card */
  state: ReturnType<typeof useRoleRules<T, V>>
  columns: TableColumnsType<T>
  /** fills the form with a rule's values to change it */
  onEdit(rule: T): void
  /** the form's name (its id in the page) and its own props; the fields are the children */
  form: Omit<FormProps<V>, 'form' | 'layout'> & { name: string }
  addLabel: string
  /** prefix of the test ids: `<prefix>-save`, `<prefix>-edit`, … */
  testId: string
  children: ReactNode
}

/** The card both rule kinds share: title, help, the table with Edit and Delete, and the form. */
export function RulesCard<T extends Rule, V extends object>({
  title,
  help,
  state,
  columns,
  onEdit,
  form,
  addLabel,
  testId,
  children,
}: Props<T, V>) {
  const { t } = useTranslation()
  const membership = useMembership()
  const canManage = holds(membership.data, 'kernel.access_rule:manage')
  const { rules, editing, error } = state
  const actions: TableColumnsType<T> = canManage
    ? [
        {
          key: 'actions',
          title: t('settings.actions'),
          render: (_: unknown, r: T) => (
            <Flex gap={4} wrap>
              <Button size="small" onClick={() => onEdit(r)} data-testid={`${testId}-edit`}>
                {t('settings.edit')}
              </Button>
              <Popconfirm title={t('settings.deleteRuleConfirm')} onConfirm={() => void state.remove(r)}>
                <Button size="small" danger>
                  {t('settings.delete')}
                </Button>
              </Popconfirm>
            </Flex>
          ),
        },
      ]
    : []

  return (
    <Card
      size="small"
      title={
        <Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>
          {title}
        </Typography.Title>
      }
    >
      <Typography.Paragraph type="secondary">{help}</Typography.Paragraph>
      <Table<T>
        rowKey="id"
        size="small"
        loading={rules.isPending}
        dataSource={rules.data ?? []}
        pagination={false}
        scroll={{ x: true }}
        rowClassName={(r) => (r.id === editing ? 'ant-table-row-selected' : '')}
        locale={{ emptyText: <Typography.Text type="secondary">{t('settings.noRules')}</Typography.Text> }}
        columns={[...columns, ...actions]}
      />
      {canManage && (
        <Form<V> {...form} form={state.form} layout="vertical" style={{ marginTop: 16 }}>
          {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 12 }} />}
          {children}
          <Flex gap={8}>
            <Button type="primary" htmlType="submit" data-testid={`${testId}-save`}>
              {editing ? t('form.save') : addLabel}
            </Button>
            {editing && (
              <Button onClick={state.cancel} data-testid={`${testId}-cancel`}>
                {t('form.cancel')}
              </Button>
            )}
          </Flex>
        </Form>
      )}
    </Card>
  )
}
