import { Select } from 'antd'
import { useMemberNames, useMembers } from './member-names.ts'

interface Props {
  id?: string
  value?: string | null
  onChange?: (value: string | null) => void
  disabled?: boolean
  placeholder?: string
  'aria-label'?: string
}

/**
 * Picks a member of the tenant by name, for a `user` field. Disabled members are not offered, but
 * a value naming one still shows their name.
 */
export function UserSelect({ value, onChange, ...rest }: Props) {
  const { members, loading } = useMembers()
  const nameOf = useMemberNames()
  const options = members
    .filter((m) => m.status === 'active' || m.user_id === value)
    .map((m) => ({ value: m.user_id, label: m.name }))
  if (value && !options.some((o) => o.value === value)) options.push({ value, label: nameOf(value) })
  return (
    <Select
      {...rest}
      showSearch={{ optionFilterProp: 'label' }}
      allowClear
      loading={loading}
      value={value ?? null}
      onChange={(v) => onChange?.(v ?? null)}
      options={options}
    />
  )
}
