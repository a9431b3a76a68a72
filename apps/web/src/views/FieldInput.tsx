import { Input, InputNumber, Select, Space, Switch } from 'antd'
import { useTranslation } from 'react-i18next'
import type { FieldMeta } from '../api/types.ts'
import { FileInput, type FileOwner } from './FileField.tsx'
import { ReferenceSelect } from './ReferenceSelect.tsx'
import { UserSelect } from './UserSelect.tsx'

interface Props {
  field: FieldMeta
  id?: string
  value?: unknown
  onChange?: (value: unknown) => void
  disabled?: boolean
  /** inside a grid cell, the column header labels the input */
  ariaLabel?: string
  /** the saved record a file field's uploads attach to */
  owner?: FileOwner
}

type Money = { amount?: string; currency?: string }

/** The widget of one field, chosen by its type; values stay in the API's shapes (decimals as text). */
export function FieldInput({ field, id, value, onChange, disabled, ariaLabel, owner }: Props) {
  const { t } = useTranslation()
  const common = { id, disabled: disabled || field.read_only, 'aria-label': ariaLabel }
  const text = (value ?? '') as string
  const onText = (e: { target: { value: string } }) => onChange?.(e.target.value)
  switch (field.type) {
    case 'long_text':
      return (
        <Input.TextArea {...common} value={text} onChange={onText} autoSize={{ minRows: 3, maxRows: 12 }} />
      )
    case 'json':
      return (
        <Input.TextArea
          {...common}
          value={
            typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value, null, 2)
          }
          onChange={onText}
          autoSize={{ minRows: 3 }}
        />
      )
    case 'integer':
      return (
        <InputNumber
          {...common}
          value={value as number | null}
          onChange={(v) => onChange?.(v)}
          precision={0}
          style={{ width: '100%' }}
        />
      )
    case 'decimal':
      return <Input {...common} value={text} onChange={onText} inputMode="decimal" />
    case 'money': {
      const money = (value ?? {}) as Money
      return (
        <Space.Compact style={{ width: '100%' }}>
          <Input
            {...common}
            aria-label={ariaLabel ? `${ariaLabel}: ${t('form.amount')}` : undefined}
            inputMode="decimal"
            value={money.amount ?? ''}
            onChange={(e) => onChange?.({ ...money, amount: e.target.value })}
          />
          <Input
            disabled={common.disabled}
            aria-label={`${ariaLabel ?? field.label}: ${t('form.currencyCode')}`}
            maxLength={3}
            style={{ width: 80 }}
            value={money.currency ?? ''}
            onChange={(e) => onChange?.({ ...money, currency: e.target.value.toUpperCase() })}
          />
        </Space.Compact>
      )
    }
    case 'boolean':
      return <Switch {...common} checked={value === true} onChange={(checked) => onChange?.(checked)} />
    case 'date':
      return <Input {...common} type="date" value={text} onChange={onText} />
    case 'datetime':
      return <Input {...common} type="datetime-local" value={text.slice(0, 16)} onChange={onText} />
    case 'select':
    case 'multi_select':
      return (
        <Select
          {...common}
          allowClear
          mode={field.type === 'multi_select' ? 'multiple' : undefined}
          value={value ?? (field.type === 'multi_select' ? [] : null)}
          onChange={(v) => onChange?.(v ?? null)}
          options={(field.options ?? []).map((o) => ({ value: o, label: o }))}
        />
      )
    case 'reference':
    case 'many_to_many':
      return (
        <ReferenceSelect
          {...common}
          target={field.target as string}
          multiple={field.type === 'many_to_many'}
          value={value as string | string[] | null}
          onChange={onChange}
          placeholder={t('form.typeToSearch')}
        />
      )
    case 'user':
      return (
        <UserSelect
          {...common}
          value={value as string | null}
          onChange={onChange}
          placeholder={t('form.typeToSearch')}
        />
      )
    case 'file':
      return (
        <FileInput
          id={id}
          value={value}
          onChange={onChange}
          disabled={common.disabled}
          ariaLabel={ariaLabel ?? field.label}
          {...(owner ? { owner } : {})}
        />
      )
    case 'email':
      return <Input {...common} type="email" value={text} onChange={onText} autoComplete="off" />
    case 'url':
      return <Input {...common} type="url" value={text} onChange={onText} />
    case 'phone':
      return <Input {...common} type="tel" value={text} onChange={onText} />
    default:
      return <Input {...common} value={text} onChange={onText} />
  }
}
