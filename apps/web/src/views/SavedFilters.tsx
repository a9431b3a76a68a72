import { SaveOutlined } from '@ant-design/icons'
import { Button, Input, Popover, Select, Space } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'

interface Saved {
  name: string
  /** the list's query string: filter, column filters and sort */
  query: string
}

const storageKey = (entity: string) => `tessera.filters:${entity}`

function load(entity: string): Saved[] {
  try {
    return JSON.parse(localStorage.getItem(storageKey(entity)) ?? '[]') as Saved[]
  } catch {
    return []
  }
}

/** Named filters of a list, kept in this browser per entity; choosing one restores its query. */
export function SavedFilters({
  entity,
  current,
  onChoose,
}: {
  entity: string
  current: string
  onChoose: (query: string) => void
}) {
  const { t } = useTranslation()
  const [saved, setSaved] = useState(() => load(entity))
  const [name, setName] = useState('')
  const [open, setOpen] = useState(false)
  const save = () => {
    const trimmed = name.trim()
    if (!trimmed) return
    const next = [...saved.filter((s) => s.name !== trimmed), { name: trimmed, query: current }]
    localStorage.setItem(storageKey(entity), JSON.stringify(next))
    setSaved(next)
    setName('')
    setOpen(false)
  }
  return (
    <Space wrap>
      {saved.length > 0 && (
        <Select
          aria-label={t('list.savedFilters')}
          placeholder={t('list.savedFilters')}
          value={null}
          onChange={(query: string) => onChoose(query)}
          options={saved.map((s) => ({ value: s.query, label: s.name }))}
          style={{ minWidth: 160 }}
          data-testid="saved-filters"
        />
      )}
      <Popover
        open={open}
        onOpenChange={setOpen}
        trigger="click"
        content={
          <Space.Compact>
            <Input
              aria-label={t('list.filterName')}
              placeholder={t('list.filterName')}
              value={name}
              onChange={(e) => setName(e.target.value)}
              onPressEnter={save}
              data-testid="saved-filter-name"
            />
            <Button type="primary" onClick={save} data-testid="saved-filter-save">
              {t('form.save')}
            </Button>
          </Space.Compact>
        }
      >
        <Button icon={<SaveOutlined />} disabled={!current} data-testid="save-filter">
          {t('list.saveFilter')}
        </Button>
      </Popover>
    </Space>
  )
}
