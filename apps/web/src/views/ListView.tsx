import { DeleteOutlined, DownloadOutlined } from '@ant-design/icons'
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query'
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Flex,
  Grid,
  Input,
  List,
  Popconfirm,
  Select,
  Space,
  Table,
  Typography,
} from 'antd'
import type { SorterResult } from 'antd/es/table/interface'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate, useSearchParams } from 'react-router'
import { api, query } from '../api/client.ts'
import { recordsPath } from '../api/queries.ts'
import type { EntityMeta, EntityRecord, FieldMeta, RecordPage } from '../api/types.ts'
import { FileLink } from './FileField.tsx'
import { useMemberNames } from './member-names.ts'
import { SavedFilters } from './SavedFilters.tsx'
import { allOf, columnCondition, displayOf, FILTERABLE, fieldValue, formatValue, SORTABLE } from './values.ts'

const PAGE = 25

/** What a saved filter keeps of the list's address: the filter, the column filters and the sort. */
function savedQuery(params: URLSearchParams): string {
  const kept = new URLSearchParams()
  for (const [name, value] of params)
    if (name === 'filter' || name === 'sort' || name.startsWith('f.')) kept.set(name, value)
  return kept.toString()
}

/** The list columns: the layout's, then the tenant's custom fields (so a new one shows at once). */
function listColumns(meta: EntityMeta): FieldMeta[] {
  const byName = new Map(meta.fields.map((f) => [f.name, f]))
  const named = meta.layout.list.flatMap((n) => byName.get(n) ?? byName.get(`custom.${n}`) ?? [])
  const base = named.length > 0 ? named : meta.fields.filter((f) => f.type !== 'children').slice(0, 6)
  const custom = meta.fields.filter((f) => f.custom && !base.includes(f) && f.type !== 'children').slice(0, 3)
  return [...base, ...custom]
}

/** Any entity's records: sortable columns, the filter language and per-column filters, pages by cursor. */
export function ListView({ meta }: { meta: EntityMeta }) {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const navigate = useNavigate()
  const client = useQueryClient()
  const phone = Grid.useBreakpoint().md === false
  const [params, setParams] = useSearchParams()
  const [cursors, setCursors] = useState<string[]>([])
  const [selected, setSelected] = useState<EntityRecord[]>([])
  const [typed, setTyped] = useState(params.get('filter') ?? '')
  const columns = listColumns(meta)
  const filterable = columns.filter((f) => FILTERABLE.has(f.type))
  const path = recordsPath(meta)

  const filter = allOf([
    params.get('filter'),
    ...filterable.map((f) => columnCondition(f, params.get(`f.${f.name}`) ?? '')),
  ])
  const sort = params.get('sort') ?? meta.default_sort ?? undefined
  const include = columns
    .filter((f) => f.type === 'reference' || f.type === 'many_to_many')
    .slice(0, 10)
    .map((f) => f.name)
    .join(',')
  const cursor = cursors.at(-1)
  const page = useQuery({
    queryKey: ['records', meta.key, { filter, sort, cursor, include }],
    queryFn: () =>
      api<RecordPage>(`${path}${query({ filter, sort, include, cursor, limit: PAGE, count: true })}`),
    placeholderData: keepPreviousData,
    retry: false,
  })

  const setParam = (name: string, value: string | null) => {
    // the address bar, not this render's params: a navigation may still be pending (React transitions)
    const next = new URLSearchParams(window.location.search)
    if (value === null || value === '') next.delete(name)
    else next.set(name, value)
    setCursors([])
    setSelected([])
    setParams(next, { replace: true })
  }

  // each record on its own: one refusal (a locked document, a changed version) must not stop the
  // rest; the refused stay selected, each named with the server's reason
  const remove = async () => {
    const refused: EntityRecord[] = []
    for (const r of selected) {
      try {
        await api(`${path}/${r.id}`, { method: 'DELETE', headers: { 'if-match': `"${r.version}"` } })
      } catch (err) {
        refused.push(r)
        void message.error(`${displayOf(r, meta.display_field)}: ${(err as Error).message}`)
      }
    }
    const done = selected.length - refused.length
    if (done > 0) void message.success(t('list.deleted', { count: done }))
    setSelected(refused)
    await client.invalidateQueries({ queryKey: ['records', meta.key] })
  }

  const exportHref = (format: 'csv' | 'xlsx') =>
    `/api/v1${path}/export${query({ format, filter, sort: params.get('sort') ?? undefined })}`
  const yes = t('form.yes')
  const no = t('form.no')
  const nameOf = useMemberNames()
  const records = page.data?.data ?? []
  const open = (r: EntityRecord) => navigate(`/e/${meta.key}/${r.id}`)

  const filters = (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Space.Compact style={{ width: '100%' }}>
        <Input
          aria-label={t('list.filter')}
          placeholder={t('list.filterPlaceholder')}
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          onPressEnter={() => setParam('filter', typed.trim())}
          data-testid="filter-input"
        />
        <Button onClick={() => setParam('filter', typed.trim())} data-testid="filter-apply">
          {t('list.apply')}
        </Button>
        <Button
          onClick={() => {
            setTyped('')
            setCursors([])
            setParams(new URLSearchParams(params.get('view') ? { view: params.get('view') as string } : {}))
          }}
        >
          {t('list.clear')}
        </Button>
      </Space.Compact>
      <Flex wrap gap={8}>
        <SavedFilters
          entity={meta.key}
          current={savedQuery(params)}
          onChoose={(saved) => {
            const next = new URLSearchParams(saved)
            const view = params.get('view')
            if (view) next.set('view', view)
            setTyped(next.get('filter') ?? '')
            setCursors([])
            setParams(next, { replace: true })
          }}
        />
        {filterable.map((f) => (
          <ColumnFilter
            key={`${f.name}:${params.get(`f.${f.name}`) ?? ''}`}
            field={f}
            value={params.get(`f.${f.name}`) ?? ''}
            onChange={(v) => setParam(`f.${f.name}`, v)}
            yes={yes}
            no={no}
          />
        ))}
      </Flex>
    </Space>
  )

  const bulk = (
    <Flex justify="space-between" align="center" wrap gap={8}>
      <Typography.Text type="secondary" data-testid="record-count">
        {page.data?.count !== undefined ? t('list.count', { count: page.data.count }) : ''}
        {selected.length > 0 ? ` · ${t('list.selected', { count: selected.length })}` : ''}
      </Typography.Text>
      <Space wrap>
        {selected.length > 0 && meta.rights.delete && (
          <Popconfirm title={t('list.confirmDelete')} onConfirm={() => void remove()}>
            <Button danger icon={<DeleteOutlined />}>
              {t('list.delete')}
            </Button>
          </Popconfirm>
        )}
        {meta.rights.export && (
          <>
            <Button icon={<DownloadOutlined />} href={exportHref('csv')} data-testid="export-csv">
              CSV
            </Button>
            <Button icon={<DownloadOutlined />} href={exportHref('xlsx')}>
              XLSX
            </Button>
          </>
        )}
      </Space>
    </Flex>
  )

  const pager = (
    <Flex gap={8} justify="flex-end">
      <Button disabled={cursors.length === 0} onClick={() => setCursors([])}>
        {t('list.first')}
      </Button>
      <Button
        disabled={!page.data?.next_cursor}
        onClick={() => page.data?.next_cursor && setCursors([...cursors, page.data.next_cursor])}
        data-testid="next-page"
      >
        {t('list.more')}
      </Button>
    </Flex>
  )

  const isSelected = (r: EntityRecord) => selected.some((s) => s.id === r.id)
  const toggle = (r: EntityRecord) =>
    setSelected(isSelected(r) ? selected.filter((s) => s.id !== r.id) : [...selected, r])

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      {filters}
      {page.error && (
        <Alert type="error" showIcon title={page.error.message} role="alert" data-testid="list-error" />
      )}
      {bulk}
      {phone ? (
        <List
          loading={page.isFetching}
          dataSource={records}
          locale={{ emptyText: t('list.empty') }}
          renderItem={(r) => (
            <Card size="small" style={{ marginBottom: 8 }} data-testid="record-card">
              <Flex gap={8} align="flex-start">
                <Checkbox
                  checked={isSelected(r)}
                  onChange={() => toggle(r)}
                  aria-label={displayOf(r, meta.display_field)}
                />
                <div style={{ minWidth: 0 }}>
                  <Link to={`/e/${meta.key}/${r.id}`}>
                    <Typography.Text strong>{displayOf(r, meta.display_field)}</Typography.Text>
                  </Link>
                  {columns
                    .filter((f) => f.name !== meta.display_field)
                    .slice(0, 3)
                    .map((f) => {
                      const text = formatValue(f, fieldValue(r, f.name), yes, no, nameOf)
                      return text ? (
                        <div key={f.name}>
                          <Typography.Text type="secondary">{f.label}: </Typography.Text>
                          {f.type === 'file' ? <FileLink id={text} /> : text}
                        </div>
                      ) : null
                    })}
                </div>
              </Flex>
            </Card>
          )}
        />
      ) : (
        <Table<EntityRecord>
          rowKey="id"
          size="middle"
          loading={page.isFetching}
          dataSource={records}
          pagination={false}
          scroll={{ x: true }}
          locale={{ emptyText: t('list.empty') }}
          rowSelection={{
            selectedRowKeys: selected.map((s) => s.id),
            onChange: (_keys, rows) => setSelected(rows),
            getTitleCheckboxProps: () => ({ 'aria-label': t('list.selected', { count: records.length }) }),
            getCheckboxProps: (r) => ({ 'aria-label': displayOf(r, meta.display_field) }),
          }}
          onRow={(r) => ({ onDoubleClick: () => open(r) })}
          onChange={(_p, _f, sorter) => {
            const s = sorter as SorterResult<EntityRecord>
            const name = typeof s.columnKey === 'string' ? s.columnKey : undefined
            setParam('sort', name && s.order ? `${s.order === 'descend' ? '-' : ''}${name}` : null)
          }}
          columns={columns.map((f, index) => ({
            key: f.name,
            title: f.label,
            sorter: SORTABLE.has(f.type),
            sortOrder:
              sort === f.name ? ('ascend' as const) : sort === `-${f.name}` ? ('descend' as const) : null,
            render: (_: unknown, r: EntityRecord) => {
              const text = formatValue(f, fieldValue(r, f.name), yes, no, nameOf)
              if (index === 0) return <Link to={`/e/${meta.key}/${r.id}`}>{text || r.id}</Link>
              return f.type === 'file' && text ? <FileLink id={text} /> : text
            },
          }))}
        />
      )}
      {pager}
    </Space>
  )
}

function ColumnFilter(props: {
  field: FieldMeta
  value: string
  onChange: (v: string | null) => void
  yes: string
  no: string
}) {
  const { t } = useTranslation()
  const { field, value, onChange } = props
  const label = t('list.columnFilter', { label: field.label })
  if (field.type === 'select' || field.type === 'boolean') {
    const options =
      field.type === 'boolean'
        ? [
            { value: 'true', label: props.yes },
            { value: 'false', label: props.no },
          ]
        : (field.options ?? []).map((o) => ({ value: o, label: o }))
    return (
      <Select
        aria-label={label}
        placeholder={field.label}
        allowClear
        value={value || undefined}
        onChange={(v) => onChange(v ?? null)}
        options={options}
        style={{ minWidth: 140 }}
        data-testid={`column-filter-${field.name}`}
      />
    )
  }
  return (
    <Input
      aria-label={label}
      placeholder={field.label}
      defaultValue={value}
      allowClear
      onPressEnter={(e) => onChange((e.target as HTMLInputElement).value)}
      onBlur={(e) => e.target.value !== value && onChange(e.target.value)}
      style={{ width: 160 }}
      data-testid={`column-filter-${field.name}`}
    />
  )
}
