import { useQueryClient } from '@tanstack/react-query'
import { Alert, App, Button, Card, Col, Flex, Form, Input, Popconfirm, Row, Select } from 'antd'
import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { ApiError, api } from '../api/client.ts'
import { useEntityMeta } from '../api/queries.ts'
import type { CustomField, EntityMeta } from '../api/types.ts'
import { refreshDefinitions } from './custom-definitions.ts'
import { changeError, clearErrors } from './errors.ts'

interface Values {
  label: string
  plural_label: string
  description?: string
  display_field?: string | null
  kanban?: string | null
  calendar?: string | null
}

const FIELDS = ['label', 'plural_label', 'description', 'display_field', 'kanban', 'calendar']
const ALIAS = { 'layout.kanban': 'kanban', 'layout.calendar': 'calendar' }
/** The types that may name a custom entity's records (the kernel's checkDisplayField). */
const DISPLAY_TYPES = new Set(['text', 'email', 'phone', 'url', 'integer', 'select', 'date'])

const valuesOf = (meta: EntityMeta): Values => ({
  label: meta.label,
  plural_label: meta.plural_label,
  description: meta.description ?? '',
  display_field: meta.display_field,
  kanban: meta.layout.kanban,
  calendar: meta.layout.calendar,
})

/**
 * A custom entity's own settings: its names, what names its records, what its board groups by and
 * its calendar shows (If-Match on the version read); and deleting it, which the server refuses
 * while it has records.
 */
export function CustomEntitySettingsCard({
  entity,
  fields,
  onDeleted,
}: {
  entity: string
  fields: readonly CustomField[]
  onDeleted: () => void
}) {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const client = useQueryClient()
  const meta = useEntityMeta(entity)
  const [form] = Form.useForm<Values>()
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    if (meta.data) form.setFieldsValue(valuesOf(meta.data))
  }, [meta.data, form])
  if (!meta.data) return null
  const current = meta.data
  const live = fields.filter((f) => !f.removed_at)
  const choices = (types: readonly string[]) =>
    live.filter((f) => types.includes(f.type)).map((f) => ({ value: f.key, label: f.label }))
  const kanbanChoices = [
    ...(current.states.length > 0 ? [{ value: 'state', label: t('admin.stateField') }] : []),
    ...choices(['select']),
  ]

  const save = async ({ label, plural_label, description, display_field, kanban, calendar }: Values) => {
    setError(null)
    clearErrors(form, FIELDS)
    const layoutChanged = kanban !== current.layout.kanban || calendar !== current.layout.calendar
    const body = {
      label,
      plural_label,
      description: description?.trim() || null,
      display_field: display_field ?? null,
      // a merge patch: only the hints edited here change (null clears one); sections and list
      // columns set through the API stay
      ...(layoutChanged ? { layout: { kanban: kanban ?? null, calendar: calendar ?? null } } : {}),
    }
    try {
      await api(`/meta/entities/${encodeURIComponent(entity)}`, {
        method: 'PATCH',
        body,
        headers: { 'if-match': `"${current.version}"` },
      })
      await refreshDefinitions(client, entity)
      void message.success(t('form.saved'))
    } catch (err) {
      setError(changeError(t, err, form, FIELDS, ALIAS))
      if (err instanceof ApiError && err.code === 'version_conflict')
        await client.invalidateQueries({ queryKey: ['entity', entity] })
    }
  }
  const remove = async () => {
    setError(null)
    try {
      await api(`/meta/entities/${encodeURIComponent(entity)}`, { method: 'DELETE' })
      void message.success(t('admin.entityDeleted', { label: current.plural_label }))
      onDeleted()
      await client.invalidateQueries()
    } catch (err) {
      setError(changeError(t, err))
    }
  }

  return (
    <Card title={t('admin.entitySettings', { label: current.plural_label })} size="small">
      {error && (
        <Alert
          type="error"
          showIcon
          title={error}
          role="alert"
          style={{ marginBottom: 12 }}
          data-testid="entity-settings-error"
        />
      )}
      <Form name="custom-entity-settings" form={form} layout="vertical" onFinish={save}>
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item
              name="label"
              label={t('admin.entityLabel')}
              rules={[{ required: true, whitespace: true }]}
            >
              <Input autoComplete="off" data-testid="entity-settings-label" />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item
              name="plural_label"
              label={t('admin.pluralLabel')}
              rules={[{ required: true, whitespace: true }]}
            >
              <Input autoComplete="off" data-testid="entity-settings-plural" />
            </Form.Item>
          </Col>
          <Col xs={24}>
            <Form.Item name="description" label={t('settings.description')}>
              <Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="display_field" label={t('admin.displayField')}>
              <Select
                allowClear
                options={choices([...DISPLAY_TYPES])}
                data-testid="entity-settings-display"
              />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="kanban" label={t('admin.kanbanField')} extra={t('admin.kanbanHelp')}>
              <Select options={kanbanChoices} data-testid="entity-settings-kanban" />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="calendar" label={t('admin.calendarField')} extra={t('admin.calendarHelp')}>
              <Select options={choices(['date', 'datetime'])} data-testid="entity-settings-calendar" />
            </Form.Item>
          </Col>
        </Row>
        <Flex gap={8} wrap>
          <Button type="primary" htmlType="submit" data-testid="entity-settings-save">
            {t('form.save')}
          </Button>
          <Popconfirm
            title={t('admin.deleteEntityConfirm', { label: current.plural_label })}
            description={t('admin.deleteEntityHelp')}
            okText={t('settings.delete')}
            okButtonProps={{ danger: true }}
            cancelText={t('form.cancel')}
            onConfirm={remove}
          >
            <Button danger data-testid="entity-delete">
              {t('admin.deleteEntity')}
            </Button>
          </Popconfirm>
        </Flex>
      </Form>
    </Card>
  )
}
