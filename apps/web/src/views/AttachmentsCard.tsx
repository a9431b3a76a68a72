import { CloudUploadOutlined, DeleteOutlined, DownloadOutlined, InboxOutlined } from '@ant-design/icons'
import { useQueryClient } from '@tanstack/react-query'
import { Alert, App, Button, Card, Grid, Popconfirm, Space, Table, Typography, Upload } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { ApiError } from '../api/client.ts'
import {
  archiveFile,
  contentHref,
  type FileInfo,
  filesKey,
  formatSize,
  uploadFile,
  uploadVersion,
  useRecordFiles,
} from '../api/files.ts'
import { FileCards } from './FileCards.tsx'
import { FileVersions } from './FileVersions.tsx'
import { useMemberNames } from './member-names.ts'

interface Props {
  entity: string
  recordId: string
  /** the member's update right on the entity: uploads, new versions and deletion need it */
  canChange: boolean
}

/**
 * A record's files with all their versions: upload by dropping or choosing, a new version of a
 * file, download of any version, delete (the versions are kept by the server). Hidden when the
 * member may not list the record's files.
 */
export function AttachmentsCard({ entity, recordId, canChange }: Props) {
  const { t, i18n } = useTranslation()
  const { message } = App.useApp()
  const client = useQueryClient()
  const files = useRecordFiles(entity, recordId)
  const nameOf = useMemberNames()
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(0)
  const phone = Grid.useBreakpoint().md === false

  if (files.error instanceof ApiError && (files.error.status === 403 || files.error.status === 404))
    return null

  const send = async (work: () => Promise<unknown>, done: string) => {
    setError(null)
    setBusy((n) => n + 1)
    try {
      await work()
      void message.success(done)
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err))
    } finally {
      setBusy((n) => n - 1)
      await client.invalidateQueries({ queryKey: filesKey(entity, recordId) })
      await client.invalidateQueries({ queryKey: ['file'] })
    }
  }
  // antd's own request is replaced by the API's raw-body upload: returning false stops it
  const addFile = (file: File) => {
    void send(() => uploadFile(entity, recordId, file), t('files.uploaded', { name: file.name }))
    return false
  }
  const addVersion = (target: FileInfo) => (file: File) => {
    void send(() => uploadVersion(target.id, file), t('files.versionUploaded', { name: file.name }))
    return false
  }

  const actions = (f: FileInfo) => (
    <Space size={4}>
      <Upload showUploadList={false} beforeUpload={addVersion(f)} disabled={busy > 0}>
        <Button
          size="small"
          icon={<CloudUploadOutlined />}
          aria-label={t('files.newVersionOf', { name: f.name })}
          data-testid={`new-version-${f.name}`}
        >
          {t('files.newVersion')}
        </Button>
      </Upload>
      <Popconfirm
        title={t('files.confirmDelete', { name: f.name })}
        onConfirm={() => void send(() => archiveFile(f.id), t('files.deleted'))}
      >
        <Button
          size="small"
          danger
          icon={<DeleteOutlined />}
          aria-label={t('files.deleteFile', { name: f.name })}
          data-testid={`delete-file-${f.name}`}
        />
      </Popconfirm>
    </Space>
  )

  return (
    <Card title={t('files.title')} size="small" data-testid="attachments">
      {error && (
        <Alert
          type="error"
          showIcon
          title={error}
          role="alert"
          style={{ marginBottom: 12 }}
          data-testid="attachments-error"
        />
      )}
      {canChange && (
        <div data-testid="attachments-drop" style={{ marginBottom: 12 }}>
          <Upload.Dragger multiple showUploadList={false} beforeUpload={addFile} disabled={busy > 0}>
            <Typography.Paragraph style={{ margin: 0 }}>
              <InboxOutlined style={{ fontSize: 24 }} />
            </Typography.Paragraph>
            <Typography.Text>{t('files.drop')}</Typography.Text>
          </Upload.Dragger>
        </div>
      )}
      {phone ? (
        <FileCards
          files={files.data ?? []}
          loading={files.isPending || busy > 0}
          actions={canChange ? actions : undefined}
        />
      ) : (
        <Table<FileInfo>
          size="small"
          rowKey="id"
          pagination={false}
          scroll={{ x: true }}
          loading={files.isPending || busy > 0}
          dataSource={files.data ?? []}
          // Ant's placeholder grey fails contrast (axe); the secondary text colour does not
          locale={{ emptyText: <Typography.Text type="secondary">{t('files.none')}</Typography.Text> }}
          expandable={{
            expandedRowRender: (f) => <FileVersions fileId={f.id} />,
            expandIcon: ({ expanded, onExpand, record }) => (
              <Button
                size="small"
                type="link"
                aria-expanded={expanded}
                onClick={(e) => onExpand(record, e)}
                data-testid={`file-versions-toggle-${record.name}`}
              >
                {t('files.versions', { count: record.current_version })}
              </Button>
            ),
          }}
          columns={[
            {
              key: 'name',
              title: t('files.name'),
              render: (_, f) => (
                <a href={contentHref(f.id)} download data-testid={`download-${f.name}`}>
                  <DownloadOutlined /> {f.name}
                </a>
              ),
            },
            { key: 'size', title: t('files.size'), render: (_, f) => formatSize(f.size, i18n.language) },
            { key: 'type', title: t('files.type'), dataIndex: 'content_type' },
            { key: 'by', title: t('files.uploadedBy'), render: (_, f) => nameOf(f.updated_by) },
            {
              key: 'at',
              title: t('files.uploadedAt'),
              render: (_, f) => new Date(f.updated_at).toLocaleString(i18n.language),
            },
            ...(canChange
              ? [
                  {
                    key: 'actions',
                    title: t('files.actions'),
                    render: (_: unknown, f: FileInfo) => actions(f),
                  },
                ]
              : []),
          ]}
        />
      )}
    </Card>
  )
}
