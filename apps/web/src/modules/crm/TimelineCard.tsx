import { useInfiniteQuery } from '@tanstack/react-query'
import { Button, Card, Timeline, Typography } from 'antd'
import type { TFunction } from 'i18next'
import { useTranslation } from 'react-i18next'
import { api, query } from '../../api/client.ts'
import type { TimelineItem, TimelinePage } from './api.ts'

const show = (value: unknown) =>
  value === null || value === undefined || value === ''
    ? '∅'
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value)

/** What one entry says: the activity, the stage move, the fields changed, the outcome, the file. */
function describe(item: TimelineItem, t: TFunction): { title: string; detail?: string } {
  switch (item.kind) {
    case 'activity': {
      const a = item.activity
      if (!a) return { title: t('crm.timeline.activity') }
      const type = t(`crm.activities.types.${a.type}`, { defaultValue: a.type })
      return { title: `${type}: ${a.subject}`, ...(a.note ? { detail: a.note } : {}) }
    }
    case 'stage_move':
      return {
        title: t('crm.timeline.stageMove', { from: item.stage?.from ?? '∅', to: item.stage?.to ?? '∅' }),
      }
    case 'field_change':
      return {
        title: t('crm.timeline.changed'),
        detail: (item.changes ?? []).map((c) => `${c.field}: ${show(c.from)} → ${show(c.to)}`).join('; '),
      }
    case 'created':
      return { title: t('crm.timeline.created') }
    case 'document':
      return { title: t('crm.timeline.document', { name: item.document?.name ?? '' }) }
    default:
      return { title: item.action ?? item.kind }
  }
}

/**
 * What happened with a deal or a customer (its deals included), newest first, a page at a time.
 * `names` (record id → name) says which deal an entry is about on a customer's timeline.
 */
export function TimelineCard({
  opportunity,
  partner,
  names,
}: {
  opportunity?: string
  partner?: string
  names?: ReadonlyMap<string, string>
}) {
  const { t, i18n } = useTranslation()
  const timeline = useInfiniteQuery({
    queryKey: ['crm', 'timeline', { opportunity, partner }],
    queryFn: ({ pageParam }) =>
      api<TimelinePage>(`/crm/timeline${query({ opportunity, partner, cursor: pageParam, limit: 20 })}`),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  })
  const entries = timeline.data?.pages.flatMap((p) => p.data) ?? []
  return (
    <Card
      title={t('crm.timeline.title')}
      size="small"
      loading={timeline.isPending}
      data-testid="crm-timeline"
    >
      {timeline.error && <Typography.Text type="danger">{timeline.error.message}</Typography.Text>}
      {timeline.data && entries.length === 0 && (
        <Typography.Text type="secondary">{t('crm.timeline.empty')}</Typography.Text>
      )}
      <Timeline
        items={entries.map((item) => {
          const { title, detail } = describe(item, t)
          const about = item.kind === 'activity' ? undefined : names?.get(item.record_id)
          return {
            key: item.id,
            content: (
              <div data-testid="crm-timeline-entry">
                <Typography.Text strong>{about ? `${title} · ${about}` : title}</Typography.Text>{' '}
                <Typography.Text type="secondary">
                  {new Date(item.at).toLocaleString(i18n.language)}
                </Typography.Text>
                {detail && <div style={{ overflowWrap: 'anywhere' }}>{detail}</div>}
              </div>
            ),
          }
        })}
      />
      {timeline.hasNextPage && (
        <Button onClick={() => void timeline.fetchNextPage()} loading={timeline.isFetchingNextPage}>
          {t('crm.timeline.more')}
        </Button>
      )}
    </Card>
  )
}
