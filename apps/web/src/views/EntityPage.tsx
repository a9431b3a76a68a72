import { PlusOutlined } from '@ant-design/icons'
import { Button, Flex, Segmented, Space, Spin, Typography } from 'antd'
import { useTranslation } from 'react-i18next'
import { Link, useParams, useSearchParams } from 'react-router'
import { useEntityMeta } from '../api/queries.ts'
import { ErrorPage } from '../app/ErrorPage.tsx'
import { CalendarView } from './CalendarView.tsx'
import { KanbanView } from './KanbanView.tsx'
import { ListView } from './ListView.tsx'
import { RecordForm } from './RecordForm.tsx'

/** /e/:key: an entity's records as a list or a board; a 403 or 404 from the metadata is shown as such. */
export function EntityPage() {
  const { t } = useTranslation()
  const { key } = useParams()
  const [params, setParams] = useSearchParams()
  const meta = useEntityMeta(key)
  if (meta.error) return <ErrorPage error={meta.error} />
  if (!meta.data) return <Spin />
  const views = [
    { value: 'list', label: t('list.viewList') },
    ...(meta.data.layout.kanban ? [{ value: 'kanban', label: t('list.viewKanban') }] : []),
    ...(meta.data.layout.calendar ? [{ value: 'calendar', label: t('list.viewCalendar') }] : []),
  ]
  const view = views.find((v) => v.value === params.get('view'))?.value ?? 'list'
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={1} style={{ margin: 0, fontSize: 24 }}>
          {meta.data.plural_label}
        </Typography.Title>
        <Space wrap>
          {views.length > 1 && (
            <Segmented
              aria-label={t('list.view')}
              value={view}
              onChange={(v) => setParams(v === 'list' ? {} : { view: String(v) })}
              options={views}
              data-testid="view-switch"
            />
          )}
          {meta.data.rights.create && (
            <Link to={`/e/${meta.data.key}/new`}>
              <Button type="primary" icon={<PlusOutlined />} data-testid="new-record">
                {t('list.new')}
              </Button>
            </Link>
          )}
        </Space>
      </Flex>
      {view === 'kanban' && <KanbanView meta={meta.data} />}
      {view === 'calendar' && <CalendarView meta={meta.data} />}
      {view === 'list' && <ListView meta={meta.data} />}
    </Space>
  )
}

/** /e/:key/new and /e/:key/:id. */
export function RecordPage() {
  const { key, id } = useParams()
  const meta = useEntityMeta(key)
  if (meta.error) return <ErrorPage error={meta.error} />
  if (!meta.data) return <Spin />
  return <RecordForm key={`${key}/${id}`} meta={meta.data} {...(id && id !== 'new' ? { id } : {})} />
}
