import { useQuery } from '@tanstack/react-query'
import { api } from '../api/client.ts'
import { holds, useMembership } from '../api/queries.ts'
import { useSession } from '../auth/session.tsx'

/**
 * Who a user id is, for "uploaded by" and the like: the tenant's members by name when the member
 * may list them, else only themselves; anyone else shows as the id's first characters.
 */
export function useMemberNames(): (userId: string | null) => string {
  const { me } = useSession()
  const membership = useMembership()
  const members = useQuery({
    queryKey: ['members'],
    queryFn: () => api<{ data: { user_id: string; name: string }[] }>('/members').then((r) => r.data),
    enabled: holds(membership.data, 'kernel.member:read'),
    staleTime: 60_000,
  })
  return (userId) => {
    if (!userId) return '—'
    if (userId === me?.user.id) return me.user.name
    return members.data?.find((m) => m.user_id === userId)?.name ?? userId.slice(0, 8)
  }
}
