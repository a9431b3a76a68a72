import { useQueryClient } from '@tanstack/react-query'
import { App, Button, Flex, Popconfirm, Space, Switch, Table, Tag } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api } from '../api/client.ts'
import type { CustomField } from '../api/types.ts'
import { CustomFieldDialog } from './CustomFieldDialog.tsx'
import { refreshDefinitions } from './custom-definitions.ts'
import { changeError } from './errors.ts'

/**
 * An entity's custom fields with what may be done to each: edit and remove a live field; restore
 * or erase (purge, for good) a removed one, whose values the records keep until then.
 */
export function CustomFieldsTable({
  entity,
  fields,
  loading,
}: {
  entity: string
  fields: readonly CustomField[]
  loading: boolean
}) {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const client = useQueryClient()
  const [showRemoved, setShowRemoved] = useState(false)
  const [editing, setEditing] = useState<CustomField | null>(null)
  const base = `/meta/entities/${encodeURIComponent(entity)}/fields`

  const act = async (field: CustomField, method: string, path: string, done: string) => {
    try {
      await api(`${base}/${field.key}${path}`, { method })
      await refreshDefinitions(client, entity)
      void message.success(t(done, { label: field.label }))
    } catch (err) {
      void message.error(changeError(t, err))
    }
  }
  const removedCount = fields.filter((f) => f.removed_at).length
  const shown = fields.filter((f) => showRemoved || !f.removed_at)

  return (
    <Flex vertical gap={8}>
      <Space>
        <Switch
          checked={showRemoved}
          onChange={setShowRemoved}
          id="custom-fields-show-removed"
          data-testid="show-removed"
        />
        <label htmlFor="custom-fields-show-removed">
          {t('admin.showRemovedCount', { count: removedCount })}
        </label>
      </Space>
      <Table<CustomField>
        rowKey="key"
        size="small"
        loading={loading}
        dataSource={shown}
        pagination={false}
        scroll={{ x: true }}
        data-testid="custom-fields-table"
        columns={[
          {
            key: 'label',
            title: t('admin.label'),
            render: (_: unknown, f: CustomField) => (
              <Space size={4} wrap>
                {f.label}
                {f.removed_at && <Tag color="orange">{t('admin.removed')}</Tag>}
              </Space>
            ),
          },
          // on a phone the actions matter more than the key, which the edit dialog shows
          { key: 'key', title: t('admin.key'), dataIndex: 'key', responsive: ['sm'] },
          { key: 'type', title: t('admin.type'), dataIndex: 'type' },
          {
            key: 'required',
            title: t('admin.required'),
            render: (_: unknown, f: CustomField) => (f.required ? t('form.yes') : t('form.no')),
          },
          {
            key: 'actions',
            title: t('settings.actions'),
            render: (_: unknown, f: CustomField) =>
              f.removed_at ? (
                <Space wrap size={4}>
                  <Button
                    size="small"
                    onClick={() => void act(f, 'POST', '/restore', 'admin.fieldRestored')}
                    aria-label={t('admin.restoreWho', { label: f.label })}
                    data-testid={`field-restore-${f.key}`}
                  >
                    {t('admin.restore')}
                  </Button>
                  <Popconfirm
                    title={t('admin.purgeConfirmTitle', { label: f.label })}
                    description={t('admin.purgeConfirm')}
                    okText={t('admin.purge')}
                    okButtonProps={{ danger: true }}
                    cancelText={t('form.cancel')}
                    onConfirm={() => act(f, 'POST', '/purge', 'admin.fieldPurged')}
                  >
                    <Button
                      size="small"
                      danger
                      aria-label={t('admin.purgeWho', { label: f.label })}
                      data-testid={`field-purge-${f.key}`}
                    >
                      {t('admin.purge')}
                    </Button>
                  </Popconfirm>
                </Space>
              ) : (
                <Space wrap size={4}>
                  <Button
                    size="small"
                    onClick={() => setEditing(f)}
                    aria-label={t('admin.editFieldOf', { label: f.label })}
                    data-testid={`field-edit-${f.key}`}
                  >
                    {t('settings.edit')}
                  </Button>
                  <Popconfirm
                    title={t('admin.removeConfirm', { label: f.label })}
                    okText={t('admin.remove')}
                    cancelText={t('form.cancel')}
                    onConfirm={() => act(f, 'DELETE', '', 'admin.fieldRemoved')}
                  >
                    <Button
                      size="small"
                      danger
                      aria-label={t('admin.removeWho', { label: f.label })}
                      data-testid={`field-remove-${f.key}`}
                    >
                      {t('admin.remove')}
                    </Button>
                  </Popconfirm>
                </Space>
              ),
          },
        ]}
      />
      {editing && <CustomFieldDialog entity={entity} field={editing} onClose={() => setEditing(null)} />}
    </Flex>
  )
}
