import { BellOutlined } from '@ant-design/icons'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { Badge, Button, Empty, List, Popover, Typography } from 'antd'
import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useNavigate } from 'react-router'
import { api } from '../api/client.ts'
import type { Notification } from '../api/types.ts'

/**
 * The unread count, live: the server's event stream pushes `unread` counts and new notifications;
 * EventSource reconnects by itself (resuming with Last-Event-ID) after a network blip.
 */
function useLiveUnread(): number {
  const client = useQueryClient()
  const initial = useQuery({
    queryKey: ['notifications', 'unread'],
    queryFn: () => api<{ unread: number }>('/notifications/unread-count').then((r) => r.unread),
  })
  const [live, setLive] = useState<number | null>(null)
  useEffect(() => {
    const source = new EventSource('/api/v1/notifications/stream')
    source.addEventListener('unread', (event) => {
      setLive((JSON.parse((event as MessageEvent<string>).data) as { unread: number }).unread)
    })
    source.addEventListener(
      'notification',
      () => void client.invalidateQueries({ queryKey: ['notifications', 'list'] }),
    )
    return () => source.close()
  }, [client])
  return live ?? initial.data ?? 0
}

export function NotificationBell() {
  const { t } = useTranslation()
  const navigate = useNavigate()
  const client = useQueryClient()
  const unread = useLiveUnread()
  const [open, setOpen] = useState(false)
  const list = useQuery({
    queryKey: ['notifications', 'list'],
    queryFn: () => api<{ data: Notification[] }>('/notifications?limit=20').then((r) => r.data),
    enabled: open,
  })
  const readAll = async () => {
    await api('/notifications/read-all', { method: 'POST' })
    await client.invalidateQueries({ queryKey: ['notifications'] })
  }
  const openOne = async (n: Notification) => {
    if (!n.read_at) await api(`/notifications/${n.id}/read`, { method: 'POST' })
    setOpen(false)
    await client.invalidateQueries({ queryKey: ['notifications'] })
    if (n.link?.startsWith('/')) navigate(n.link)
  }
  const content = (
    <div style={{ width: 320, maxWidth: '80vw' }}>
      {list.data && list.data.length > 0 ? (
        <>
          <List
            size="small"
            dataSource={list.data}
            renderItem={(n) => (
              <List.Item onClick={() => void openOne(n)} style={{ cursor: 'pointer' }}>
                <List.Item.Meta
                  title={<Typography.Text strong={!n.read_at}>{n.title}</Typography.Text>}
                  description={n.body}
                />
              </List.Item>
            )}
          />
          <Button type="link" onClick={() => void readAll()}>
            {t('shell.markAllRead')}
          </Button>
        </>
      ) : (
        <Empty description={t('shell.noNotifications')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
      )}
    </div>
  )
  return (
    <Popover
      content={content}
      title={t('shell.notifications')}
      trigger="click"
      open={open}
      onOpenChange={setOpen}
    >
      <Button
        type="text"
        aria-label={`${t('shell.notifications')} (${unread})`}
        data-testid="notification-bell"
        icon={
          <Badge count={unread} size="small" data-testid="unread-count">
            <BellOutlined style={{ fontSize: 18 }} />
          </Badge>
        }
      />
    </Popover>
  )
}
