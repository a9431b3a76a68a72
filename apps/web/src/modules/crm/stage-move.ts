import { api } from '../../api/client.ts'
import type { PipelineCard, PipelineStage } from './api.ts'

interface Saved {
  version: number
}

const ifMatch = (version: number) => ({ 'if-match': `"${version}"` })

/**
 * Moves a deal to another pipeline column the way the server wants it: the won and lost columns
 * through the win and lose actions (a lost deal carries its reason), a closed deal reopened before
 * it goes back to an open column, an open column by updating the stage, which the server refuses
 * when the stage requires a field the deal lacks.
 */
export async function moveDeal(card: PipelineCard, to: PipelineStage, lostReason?: string): Promise<void> {
  const path = `/opportunities/${card.id}`
  let version = card.version
  if (to.is_won) {
    await api(`${path}/actions/win`, { method: 'POST', headers: ifMatch(version) })
    return
  }
  if (to.is_lost) {
    if (lostReason)
      version = (
        await api<Saved>(path, {
          method: 'PATCH',
          body: { lost_reason: lostReason },
          headers: ifMatch(version),
        })
      ).version
    await api(`${path}/actions/lose`, { method: 'POST', headers: ifMatch(version) })
    return
  }
  if (card.state !== 'open')
    version = (await api<Saved>(`${path}/actions/reopen`, { method: 'POST', headers: ifMatch(version) }))
      .version
  await api(path, { method: 'PATCH', body: { stage: to.id }, headers: ifMatch(version) })
}
