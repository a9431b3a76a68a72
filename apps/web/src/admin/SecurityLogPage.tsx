import { useQuery } from '@tanstack/react-query'
import { Button, Flex, Grid, Input, List, Select, Table, Typography } from 'antd'
import { type HTMLAttributes, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api, query } from '../api/client.ts'
import { ErrorPage } from '../app/ErrorPage.tsx'
import { useMemberNames, useMembers } from '../views/member-names.ts'

interface SecurityEvent {
  id: string
  type: string
  user_id: string | null
  api_key_id: string | null
  ip: string | null
  user_agent: string | null
  details: Record<string, unknown>
  request_id: string | null
  created_at: string
}

/** The kernel's event types (SecurityEventType); the API filters by one exactly. */
const EVENT_TYPES = [
  'login.succeeded',
  'login.failed',
  'login.locked',
  'account.unlocked',
  'session.revoked',
  'session.reuse_detected',
  'mfa.enrolled',
  'mfa.removed',
  'mfa.failed',
  'mfa.backup_codes_regenerated',
  'tenant.mfa_policy_changed',
  'password.changed',
  'password.reset',
  'api_key.created',
  'api_key.revoked',
  'api_key.used',
  'member.disabled',
  'member.enabled',
  'member.access_changed',
  'member.invited',
  'role.created',
  'role.changed',
  'role.deleted',
  'record_rule.created',
  'record_rule.updated',
  'record_rule.deleted',
  'field_rule.created',
  'field_rule.updated',
  'field_rule.deleted',
  'module.activated',
  'module.deactivated',
  'signup',
]

const PAGE_SIZE = 50

/** A `yyyy-mm-dd` of a date input as the instant its day starts here, `days` later. */
function dayStart(date: string, days = 0): string {
  const [y, m, d] = date.split('-').map(Number)
  return new Date(y ?? 0, (m ?? 1) - 1, (d ?? 1) + days).toISOString()
}

const detailsText = (details: Record<string, unknown>) =>
  Object.entries(details)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' · ')

/** The tenant's security log, newest first: filtered by type, member and days, paged by time. */
export function SecurityLogPage() {
  const { t } = useTranslation()
  const phone = Grid.useBreakpoint().md === false
  const nameOf = useMemberNames()
  const { members } = useMembers()
  const [type, setType] = useState<string | undefined>()
  const [userId, setUserId] = useState<string | undefined>()
  const [from, setFrom] = useState('')
  const [to, setTo] = useState('')
  // the cursor of each page shown after the first (the server's next_cursor: none skipped or repeated)
  const [pages, setPages] = useState<string[]>([])
  const cursor = pages.at(-1)
  const before = to ? dayStart(to, 1) : undefined
  const after = from ? dayStart(from) : undefined
  const log = useQuery({
    queryKey: ['security-events', type, userId, after, before, cursor],
    queryFn: () =>
      api<{ data: SecurityEvent[]; next_cursor: string | null }>(
        `/security-events${query({ type, user_id: userId, after, before, cursor, limit: PAGE_SIZE })}`,
      ),
  })
  const events = log.data?.data ?? []
  const older = log.data?.next_cursor ?? null
  const filtered =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      set(value)
      setPages([])
    }

  // one definition of each piece of an event, for the table on a wide screen and the cards on a phone
  const columns = {
    at: { title: t('settings.when'), render: (e: SecurityEvent) => new Date(e.created_at).toLocaleString() },
    type: { title: t('settings.eventType'), render: (e: SecurityEvent) => <code>{e.type}</code> },
    user: { title: t('settings.member'), render: (e: SecurityEvent) => nameOf(e.user_id) },
    ip: { title: t('settings.ip'), render: (e: SecurityEvent) => e.ip ?? '' },
    request: {
      title: t('settings.requestId'),
      render: (e: SecurityEvent) => (e.request_id ? <code>{e.request_id}</code> : ''),
    },
    details: {
      title: t('settings.details'),
      render: (e: SecurityEvent) => (
        <span style={{ overflowWrap: 'anywhere' }} data-testid="event-details">
          {detailsText(e.details)}
        </span>
      ),
    },
  }
  const empty = <Typography.Text type="secondary">{t('settings.noEvents')}</Typography.Text>

  if (log.isError) return <ErrorPage error={log.error} />
  return (
    <Flex vertical gap="middle">
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        {t('settings.securityLogTitle')}
      </Typography.Title>
      <Flex gap={8} wrap align="center">
        <Select
          allowClear
          showSearch
          aria-label={t('settings.eventType')}
          placeholder={t('settings.eventType')}
          value={type}
          onChange={filtered(setType)}
          options={EVENT_TYPES.map((e) => ({ value: e, label: e }))}
          style={{ minWidth: 220, flex: phone ? '1 1 100%' : undefined }}
          data-testid="filter-type"
        />
        <Select
          allowClear
          showSearch={{ optionFilterProp: 'label' }}
          aria-label={t('settings.member')}
          placeholder={t('settings.member')}
          value={userId}
          onChange={filtered(setUserId)}
          options={members.map((m) => ({ value: m.user_id, label: m.name }))}
          style={{ minWidth: 200, flex: phone ? '1 1 100%' : undefined }}
        />
        <label htmlFor="security-log-from" style={{ display: 'flex', alignItems: 'center', gap: 4 }}>
          {t('settings.fromDate')}
          <Input
            id="security-log-from"
            type="date"
            value={from}
            max={to || undefined}
            onChange={(e) => filtered(setFrom)(e.target.value)}
            style={{ width: 'auto' }}
            data-testid="filter-from"
          />
        </label>
        <label htmlFor="security-log-to" style={{ display: 'flex', alignItems: 'center', gap: 4 }}>
          {t('settings.toDate')}
          <Input
            id="security-log-to"
            type="date"
            value={to}
            min={from || undefined}
            onChange={(e) => filtered(setTo)(e.target.value)}
            style={{ width: 'auto' }}
            data-testid="filter-to"
          />
        </label>
        <Button onClick={() => void log.refetch()} loading={log.isFetching}>
          {t('settings.refresh')}
        </Button>
      </Flex>
      {phone ? (
        <List
          loading={log.isPending}
          dataSource={events}
          locale={{ emptyText: empty }}
          renderItem={(e) => (
            <List.Item data-testid="security-event">
              <Flex vertical gap={2} style={{ width: '100%', minWidth: 0 }}>
                <Flex justify="space-between" gap={8} wrap>
                  {columns.type.render(e)}
                  <Typography.Text type="secondary">{columns.at.render(e)}</Typography.Text>
                </Flex>
                <span>{columns.user.render(e)}</span>
                <Typography.Text type="secondary" style={{ overflowWrap: 'anywhere' }}>
                  {[e.ip, e.request_id].filter(Boolean).join(' · ')}
                </Typography.Text>
                {columns.details.render(e)}
              </Flex>
            </List.Item>
          )}
        />
      ) : (
        <Table<SecurityEvent>
          rowKey="id"
          size="small"
          loading={log.isPending}
          dataSource={events}
          pagination={false}
          locale={{ emptyText: empty }}
          onRow={() => ({ 'data-testid': 'security-event' }) as HTMLAttributes<HTMLElement>}
          columns={Object.entries(columns).map(([key, c]) => ({
            key,
            title: c.title,
            render: (_: unknown, e: SecurityEvent) => c.render(e),
          }))}
        />
      )}
      <Flex gap={8}>
        {pages.length > 0 && (
          <Button onClick={() => setPages((p) => p.slice(0, -1))}>{t('settings.newer')}</Button>
        )}
        {older && (
          <Button onClick={() => setPages((p) => [...p, older])} data-testid="events-older">
            {t('settings.older')}
          </Button>
        )}
      </Flex>
    </Flex>
  )
}
