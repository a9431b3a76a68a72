import { CloseOutlined, DownloadOutlined, PaperClipOutlined, UploadOutlined } from '@ant-design/icons'
import { useQueryClient } from '@tanstack/react-query'
import { Button, Flex, Typography, Upload } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { contentHref, filesKey, formatSize, uploadFile, uploadVersion, useFile } from '../api/files.ts'

/** The record a file field's uploads attach to; absent until the record is saved. */
export interface FileOwner {
  entity: string
  id: string
}

/** A file field's value shown as its file's name and size, linking to the download. */
export function FileLink({ id }: { id: string }) {
  const { t, i18n } = useTranslation()
  const file = useFile(id)
  if (file.error) return <Typography.Text type="secondary">{t('files.unavailable')}</Typography.Text>
  if (!file.data) return <Typography.Text type="secondary">…</Typography.Text>
  return (
    <a href={contentHref(id)} download data-testid="file-field-link">
      <DownloadOutlined /> {file.data.name}{' '}
      <Typography.Text type="secondary">({formatSize(file.data.size, i18n.language)})</Typography.Text>
    </a>
  )
}

interface Props {
  id?: string
  value?: unknown
  onChange?: (value: unknown) => void
  disabled?: boolean
  ariaLabel?: string
  owner?: FileOwner
}

/**
 * The form's widget of a `file` field, whose value is a file id. Uploading attaches the file to
 * the record and puts its id in the field (kept by Save); replacing uploads a new version of the
 * record's own file, so its history stays in the attachments. A new record has no id to attach
 * to yet: it is saved first.
 */
export function FileInput({ id, value, onChange, disabled, ariaLabel, owner }: Props) {
  const { t } = useTranslation()
  const client = useQueryClient()
  const current = typeof value === 'string' && value !== '' ? value : null
  const file = useFile(current)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const upload = (chosen: File) => {
    if (!owner) return false
    setBusy(true)
    setError(null)
    const own = file.data && file.data.entity === owner.entity && file.data.record_id === owner.id
    const work = own && current ? uploadVersion(current, chosen) : uploadFile(owner.entity, owner.id, chosen)
    work
      .then(async (saved) => {
        if (saved.id !== current) onChange?.(saved.id)
        await client.invalidateQueries({ queryKey: ['file', saved.id] })
        await client.invalidateQueries({ queryKey: filesKey(owner.entity, owner.id) })
      })
      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)))
      .finally(() => setBusy(false))
    // the API's raw-body upload replaces antd's own request
    return false
  }

  const label = ariaLabel ?? ''
  return (
    <Flex id={id} vertical gap={4} data-testid="file-field">
      <Flex gap={8} align="center" wrap>
        {current ? (
          <FileLink id={current} />
        ) : (
          <Typography.Text type="secondary">
            <PaperClipOutlined /> {t('files.noFile')}
          </Typography.Text>
        )}
        {owner && !disabled && (
          <Upload showUploadList={false} beforeUpload={upload} disabled={busy}>
            <Button
              size="small"
              icon={<UploadOutlined />}
              loading={busy}
              aria-label={`${current ? t('files.replace') : t('files.upload')} ${label}`.trim()}
              data-testid="file-field-upload"
            >
              {current ? t('files.replace') : t('files.upload')}
            </Button>
          </Upload>
        )}
        {current && !disabled && (
          <Button
            size="small"
            type="text"
            icon={<CloseOutlined />}
            aria-label={`${t('files.clear')} ${label}`.trim()}
            onClick={() => onChange?.(null)}
            data-testid="file-field-clear"
          />
        )}
      </Flex>
      {!owner && !disabled && <Typography.Text type="secondary">{t('files.saveFirst')}</Typography.Text>}
      {error && (
        <Typography.Text type="danger" role="alert">
          {error}
        </Typography.Text>
      )}
    </Flex>
  )
}
