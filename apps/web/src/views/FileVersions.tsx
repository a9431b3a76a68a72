import { DownloadOutlined } from '@ant-design/icons'
import { Flex, Spin, Table, Typography } from 'antd'
import { useTranslation } from 'react-i18next'
import { contentHref, type FileVersion, formatSize, useFileVersions } from '../api/files.ts'
import { useMemberNames } from './member-names.ts'

/**
 * Every version of one file, newest first, each downloadable: a table, or with `compact` (a phone)
 * one stacked entry per version.
 */
export function FileVersions({ fileId, compact = false }: { fileId: string; compact?: boolean }) {
  const { t, i18n } = useTranslation()
  const versions = useFileVersions(fileId)
  const nameOf = useMemberNames()
  const link = (v: FileVersion) => (
    <a
      href={contentHref(fileId, v.version)}
      download
      data-testid={`download-${fileId}-v${v.version}`}
      style={{ overflowWrap: 'anywhere' }}
    >
      <DownloadOutlined /> {v.name}
    </a>
  )
  if (compact)
    return (
      <Spin spinning={versions.isPending}>
        <Flex vertical gap={6} style={{ marginTop: 8 }} data-testid={`file-versions-${fileId}`}>
          {(versions.data ?? []).map((v) => (
            <div key={v.version}>
              <Typography.Text strong>{`v${v.version}`}</Typography.Text> {link(v)}
              <Typography.Paragraph type="secondary" style={{ margin: 0, overflowWrap: 'anywhere' }}>
                {formatSize(v.size, i18n.language)} · {v.content_type} · {nameOf(v.created_by)} ·{' '}
                {new Date(v.created_at).toLocaleString(i18n.language)}
              </Typography.Paragraph>
            </div>
          ))}
        </Flex>
      </Spin>
    )
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
        { key: 'name', title: t('files.name'), render: (_, v) => link(v) },
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
