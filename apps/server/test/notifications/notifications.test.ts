import { notify, sendPendingNotificationEmails, withTenant } from '@tessera/kernel'
import { createTestApp, type TestApp } from '@tessera/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addMember, call, type Member } from '../access/helpers.ts'
import { bearer, type SignedUp, signUp } from '../auth/helpers.ts'

let t: TestApp
let owner: SignedUp
let member: Member
beforeAll(async () => {
  t = await createTestApp()
  owner = await signUp(t)
  member = await addMember(t, owner, ['user'])
})
afterAll(async () => t?.close())

const tell = (userId: string, title: string, type = 'kernel.security.alert', tenantId = owner.tenantId) =>
  withTenant(t.database.db, tenantId, (trx) => notify(trx, { userId, type, title, link: '/somewhere' }))

describe('notifications', () => {
  it('lists my notifications only, counts unread, marks read', async () => {
    await tell(member.userId, 'First')
    await tell(member.userId, 'Second')
    await tell(owner.userId, 'For the owner')
    const list = await call(t, member.token, 'GET', '/api/v1/notifications')
    expect(list.statusCode).toBe(200)
    expect(list.json().data.map((n: { title: string }) => n.title)).toEqual(['Second', 'First'])
    expect((await call(t, member.token, 'GET', '/api/v1/notifications/unread-count')).json()).toEqual({
      unread: 2,
    })
    const [second] = list.json().data
    expect((await call(t, member.token, 'POST', `/api/v1/notifications/${second.id}/read`)).statusCode).toBe(
      204,
    )
    expect(
      (await call(t, member.token, 'GET', '/api/v1/notifications?unread=true')).json().data,
    ).toHaveLength(1)
    const ownersId = (await call(t, owner.accessToken, 'GET', '/api/v1/notifications')).json().data[0].id
    expect((await call(t, member.token, 'POST', `/api/v1/notifications/${ownersId}/read`)).statusCode).toBe(
      404,
    )
    expect((await call(t, member.token, 'POST', '/api/v1/notifications/read-all')).json()).toEqual({
      marked: 1,
    })
    expect((await call(t, member.token, 'GET', '/api/v1/notifications/unread-count')).json()).toEqual({
      unread: 0,
    })
  })

  it("another tenant's member never sees them", async () => {
    const other = await signUp(t)
    await tell(other.userId, 'Elsewhere', 'kernel.security.alert', other.tenantId)
    const mine = await call(t, member.token, 'GET', '/api/v1/notifications')
    expect(mine.json().data.map((n: { title: string }) => n.title)).not.toContain('Elsewhere')
  })

  it('sends email only for the types a member chose, after the commit', async () => {
    const put = await call(t, member.token, 'PUT', '/api/v1/notifications/preferences', {
      preferences: [{ type: 'kernel.member.invited', in_app: false, email: true }],
    })
    expect(put.statusCode, put.body).toBe(200)
    expect(put.json().data).toEqual(
      expect.arrayContaining([
        { type: 'kernel.member.invited', in_app: false, email: true },
        { type: 'kernel.security.alert', in_app: true, email: false },
      ]),
    )
    await tell(member.userId, 'You were invited', 'kernel.member.invited')
    const sent: { to: string; subject: string }[] = []
    const count = await sendPendingNotificationEmails(t.database.db, {
      send: async (message) => {
        sent.push(message)
        return { messageId: 'x', accepted: [message.to] } as never
      },
    })
    expect(count).toBeGreaterThanOrEqual(1)
    expect(sent).toContainEqual(expect.objectContaining({ to: member.email, subject: 'You were invited' }))
    const inbox = await call(t, member.token, 'GET', '/api/v1/notifications')
    expect(inbox.json().data.map((n: { title: string }) => n.title)).not.toContain('You were invited')
    expect(await sendPendingNotificationEmails(t.database.db, { send: async () => ({}) as never })).toBe(0)
  })

  it('refuses bad input', async () => {
    const unknown = await call(t, member.token, 'PUT', '/api/v1/notifications/preferences', {
      preferences: [{ type: 'nope.nothing', in_app: true, email: true }],
    })
    expect(unknown.statusCode).toBe(400)
    expect(unknown.json().errors[0].field).toBe('preferences[0].type')
    const wrong = await call(t, member.token, 'PUT', '/api/v1/notifications/preferences', {
      preferences: [{ type: 'kernel.security.alert', in_app: 'yes', email: true }],
    })
    expect(wrong.statusCode).toBe(400)
    expect((await call(t, member.token, 'GET', '/api/v1/notifications?limit=500')).statusCode).toBe(400)
    expect((await call(t, member.token, 'POST', '/api/v1/notifications/not-a-uuid/read')).statusCode).toBe(
      400,
    )
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/notifications' })).statusCode).toBe(401)
  })

  it('pushes new notifications live over Server-Sent Events', async () => {
    const url = await t.app.listen({ port: 0, host: '127.0.0.1' })
    const controller = new AbortController()
    const res = await fetch(`${url}/api/v1/notifications/stream`, {
      headers: bearer(member.token),
      signal: controller.signal,
    })
    expect(res.headers.get('content-type')).toContain('text/event-stream')
    const reader = (res.body as ReadableStream<Uint8Array>).getReader()
    const decoder = new TextDecoder()
    let text = ''
    const until = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read()
        if (done) throw new Error(`stream ended before ${needle}: ${text}`)
        text += decoder.decode(value)
      }
    }
    await until('event: unread')
    await tell(member.userId, 'Live one')
    await until('Live one')
    expect(text).toMatch(/id: [0-9a-f-]{36}\nevent: notification\ndata: \{.*"title":"Live one"/)
    controller.abort()
  })
})
