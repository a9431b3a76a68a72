import { DeleteOutlined, PlusOutlined } from '@ant-design/icons'
import { useQueryClient } from '@tanstack/react-query'
import { Alert, App, Button, Card, Col, Form, Input, Row, Select, Space } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useNavigate } from 'react-router'
import { api } from '../api/client.ts'
import { applyErrors } from '../api/form-errors.ts'
import { FIELD_TYPES, keyOf } from './field-types.ts'

interface Values {
  label: string
  plural_label: string
  name: string
  fields?: { label: string; type: string }[]
}

/** A new custom entity with its first fields, served at once under /api/v1/custom/… and in the menu. */
export function CustomEntityForm() {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const navigate = useNavigate()
  const client = useQueryClient()
  const [form] = Form.useForm<Values>()
  const [error, setError] = useState<string | null>(null)
  const create = async ({ fields = [], ...values }: Values) => {
    setError(null)
    try {
      const body = {
        ...values,
        fields: fields.map((f) => ({ key: keyOf(f.label), label: f.label, type: f.type })),
        ...(fields[0] ? { display_field: keyOf(fields[0].label) } : {}),
      }
      const entity = await api<{ key: string }>('/meta/entities', { method: 'POST', body })
      void message.success(t('admin.entityCreated'))
      await client.invalidateQueries()
      navigate(`/e/${entity.key}`)
    } catch (err) {
      setError(applyErrors(form, err, ['label', 'plural_label', 'name', 'fields']))
    }
  }
  return (
    <Card title={t('admin.newEntity')} size="small">
      {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 12 }} />}
      <Form
        form={form}
        layout="vertical"
        onFinish={create}
        initialValues={{ fields: [{ label: '', type: 'text' }] }}
        onValuesChange={(changed: Partial<Values>) => {
          if (changed.label !== undefined && !form.isFieldTouched('name'))
            form.setFieldValue('name', keyOf(changed.label))
        }}
      >
        <Row gutter={16}>
          <Col xs={24} md={8}>
            <Form.Item name="label" label={t('admin.entityLabel')} rules={[{ required: true }]}>
              <Input data-testid="entity-label" />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="plural_label" label={t('admin.pluralLabel')} rules={[{ required: true }]}>
              <Input data-testid="entity-plural" />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="name" label={t('admin.key')} rules={[{ required: true }]}>
              <Input data-testid="entity-name" />
            </Form.Item>
          </Col>
        </Row>
        <Form.List name="fields">
          {(rows, { add, remove }) => (
            <>
              {rows.map((row, index) => (
                <Space key={row.key} align="baseline" wrap>
                  <Form.Item
                    name={[row.name, 'label']}
                    label={`${t('admin.label')} ${index + 1}`}
                    rules={[{ required: true }]}
                  >
                    <Input data-testid={`entity-field-${index}`} />
                  </Form.Item>
                  <Form.Item name={[row.name, 'type']} label={`${t('admin.type')} ${index + 1}`}>
                    <Select
                      options={FIELD_TYPES.filter((x) => x !== 'reference').map((x) => ({
                        value: x,
                        label: x,
                      }))}
                      style={{ width: 140 }}
                    />
                  </Form.Item>
                  <Button
                    type="text"
                    icon={<DeleteOutlined />}
                    aria-label={`${t('form.removeLine')} ${index + 1}`}
                    onClick={() => remove(row.name)}
                  />
                </Space>
              ))}
              <Form.Item>
                <Button icon={<PlusOutlined />} onClick={() => add({ label: '', type: 'text' })}>
                  {t('admin.addFieldRow')}
                </Button>
              </Form.Item>
            </>
          )}
        </Form.List>
        <Button type="primary" htmlType="submit" data-testid="entity-create">
          {t('admin.createEntity')}
        </Button>
      </Form>
    </Card>
  )
}
