import { DownloadOutlined } from '@ant-design/icons'
import { Table } from 'antd'
import { useTranslation } from 'react-i18next'
import { contentHref, formatSize, useFileVersions } from '../api/files.ts'
import { useMemberNames } from './member-names.ts'

/** Every version of one file, newest first, each downloadable. */
export function FileVersions({ fileId }: { fileId: string }) {
  const { t, i18n } = useTranslation()
  const versions = useFileVersions(fileId)
  const nameOf = useMemberNames()
  return (
    <Table
      size="small"
      rowKey="version"
      pagination={false}
      scroll={{ x: true }}
      loading={versions.isPending}
      dataSource={versions.data ?? []}
      data-testid={`file-versions-${fileId}`}
      columns={[
        { key: 'version', title: t('files.version'), render: (_, v) => `v${v.version}` },
        {
          key: 'name',
          title: t('files.name'),
          render: (_, v) => (
            <a
              href={contentHref(fileId, v.version)}
              download
              data-testid={`download-${fileId}-v${v.version}`}
            >
              <DownloadOutlined /> {v.name}
            </a>
          ),
        },
        { key: 'size', title: t('files.size'), render: (_, v) => formatSize(v.size, i18n.language) },
        { key: 'type', title: t('files.type'), dataIndex: 'content_type' },
        { key: 'by', title: t('files.uploadedBy'), render: (_, v) => nameOf(v.created_by) },
        {
          key: 'at',
          title: t('files.uploadedAt'),
          render: (_, v) => new Date(v.created_at).toLocaleString(i18n.language),
        },
      ]}
    />
  )
}
