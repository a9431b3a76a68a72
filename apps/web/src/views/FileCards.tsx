import { DownloadOutlined } from '@ant-design/icons'
import { Button, Card, Flex, Spin, Typography } from 'antd'
import { type ReactNode, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { contentHref, type FileInfo, formatSize } from '../api/files.ts'
import { FileVersions } from './FileVersions.tsx'
import { useMemberNames } from './member-names.ts'

interface Props {
  files: readonly FileInfo[]
  loading: boolean
  /** the buttons that change a file (new version, delete), when the member may */
  actions?: (file: FileInfo) => ReactNode
}

/**
 * A record's files on a phone: one small card per file, its details stacked under its name instead
 * of a table's columns, so that nothing is wider than the screen.
 */
export function FileCards({ files, loading, actions }: Props) {
  const { t, i18n } = useTranslation()
  const nameOf = useMemberNames()
  const [open, setOpen] = useState<string[]>([])
  const toggle = (id: string) =>
    setOpen((ids) => (ids.includes(id) ? ids.filter((i) => i !== id) : [...ids, id]))

  if (files.length === 0)
    return loading ? <Spin /> : <Typography.Text type="secondary">{t('files.none')}</Typography.Text>
  return (
    <Spin spinning={loading}>
      <Flex vertical gap={8} data-testid="file-cards">
        {files.map((f) => (
          <Card key={f.id} size="small" data-testid="file-card">
            <a
              href={contentHref(f.id)}
              download
              data-testid={`download-${f.name}`}
              style={{ overflowWrap: 'anywhere' }}
            >
              <DownloadOutlined /> {f.name}
            </a>
            <Typography.Paragraph type="secondary" style={{ margin: 0, overflowWrap: 'anywhere' }}>
              {formatSize(f.size, i18n.language)} · {f.content_type}
              <br />
              {nameOf(f.updated_by)} · {new Date(f.updated_at).toLocaleString(i18n.language)}
            </Typography.Paragraph>
            <Flex gap={4} wrap align="center" style={{ marginTop: 4 }}>
              <Button
                size="small"
                type="link"
                aria-expanded={open.includes(f.id)}
                onClick={() => toggle(f.id)}
                data-testid={`file-versions-toggle-${f.name}`}
                style={{ paddingInline: 0 }}
              >
                {t('files.versions', { count: f.current_version })}
              </Button>
              <Flex flex={1} />
              {actions?.(f)}
            </Flex>
            {open.includes(f.id) && <FileVersions fileId={f.id} compact />}
          </Card>
        ))}
      </Flex>
    </Spin>
  )
}
