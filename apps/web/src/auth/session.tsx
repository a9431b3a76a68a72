import { useQuery, useQueryClient } from '@tanstack/react-query'
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react'
import { ApiError, api, setCsrfToken, whenSessionLost } from '../api/client.ts'
import type { Me } from '../api/types.ts'

interface Session {
  me: Me | null
  loading: boolean
  /** the last signed-in call answered 401: the session ended elsewhere or expired */
  lost: boolean
  /** after a sign-in: load the member and their CSRF token */
  refresh: () => Promise<Me | null>
  logout: () => Promise<void>
}

const SessionContext = createContext<Session | null>(null)

export function useSession(): Session {
  const session = useContext(SessionContext)
  if (!session) throw new Error('useSession outside SessionProvider')
  return session
}

async function loadMe(): Promise<Me | null> {
  try {
    const me = await api<Me>('/auth/me', { anonymous: true })
    setCsrfToken(me.csrf_token ?? null)
    return me
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      setCsrfToken(null)
      return null
    }
    throw err
  }
}

/** Who is signed in, from GET /auth/me; a 401 anywhere later drops back to the sign-in screen. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient()
  const [lost, setLost] = useState(false)
  const me = useQuery({ queryKey: ['me'], queryFn: loadMe, staleTime: Number.POSITIVE_INFINITY, retry: 1 })

  useEffect(() => {
    whenSessionLost(() => {
      setCsrfToken(null)
      setLost(true)
      client.setQueryData(['me'], null)
    })
  }, [client])

  const refresh = useCallback(async () => {
    const fresh = await loadMe()
    // another member's cached answers must not leak into this session
    client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' })
    client.setQueryData(['me'], fresh)
    setLost(false)
    return fresh
  }, [client])

  const logout = useCallback(async () => {
    try {
      await api('/auth/logout', { method: 'POST', anonymous: true })
    } finally {
      setCsrfToken(null)
      client.clear()
      client.setQueryData(['me'], null)
      setLost(false)
    }
  }, [client])

  const value = useMemo<Session>(
    () => ({ me: me.data ?? null, loading: me.isPending, lost, refresh, logout }),
    [me.data, me.isPending, lost, refresh, logout],
  )
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>
}
