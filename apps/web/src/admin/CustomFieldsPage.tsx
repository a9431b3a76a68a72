import { useQuery, useQueryClient } from '@tanstack/react-query'
import { Alert, App, Button, Card, Checkbox, Col, Form, Input, Row, Select, Space, Typography } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api } from '../api/client.ts'
import { applyErrors } from '../api/form-errors.ts'
import { useEntities } from '../api/queries.ts'
import type { CustomField } from '../api/types.ts'
import { CustomEntityForm } from './CustomEntityForm.tsx'
import { CustomEntitySettingsCard } from './CustomEntitySettingsCard.tsx'
import { CustomFieldsTable } from './CustomFieldsTable.tsx'
import { refreshDefinitions } from './custom-definitions.ts'
import { FIELD_TYPES, keyOf } from './field-types.ts'

interface Values {
  label: string
  key: string
  type: string
  required?: boolean
  options?: string
  target?: string
}

/**
 * The no-code promise: add, change, remove and restore the fields of any entity, and set a custom
 * entity's names and views; its forms and lists show the change at once.
 */
export function CustomFieldsPage() {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const client = useQueryClient()
  const entities = useEntities()
  const [entity, setEntity] = useState<string | undefined>()
  const [form] = Form.useForm<Values>()
  const [error, setError] = useState<string | null>(null)
  const type = Form.useWatch('type', form)
  const chosen = entity ?? entities.data?.[0]?.key
  const fields = useQuery({
    queryKey: ['custom-fields', chosen],
    queryFn: () => api<{ data: CustomField[] }>(`/meta/entities/${chosen}/fields`).then((r) => r.data),
    enabled: chosen !== undefined,
  })

  const add = async ({ options, target, required, ...values }: Values) => {
    setError(null)
    try {
      await api(`/meta/entities/${chosen}/fields`, {
        method: 'POST',
        body: {
          ...values,
          ...(required ? { required } : {}),
          ...(options
            ? {
                options: options
                  .split('\n')
                  .map((o) => o.trim())
                  .filter(Boolean),
              }
            : {}),
          ...(target ? { target } : {}),
        },
      })
      void message.success(t('admin.fieldAdded'))
      form.resetFields()
      await refreshDefinitions(client, chosen as string)
    } catch (err) {
      setError(applyErrors(form, err, ['label', 'key', 'type', 'required', 'options', 'target']))
    }
  }

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        {t('admin.customFieldsTitle')}
      </Typography.Title>
      <Select
        aria-label={t('admin.entity')}
        value={chosen}
        onChange={setEntity}
        options={(entities.data ?? []).map((e) => ({ value: e.key, label: `${e.plural_label} (${e.key})` }))}
        style={{ minWidth: 280 }}
        data-testid="custom-field-entity"
      />
      <Card size="small">
        {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 12 }} />}
        <Form
          form={form}
          layout="vertical"
          onFinish={add}
          initialValues={{ type: 'text' }}
          onValuesChange={(changed: Partial<Values>) => {
            if (changed.label !== undefined && !form.isFieldTouched('key'))
              form.setFieldValue('key', keyOf(changed.label))
          }}
        >
          <Row gutter={16}>
            <Col xs={24} md={8}>
              <Form.Item name="label" label={t('admin.label')} rules={[{ required: true }]}>
                <Input data-testid="custom-field-label" />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item name="key" label={t('admin.key')} rules={[{ required: true }]}>
                <Input data-testid="custom-field-key" />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item name="type" label={t('admin.type')} rules={[{ required: true }]}>
                <Select
                  options={FIELD_TYPES.map((x) => ({ value: x, label: x }))}
                  data-testid="custom-field-type"
                />
              </Form.Item>
            </Col>
            {(type === 'select' || type === 'multi_select') && (
              <Col xs={24} md={12}>
                <Form.Item name="options" label={t('admin.options')} rules={[{ required: true }]}>
                  <Input.TextArea autoSize={{ minRows: 3 }} />
                </Form.Item>
              </Col>
            )}
            {type === 'reference' && (
              <Col xs={24} md={12}>
                <Form.Item name="target" label={t('admin.entity')} rules={[{ required: true }]}>
                  <Select options={(entities.data ?? []).map((e) => ({ value: e.key, label: e.label }))} />
                </Form.Item>
              </Col>
            )}
            <Col xs={24} md={12}>
              <Form.Item name="required" valuePropName="checked">
                <Checkbox>{t('admin.required')}</Checkbox>
              </Form.Item>
            </Col>
          </Row>
          <Button type="primary" htmlType="submit" data-testid="custom-field-add">
            {t('admin.addField')}
          </Button>
        </Form>
      </Card>
      {chosen !== undefined && (
        <CustomFieldsTable entity={chosen} fields={fields.data ?? []} loading={fields.isPending} />
      )}
      {chosen?.startsWith('custom.') && (
        <CustomEntitySettingsCard
          key={chosen}
          entity={chosen}
          fields={fields.data ?? []}
          onDeleted={() => setEntity(undefined)}
        />
      )}
      <CustomEntityForm />
    </Space>
  )
}
