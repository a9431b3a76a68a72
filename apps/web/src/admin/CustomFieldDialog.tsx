import { useQueryClient } from '@tanstack/react-query'
import { Alert, App, type ButtonProps, Checkbox, Col, Form, Input, Modal, Row } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { ApiError, api } from '../api/client.ts'
import type { CustomField } from '../api/types.ts'
import { BOUNDED_TYPES, boundOf, OPTION_TYPES, optionsOf, refreshDefinitions } from './custom-definitions.ts'
import { changeError, clearErrors } from './errors.ts'

interface Values {
  label: string
  description?: string
  required?: boolean
  searchable?: boolean
  options?: string
  min?: string
  max?: string
}

const FIELDS = ['label', 'description', 'required', 'searchable', 'options', 'min', 'max']
const text = (bound: number | string | null) => (bound === null ? '' : String(bound))

/**
 * Changes one custom field's definition, saying which version was read (If-Match): its key and
 * type never change, so only what the API lets change is offered, and min/max or options only
 * where the type has them.
 */
export function CustomFieldDialog({
  entity,
  field,
  onClose,
}: {
  entity: string
  field: CustomField
  onClose: () => void
}) {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const client = useQueryClient()
  const [form] = Form.useForm<Values>()
  const [error, setError] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)
  const bounded = BOUNDED_TYPES.has(field.type)
  const withOptions = OPTION_TYPES.has(field.type)

  const save = async ({ label, description, required, searchable, options, min, max }: Values) => {
    setError(null)
    clearErrors(form, FIELDS)
    setSaving(true)
    const body = {
      label,
      description: description?.trim() || null,
      required: required === true,
      searchable: searchable === true,
      ...(withOptions ? { options: optionsOf(options) } : {}),
      ...(bounded ? { min: boundOf(min), max: boundOf(max) } : {}),
    }
    try {
      await api(`/meta/entities/${encodeURIComponent(entity)}/fields/${field.key}`, {
        method: 'PATCH',
        body,
        headers: { 'if-match': `"${field.version}"` },
      })
      await refreshDefinitions(client, entity)
      void message.success(t('form.saved'))
      onClose()
    } catch (err) {
      setError(changeError(t, err, form, FIELDS))
      // the list then holds the newer version, for the next attempt after a reload of the dialog
      if (err instanceof ApiError && err.code === 'version_conflict')
        await client.invalidateQueries({ queryKey: ['custom-fields', entity] })
    } finally {
      setSaving(false)
    }
  }

  return (
    <Modal
      open
      title={t('admin.editFieldOf', { label: field.label })}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('form.save')}
      cancelText={t('form.cancel')}
      confirmLoading={saving}
      okButtonProps={{ 'data-testid': 'field-edit-save' } as ButtonProps}
    >
      {error && (
        <Alert
          type="error"
          showIcon
          title={error}
          role="alert"
          style={{ marginBottom: 12 }}
          data-testid="field-edit-error"
        />
      )}
      <Form
        name="custom-field-edit"
        form={form}
        layout="vertical"
        onFinish={save}
        initialValues={{
          label: field.label,
          description: field.description ?? '',
          required: field.required,
          searchable: field.searchable,
          options: (field.options ?? []).join('\n'),
          min: text(field.min),
          max: text(field.max),
        }}
      >
        <Form.Item
          name="label"
          label={t('admin.label')}
          rules={[{ required: true, whitespace: true }]}
          extra={t('admin.keyAndTypeFixed', { key: field.key, type: field.type })}
        >
          <Input autoComplete="off" data-testid="field-edit-label" />
        </Form.Item>
        <Form.Item name="description" label={t('settings.description')}>
          <Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} data-testid="field-edit-description" />
        </Form.Item>
        {withOptions && (
          <Form.Item name="options" label={t('admin.options')} rules={[{ required: true }]}>
            <Input.TextArea autoSize={{ minRows: 3 }} data-testid="field-edit-options" />
          </Form.Item>
        )}
        {bounded && (
          <Row gutter={16}>
            <Col xs={12}>
              <Form.Item name="min" label={t('admin.min')}>
                <Input inputMode="decimal" autoComplete="off" data-testid="field-edit-min" />
              </Form.Item>
            </Col>
            <Col xs={12}>
              <Form.Item name="max" label={t('admin.max')}>
                <Input inputMode="decimal" autoComplete="off" data-testid="field-edit-max" />
              </Form.Item>
            </Col>
          </Row>
        )}
        <Form.Item name="required" valuePropName="checked" style={{ marginBottom: 4 }}>
          <Checkbox data-testid="field-edit-required">{t('admin.required')}</Checkbox>
        </Form.Item>
        <Form.Item name="searchable" valuePropName="checked">
          <Checkbox>{t('admin.searchable')}</Checkbox>
        </Form.Item>
      </Form>
    </Modal>
  )
}
