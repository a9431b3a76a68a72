import { DeleteOutlined, PlusOutlined } from '@ant-design/icons'
import { Button, Spin, Table } from 'antd'
import { useTranslation } from 'react-i18next'
import { useEntityMeta } from '../api/queries.ts'
import type { FieldMeta } from '../api/types.ts'
import { FieldInput } from './FieldInput.tsx'
import { fieldValue, idOf } from './values.ts'

type Line = Record<string, unknown>

interface Props {
  id?: string
  /** the children field of the document */
  field: FieldMeta
  /** the document's entity: its back reference on the lines is set by the server, not edited */
  parent: string
  value?: Line[]
  onChange?: (lines: Line[]) => void
  disabled?: boolean
}

const SKIP = new Set(['children', 'computed', 'file', 'json'])

/** A document's lines as an editable grid; the lines sent replace the document's (ids keep theirs). */
export function LinesGrid({ id, field, parent, value, onChange, disabled }: Props) {
  const { t } = useTranslation()
  const meta = useEntityMeta(field.target ?? undefined)
  if (!meta.data) return <Spin />
  const columns = meta.data.fields.filter(
    (f) => !SKIP.has(f.type) && !(f.type === 'reference' && f.target === parent) && !f.read_only,
  )
  const lines = (value ?? []).map((line) => {
    const clean: Line = line.id ? { id: line.id } : {}
    for (const c of columns)
      clean[c.name] = c.type === 'reference' ? idOf(fieldValue(line, c.name)) : fieldValue(line, c.name)
    return clean
  })
  const update = (index: number, name: string, v: unknown) =>
    onChange?.(lines.map((line, i) => (i === index ? { ...line, [name]: v } : line)))
  return (
    <div id={id}>
      <Table
        size="small"
        pagination={false}
        scroll={{ x: true }}
        rowKey={(_line, index) => String(index)}
        dataSource={lines}
        columns={[
          ...columns.map((c) => ({
            title: c.label,
            key: c.name,
            render: (_: unknown, line: Line, index: number) => (
              <FieldInput
                field={c}
                value={line[c.name]}
                onChange={(v) => update(index, c.name, v)}
                disabled={disabled}
                ariaLabel={`${c.label} ${index + 1}`}
              />
            ),
          })),
          {
            title: '',
            key: 'remove',
            width: 48,
            render: (_: unknown, _line: Line, index: number) => (
              <Button
                type="text"
                danger
                icon={<DeleteOutlined />}
                aria-label={`${t('form.removeLine')} ${index + 1}`}
                disabled={disabled}
                onClick={() => onChange?.(lines.filter((_l, i) => i !== index))}
              />
            ),
          },
        ]}
      />
      <Button
        icon={<PlusOutlined />}
        onClick={() => onChange?.([...lines, {}])}
        disabled={disabled}
        style={{ marginTop: 8 }}
      >
        {t('form.addLine')}
      </Button>
    </div>
  )
}
