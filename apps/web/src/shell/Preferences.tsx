import { MoonOutlined, SunOutlined } from '@ant-design/icons'
import { Button, Select, Tooltip } from 'antd'
import { useTranslation } from 'react-i18next'
import { useThemeMode } from '../app/theme.tsx'
import { LANGUAGES } from '../i18n/index.ts'

export function ThemeSwitch() {
  const { t } = useTranslation()
  const { mode, toggle } = useThemeMode()
  const label = mode === 'dark' ? t('shell.lightMode') : t('shell.darkMode')
  return (
    <Tooltip title={label}>
      <Button
        type="text"
        aria-label={label}
        aria-pressed={mode === 'dark'}
        icon={mode === 'dark' ? <SunOutlined /> : <MoonOutlined />}
        onClick={toggle}
        data-testid="theme-toggle"
      />
    </Tooltip>
  )
}

export function LanguageSwitch() {
  const { t, i18n } = useTranslation()
  return (
    <Select
      aria-label={t('shell.language')}
      size="small"
      variant="borderless"
      value={i18n.language}
      onChange={(lng) => void i18n.changeLanguage(lng)}
      options={LANGUAGES.map((l) => ({ value: l.code, label: l.label }))}
      style={{ width: 100 }}
      data-testid="language-switch"
    />
  )
}
