import { useQuery } from '@tanstack/react-query'
import { api } from '../api/client.ts'
import { holds, useMembership } from '../api/queries.ts'
import { useSession } from '../auth/session.tsx'

export interface MemberName {
  user_id: string
  name: string
  status: 'active' | 'disabled'
}

/**
 * The members this member can name: everyone in the tenant when they may list members
 * (kernel.member:read), else only themselves.
 */
export function useMembers(): { members: MemberName[]; loading: boolean } {
  const { me } = useSession()
  const membership = useMembership()
  const allowed = holds(membership.data, 'kernel.member:read')
  const members = useQuery({
    queryKey: ['members'],
    queryFn: () => api<{ data: MemberName[] }>('/members').then((r) => r.data),
    enabled: allowed,
    staleTime: 60_000,
  })
  const self: MemberName[] = me ? [{ user_id: me.user.id, name: me.user.name, status: 'active' }] : []
  if (!allowed) return { members: self, loading: membership.isLoading }
  const all = members.data ?? []
  const withSelf = all.some((m) => m.user_id === me?.user.id) ? all : [...self, ...all]
  return { members: withSelf, loading: membership.isLoading || members.isLoading }
}

/**
 * Who a user id is, for "uploaded by", a deal's owner and the like: the tenant's members by name
 * when the member may list them, else only themselves; anyone else shows as the id's first characters.
 */
export function useMemberNames(): (userId: string | null) => string {
  const { members } = useMembers()
  return (userId) => {
    if (!userId) return '—'
    return members.find((m) => m.user_id === userId)?.name ?? userId.slice(0, 8)
  }
}
