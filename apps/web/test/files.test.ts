import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  apiAs,
  axeViolations,
  type Member,
  newPage,
  PHONE,
  shot,
  signIn,
  signUpByApi,
  skippedOnServerRun,
  startWorld,
  type World,
} from './harness.ts'
import { addMember } from './members.ts'

let world: World
let dataDir: string

interface StoredFile {
  id: string
  name: string
  current_version: number
}

/** A tenant with a custom entity "Contract" whose `signed_copy` is a file field, and one contract. */
async function contracts(): Promise<{ member: Member; contract: { id: string } }> {
  const member = await signUpByApi(world)
  await apiAs(world, member, 'POST', '/meta/entities', {
    name: 'contract',
    label: 'Contract',
    plural_label: 'Contracts',
    display_field: 'title',
    fields: [
      { key: 'title', type: 'text', label: 'Title', required: true },
      { key: 'signed_copy', type: 'file', label: 'Signed copy' },
    ],
    layout: { list: ['title', 'signed_copy'] },
  })
  const contract = await apiAs<{ id: string }>(world, member, 'POST', '/custom/contracts', {
    title: 'Lease 2026',
  })
  return { member, contract }
}

const filesOf = (member: Member, id: string) =>
  apiAs<{ data: StoredFile[] }>(world, member, 'GET', `/files?entity=custom.contract&record_id=${id}`).then(
    (r) => r.data,
  )

/** Attaches a file to a contract through the API (the body is the file). */
async function attach(member: Member, recordId: string, name: string, body: string): Promise<StoredFile> {
  const res = await fetch(
    `${world.url}/api/v1/files?entity=custom.contract&record_id=${recordId}&filename=${encodeURIComponent(name)}`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${member.token}`, 'content-type': 'application/octet-stream' },
      body,
    },
  )
  if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${await res.text()}`)
  return (await res.json()) as StoredFile
}

const file = (name: string, text: string) => ({ name, mimeType: 'text/plain', buffer: Buffer.from(text) })

/** Clicks what opens the file picker and picks `files` in it, as a member choosing from disk. */
async function pick(page: Page, opener: ReturnType<Page['getByTestId']>, files: ReturnType<typeof file>) {
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), opener.click()])
  await chooser.setFiles(files)
}

/** Downloads through a link and returns what arrived. */
async function download(page: Page, link: ReturnType<Page['getByTestId']>): Promise<string> {
  const [done] = await Promise.all([page.waitForEvent('download'), link.click()])
  return readFile((await done.path()) as string, 'utf8')
}

describe.skipIf(skippedOnServerRun('files.test.ts'))('web app: attachments and file fields', () => {
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tessera-web-files-'))
    world = await startWorld({ env: { TESSERA_DATA_DIR: dataDir } })
  })
  afterAll(async () => {
    await world?.close()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  it('uploads by button and by drop, adds a version, downloads any version and deletes a file', async () => {
    const { member, contract } = await contracts()
    const { context, page } = await newPage(world)
    await signIn(page, member)
    await page.goto(`/e/custom.contract/${contract.id}`)
    const card = page.getByTestId('attachments')
    await card.getByText('No files').waitFor()

    await pick(
      page,
      page.getByTestId('attachments-drop').locator('.ant-upload-drag'),
      file('notes.txt', 'first'),
    )
    const row = card.locator('tr').filter({ has: page.getByTestId('download-notes.txt') })
    await row.waitFor()
    expect(await row.textContent()).toContain('5 B')
    expect(await row.textContent()).toContain('text/plain')
    expect(await row.textContent()).toContain('Grace Hopper')

    // a file dropped on the zone, as from the desktop
    const dropped = await page.evaluateHandle(() => {
      // runs in the page: the tests' (Node) type-check has no DOM types, so they are named here
      const dom = globalThis as unknown as {
        DataTransfer: new () => { items: { add(file: unknown): void } }
        File: new (parts: string[], name: string, options: { type: string }) => unknown
      }
      const transfer = new dom.DataTransfer()
      transfer.items.add(new dom.File(['dropped bytes'], 'dropped.txt', { type: 'text/plain' }))
      return transfer
    })
    await page
      .getByTestId('attachments-drop')
      .locator('.ant-upload-drag-container')
      .dispatchEvent('drop', { dataTransfer: dropped })
    await page.getByTestId('download-dropped.txt').waitFor()

    await pick(page, page.getByTestId('new-version-notes.txt'), file('notes.txt', 'second version'))
    await card.getByRole('button', { name: 'Versions (2)' }).waitFor()
    const [notes] = (await filesOf(member, contract.id)).filter((f) => f.name === 'notes.txt')
    expect(notes?.current_version).toBe(2)

    expect(await download(page, page.getByTestId('download-notes.txt'))).toBe('second version')
    await page.getByTestId('file-versions-toggle-notes.txt').click()
    const versions = page.getByTestId(`file-versions-${notes?.id}`)
    await versions.getByText('v1', { exact: true }).waitFor()
    expect(await download(page, page.getByTestId(`download-${notes?.id}-v1`))).toBe('first')
    expect(await download(page, page.getByTestId(`download-${notes?.id}-v2`))).toBe('second version')

    await page.getByTestId('delete-file-dropped.txt').click()
    await page.locator('.ant-popconfirm').getByRole('button', { name: 'OK' }).click()
    await page.getByTestId('download-dropped.txt').waitFor({ state: 'detached' })
    expect((await filesOf(member, contract.id)).map((f) => f.name)).toEqual(['notes.txt'])
    await context.close()
  })

  it('uploads a file field from the form, saves it, and shows and downloads it in the form and the list', async () => {
    const { member, contract } = await contracts()
    const { context, page } = await newPage(world)
    await signIn(page, member)

    // a new record has nothing to attach to yet
    await page.goto('/e/custom.contract/new')
    await page.getByText('Save the record first, then attach the file.').waitFor()

    await page.goto(`/e/custom.contract/${contract.id}`)
    const field = page.getByTestId('file-field')
    await field.getByText('No file').waitFor()
    await pick(page, page.getByTestId('file-field-upload'), file('signed.pdf', '%PDF-1.4 signed'))
    await field.getByTestId('file-field-link').filter({ hasText: 'signed.pdf' }).waitFor()
    await page.getByTestId('save').click()
    await page.getByText('Saved').waitFor()
    const [stored] = await filesOf(member, contract.id)
    const saved = await apiAs<{ signed_copy: string }>(
      world,
      member,
      'GET',
      `/custom/contracts/${contract.id}`,
    )
    expect(saved.signed_copy).toBe(stored?.id)
    expect(await download(page, field.getByTestId('file-field-link'))).toBe('%PDF-1.4 signed')

    // replacing keeps the same file and adds a version: the field's value does not change
    await pick(page, page.getByTestId('file-field-upload'), file('signed-v2.pdf', '%PDF-1.4 countersigned'))
    await field.getByTestId('file-field-link').filter({ hasText: 'signed-v2.pdf' }).waitFor()
    await page.getByTestId('attachments').getByRole('button', { name: 'Versions (2)' }).waitFor()

    await page.goto('/e/custom.contract')
    const cell = page.getByRole('row', { name: /Lease 2026/ }).getByTestId('file-field-link')
    await cell.filter({ hasText: 'signed-v2.pdf' }).waitFor()
    expect(await download(page, cell)).toBe('%PDF-1.4 countersigned')
    await context.close()
  })

  it('shows a member who may only read the files without upload, version or delete buttons', async () => {
    const { member, contract } = await contracts()
    const terms = await attach(member, contract.id, 'terms.txt', 'the terms')
    await apiAs(world, member, 'PATCH', `/custom/contracts/${contract.id}`, { signed_copy: terms.id })
    await apiAs(world, member, 'POST', '/roles', {
      key: 'contract_reader',
      name: 'Contract reader',
      permissions: ['custom.contract:read'],
    })
    const reader = await addMember(world, member, ['contract_reader'])
    const { context, page } = await newPage(world)
    await signIn(page, reader)
    await page.goto(`/e/custom.contract/${contract.id}`)
    await page.getByTestId('download-terms.txt').waitFor()
    expect(await page.getByTestId('attachments-drop').count()).toBe(0)
    expect(await page.getByTestId('new-version-terms.txt').count()).toBe(0)
    expect(await page.getByTestId('delete-file-terms.txt').count()).toBe(0)
    expect(await page.getByTestId('file-field-upload').count()).toBe(0)
    await page.getByTestId('file-field-link').filter({ hasText: 'terms.txt' }).waitFor()
    expect(await download(page, page.getByTestId('download-terms.txt'))).toBe('the terms')
    await context.close()
  })

  it('shows attachments as cards on a phone, with no sideways scrolling, and changes them there', async () => {
    const { member, contract } = await contracts()
    // a long name without spaces is what pushed the table wider than the phone
    const long = `signed-lease-agreement-${'x'.repeat(60)}.txt`
    const terms = await attach(member, contract.id, long, 'the lease')
    await attach(member, contract.id, 'annex.txt', 'the annex')
    const { context, page } = await newPage(world, PHONE)
    await signIn(page, member)
    await page.goto(`/e/custom.contract/${contract.id}`)
    const card = page.getByTestId('attachments')
    await card.getByTestId('file-card').nth(1).waitFor()
    expect(await card.getByRole('table').count()).toBe(0)
    // neither the page nor anything inside the card scrolls sideways (a table would, inside itself)
    const fits = async () => {
      const [width, viewport, scrollers] = (await page.evaluate(`[
        document.scrollingElement.scrollWidth,
        window.innerWidth,
        [...document.querySelectorAll('[data-testid="attachments"] *')].filter(
          (e) => e.scrollWidth > e.clientWidth + 1 && /auto|scroll/.test(getComputedStyle(e).overflowX),
        ).length,
      ]`)) as [number, number, number]
      expect(width).toBeLessThanOrEqual(viewport)
      expect(scrollers).toBe(0)
    }
    await fits()

    // a new version from the card, then its versions listed inside the card
    await pick(page, page.getByTestId(`new-version-${long}`), file(long, 'the lease, signed'))
    await card.getByRole('button', { name: 'Versions (2)' }).click()
    const versions = page.getByTestId(`file-versions-${terms.id}`)
    await versions.getByText('v1', { exact: true }).waitFor()
    expect(await download(page, page.getByTestId(`download-${terms.id}-v1`))).toBe('the lease')
    expect(await download(page, page.getByTestId(`download-${long}`))).toBe('the lease, signed')
    await fits()
    await page.mouse.move(0, 0)
    expect(await axeViolations(page)).toEqual([])
    expect(await axeViolations(page, 'serious')).toEqual([])
    await shot(page, 'phone-record-attachment-cards')

    await page.getByTestId('delete-file-annex.txt').click()
    await page.locator('.ant-popconfirm').getByRole('button', { name: 'OK' }).click()
    await page.getByTestId('download-annex.txt').waitFor({ state: 'detached' })
    expect((await filesOf(member, contract.id)).map((f) => f.name)).toEqual([long])
    await fits()
    await context.close()
  })

  it('has no critical axe violations on a record with attachments, and screenshots it on desktop and phone', async () => {
    const { member, contract } = await contracts()
    await attach(member, contract.id, 'terms.txt', 'the terms')
    await attach(member, contract.id, 'annex.txt', 'the annex')
    for (const [viewport, prefix] of [
      [undefined, 'desktop'],
      [PHONE, 'phone'],
    ] as const) {
      const { context, page } = await newPage(world, viewport)
      await signIn(page, member)
      await page.goto(`/e/custom.contract/${contract.id}`)
      await page.getByTestId('download-annex.txt').waitFor()
      await page.getByTestId('file-versions-toggle-terms.txt').click()
      await page.getByText('v1', { exact: true }).waitFor()
      if (prefix === 'desktop') expect(await axeViolations(page, 'critical')).toEqual([])
      await shot(page, `${prefix}-record-attachments`)
      await context.close()
    }
  })
})
