// Browser tests of 共建协议 (agreements): community staff at 1280 px open the list from the menu,
// see the demo responsibility agreements with their progress, open the hospital's, read its three
// commitments with "delivered / target" and progress, are told a text file is refused (415), and
// upload a signed PDF that is then listed; the unit's page links to it; the list at 375 px.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { choose, desktop, fill, noOverflow, phone, shots, signIn as signInAs, useApp } from './harness.mjs'

const env = useApp(before, after)
const signIn = (page, username) => signInAs(env, page, username)
const COMMUNITY = '斜桥巷社区'
const HOSPITAL = '常州市第一人民医院'
const YEAR = new Date().getFullYear()

describe('agreements', () => {
  test('desktop: community staff open the hospital\'s agreement, read its commitments and upload the signed PDF', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tongxin-agreement-'))
    const pdf = join(dir, 'signed-agreement.pdf')
    writeFileSync(pdf, '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n')
    const txt = join(dir, 'notes.txt')
    writeFileSync(txt, 'not a document')

    const page = await env.browser.newPage(desktop)
    await signIn(page, 'community1')
    await page.getByTestId('nav-agreements').click()
    await page.waitForURL(/\/agreements$/)
    const table = page.getByTestId('agreement-table')
    const row = table.locator('.agreement-row', { hasText: HOSPITAL })
    await row.waitFor()
    assert.ok(await table.locator('.agreement-row').count() >= 1)
    await row.getByText(COMMUNITY).waitFor()
    await row.getByText('目标责任书', { exact: true }).waitFor()
    await row.getByText(`${YEAR}-01-01 – ${YEAR}-12-31`).waitFor()
    await row.getByTestId('agreement-progress').waitFor()
    await page.screenshot({ path: join(shots, 'agreements-list-desktop.png') })

    await row.click()
    await page.waitForURL(/\/agreements\/[^/]+$/)
    await page.getByTestId('agreement-title').getByText(`${YEAR}年度${HOSPITAL}共建目标责任书`).waitFor()
    const commitments = page.getByTestId('commitment')
    await commitments.first().waitFor()
    assert.equal(await commitments.count(), 3)
    await commitments.filter({ hasText: '全年上门服务不少于6次' }).getByTestId('commitment-delivered').getByText(/已完成 \d+ \/ 6 单/).waitFor()
    await commitments.filter({ hasText: '服务时长不少于10小时' }).getByTestId('commitment-delivered').getByText(/已服务 [\d.]+ \/ 10 小时/).waitFor()
    await commitments.filter({ hasText: '全年上门服务不少于6次' }).getByTestId('commitment-progress').waitFor()
    await commitments.filter({ hasText: '服务时长不少于10小时' }).getByTestId('commitment-progress').waitFor()
    // No target, no bar.
    assert.equal(await commitments.filter({ hasText: '参加共建联席会议' }).getByTestId('commitment-progress').count(), 0)

    // A text file is refused with the translated 415.
    await page.getByTestId('document-file').setInputFiles(txt)
    await page.getByTestId('document-error').getByText('只能上传 PDF、JPG 或 PNG 文件').waitFor()

    await page.getByTestId('document-file').setInputFiles(pdf)
    await page.getByTestId('agreement-documents').getByTestId('document-signed-agreement.pdf').waitFor()
    assert.equal(await page.getByTestId('document-error').count(), 0)
    await page.screenshot({ path: join(shots, 'agreements-detail-desktop.png') })

    // The download goes through the signed-in client and saves the same bytes.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('document-signed-agreement.pdf').getByText('signed-agreement.pdf').click()])
    assert.equal(download.suggestedFilename(), 'signed-agreement.pdf')

    // The unit's page lists it and links back.
    await page.getByTestId('agreement-facts').getByText(HOSPITAL).click()
    await page.waitForURL(/\/units\//)
    await page.getByTestId('unit-agreements').getByText(`${YEAR}年度${HOSPITAL}共建目标责任书`).waitFor()

    // A new co-building agreement: target hours are sent as minutes.
    await page.goto(`${env.server.base}/agreements`)
    await page.getByTestId('agreement-new').click()
    await choose(page, 'agreement-form-unit', HOSPITAL)
    await page.getByTestId('agreement-form-kind').getByText('共建协议').click()
    await fill(page, 'agreement-form-title', '义诊进社区共建协议')
    await page.getByTestId('agreement-form-commitment-0').locator('input').first().fill('每季度义诊一次')
    await page.getByTestId('agreement-form-commitment-0').locator('input').nth(2).fill('2.5')
    await page.getByTestId('agreement-save').click()
    await page.getByTestId('agreement-title').getByText('义诊进社区共建协议').waitFor()
    await page.getByTestId('commitment').getByText(/已服务 [\d.]+ \/ 2\.5 小时/).waitFor()
    await page.close()
  })

  test('phone: the agreement list and an agreement render at 375 px', async () => {
    const page = await env.browser.newPage(phone)
    await signIn(page, 'community1')
    await page.getByTestId('menu-toggle').click()
    await page.getByTestId('drawer-nav-agreements').click()
    await page.waitForURL(/\/agreements$/)
    await page.locator('.el-drawer').waitFor({ state: 'hidden' })
    const card = page.getByTestId('agreement-cards').getByTestId('agreement-card').filter({ hasText: `${YEAR}年度${HOSPITAL}共建目标责任书` })
    await card.waitFor()
    await card.getByText(COMMUNITY).first().waitFor()
    await card.getByTestId('agreement-progress').waitFor()
    await noOverflow(page)
    await page.screenshot({ path: join(shots, 'agreements-list-phone.png') })
    // Its detail fits too.
    await card.click()
    await page.getByTestId('commitment').first().waitFor()
    await noOverflow(page)
    await page.screenshot({ path: join(shots, 'agreements-detail-phone.png') })
    await page.close()
  })
})
