import { Card, Flex, Typography } from 'antd'
import type { ReactNode } from 'react'
import { LanguageSwitch, ThemeSwitch } from '../shell/Preferences.tsx'

/** The frame of the signed-out screens: a centred card with the language and theme switches. */
export function AuthLayout({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Flex vertical align="center" justify="center" style={{ minHeight: '100vh', padding: 16 }}>
      <main style={{ width: '100%', maxWidth: 420 }}>
        <Card>
          <Flex justify="space-between" align="center" style={{ marginBottom: 16 }}>
            <Typography.Text strong style={{ fontSize: 18 }}>
              Tessera
            </Typography.Text>
            <Flex gap={4}>
              <LanguageSwitch />
              <ThemeSwitch />
            </Flex>
          </Flex>
          <Typography.Title level={1} style={{ fontSize: 22, marginTop: 0 }}>
            {title}
          </Typography.Title>
          {children}
        </Card>
      </main>
    </Flex>
  )
}
