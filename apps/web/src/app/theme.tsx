import { App as AntApp, ConfigProvider, theme } from 'antd'
import enUS from 'antd/locale/en_US'
import frFR from 'antd/locale/fr_FR'
import { createContext, type ReactNode, useContext, useEffect, useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'

type Mode = 'light' | 'dark'
const STORAGE_KEY = 'tessera.theme'

const ModeContext = createContext<{ mode: Mode; toggle: () => void }>({ mode: 'light', toggle: () => {} })

export const useThemeMode = () => useContext(ModeContext)

function initialMode(): Mode {
  const saved = localStorage.getItem(STORAGE_KEY)
  if (saved === 'light' || saved === 'dark') return saved
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'
}

/** Ant Design's theme (light or dark, remembered) and locale (following i18next). */
export function ThemeProvider({ children }: { children: ReactNode }) {
  const [mode, setMode] = useState<Mode>(initialMode)
  const { i18n } = useTranslation()
  useEffect(() => {
    localStorage.setItem(STORAGE_KEY, mode)
    document.documentElement.dataset.theme = mode
    document.body.style.background = mode === 'dark' ? '#141414' : '#f5f5f5'
  }, [mode])
  const value = useMemo(
    () => ({ mode, toggle: () => setMode((m) => (m === 'dark' ? 'light' : 'dark')) }),
    [mode],
  )
  return (
    <ModeContext.Provider value={value}>
      <ConfigProvider
        locale={i18n.language === 'fr' ? frFR : enUS}
        theme={{
          algorithm: mode === 'dark' ? theme.darkAlgorithm : theme.defaultAlgorithm,
          // a primary a shade darker than Ant's default keeps white text above 4.5:1 contrast, and
          // light mode's placeholder and secondary greys are darkened to 4.5:1 as well (WCAG AA)
          token:
            mode === 'dark'
              ? { colorPrimary: '#1d5fc9' }
              : {
                  colorPrimary: '#1d5fc9',
                  colorLink: '#1d5fc9',
                  // danger buttons and error texts in red-7: Ant's default red is 3:1 on white
                  colorError: '#cf1322',
                  colorTextPlaceholder: 'rgba(0, 0, 0, 0.56)',
                  colorTextSecondary: 'rgba(0, 0, 0, 0.62)',
                  colorTextDescription: 'rgba(0, 0, 0, 0.62)',
                },
        }}
      >
        <AntApp>{children}</AntApp>
      </ConfigProvider>
    </ModeContext.Provider>
  )
}
