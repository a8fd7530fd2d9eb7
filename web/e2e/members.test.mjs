// Browser tests of the party screens: the roster (filters, columns, audited unmasking) at 1280 px
// and 375 px, a member's record (transfer, pending-transfer panel, historical and restore,
// interest branches), a meeting called in the dialog and its attendance sheet (desktop and
// phone), the attendance-rate chart, and a member's own phone page.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { desktop, fill, login, noOverflow, phone, shots, signIn as signInAs, useApp } from './harness.mjs'

const env = useApp(before, after)
const signIn = (page, username) => signInAs(env, page, username)
const BRANCH = '斜桥巷社区第1网格党支部'

/** Signs in and waits until the app has left the login page. */

async function api(username, path, init = {}) {
  const r = await fetch(`${env.server.base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'tongxin-demo' }),
  })
  const { access_token } = await r.json()
  const res = await fetch(`${env.server.base}${path}`, { ...init, headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' } })
  return { status: res.status, body: res.status === 204 ? null : await res.json() }
}

/** Chooses an organisation in a BranchPicker (a searchable el-tree-select). */
async function pickBranch(page, testid, name) {
  await page.getByTestId(testid).click()
  await page.keyboard.type(name)
  await page.locator('.branch-picker-popper .el-select-dropdown__item', { hasText: name }).filter({ visible: true }).first().click()
}

function yesterday() {
  const d = new Date(Date.now() - 86400000)
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}

describe('members and meetings', () => {
  test('desktop: the roster filters, chooses columns, and unmasks with an audit entry', async () => {
    const page = await env.browser.newPage(desktop)
    await login(page, env.server.base, 'street1')
    await page.getByTestId('nav-members').click()
    const table = page.getByTestId('member-table')
    await table.locator('tbody tr').first().waitFor()
    await page.getByTestId('member-category').click()
    await page.locator('.el-select-dropdown__item', { hasText: '离退休党员' }).click()
    await table.getByText('离退休党员').first().waitFor()
    await page.waitForFunction(() => {
      const cells = [...document.querySelectorAll('[data-testid="member-table"] tbody tr')].map((r) => r.textContent)
      return cells.length > 0 && cells.every((c) => c.includes('离退休党员'))
    })
    // The organisation filter takes the whole subtree; the address keeps the filters.
    await pickBranch(page, 'member-branch', '斜桥巷社区第2网格党支部')
    await page.waitForFunction(() => {
      const cells = [...document.querySelectorAll('[data-testid="member-table"] tbody tr')].map((r) => r.textContent)
      return cells.length > 0 && cells.every((c) => c.includes('第2网格') && c.includes('离退休党员'))
    })
    assert.match(page.url(), /category=retired/)
    await page.getByTestId('member-columns').click()
    await page.getByTestId('column-phone').click()
    await table.getByText('手机号').waitFor()
    assert.match(await table.locator('tbody tr').first().innerText(), /\*\*\*\*/, 'phones are masked')
    await page.screenshot({ path: join(shots, 'members-desktop.png') })
    // The chosen columns are kept in this browser.
    await page.reload()
    await table.getByText('手机号').waitFor()
    await table.locator('tbody tr').first().click()
    await page.getByTestId('member-name').waitFor()
    assert.match(await page.getByTestId('member-id-number').innerText(), /\*/)
    await page.getByTestId('member-unmask').click()
    await page.waitForFunction(() => /^\d{17}[\dX]$/.test(document.querySelector('[data-testid="member-id-number"]')?.textContent?.trim() ?? ''))
    await page.getByTestId('member-unmasked').waitFor()
    await page.getByTestId('member-access-log').getByText('street1').first().waitFor()
    await page.getByTestId('member-access-log').getByText('查看完整信息').first().waitFor()
    await page.close()
  })

  test('phone: the roster fits 375 px', async () => {
    const page = await env.browser.newPage(phone)
    await signIn(page, 'secretary1')
    await page.goto(`${env.server.base}/members`)
    await page.getByTestId('member-table').locator('tbody tr').first().waitFor()
    await noOverflow(page)
    await page.screenshot({ path: join(shots, 'members-phone.png') })
    await page.close()
  })

  test('desktop: a secretary transfers a member, accepts it, makes them historical and restores them', async () => {
    const { body } = await api('secretary1', `/api/v1/members?q=${encodeURIComponent('刘德明')}&per_page=5`)
    const member = body.items.find((m) => m.branch_name === BRANCH)
    assert.ok(member, 'a member of the first grid branch')
    const page = await env.browser.newPage(desktop)
    await signIn(page, 'secretary1')
    await page.goto(`${env.server.base}/members/${member.id}`)
    await page.getByTestId('member-name').getByText(member.name).waitFor()

    // Interest branches: join one, then leave it again.
    await page.getByTestId('interest-select').click()
    await page.locator('.el-select-dropdown__item', { hasText: '夕阳红志愿服务队党支部' }).click()
    await page.getByTestId('interest-join').click()
    await page.getByTestId('interest-夕阳红志愿服务队党支部').waitFor()
    await page.getByTestId('interest-夕阳红志愿服务队党支部').locator('.el-tag__close').click()
    await page.locator('.el-message-box__btns .el-button--primary').click()
    await page.getByTestId('interest-夕阳红志愿服务队党支部').waitFor({ state: 'detached' })

    // A transfer to the second grid branch waits for the receiving side.
    await page.getByTestId('member-transfer').click()
    await pickBranch(page, 'transfer-branch', '斜桥巷社区第2网格党支部')
    await fill(page, 'transfer-reason', '搬家')
    await page.getByTestId('transfer-save').click()
    await page.getByTestId('member-transfers').getByText('待接收').waitFor()

    // The roster's panel lists it; the secretary keeps both sides and accepts.
    await page.goto(`${env.server.base}/members`)
    const row = page.getByTestId('pending-transfer').filter({ hasText: member.name })
    await row.waitFor()
    await row.getByTestId('transfer-accept').click()
    await page.locator('.transfer-decide .el-message-box__btns .el-button--primary').click()
    await row.waitFor({ state: 'detached' })
    await page.goto(`${env.server.base}/members/${member.id}`)
    await page.getByTestId('member-fields').getByText('斜桥巷社区第2网格党支部').waitFor()
    await page.getByTestId('member-transfers').getByText('已接收').waitFor()

    // Historical needs a reason; then the record can be restored.
    await page.getByTestId('member-historical').click()
    await page.getByTestId('status-save').click()
    await page.locator('.el-form-item.is-error').getByText('必填').waitFor()
    await fill(page, 'status-reason', '本人申请')
    await page.getByTestId('status-save').click()
    await page.getByTestId('member-status').getByText('已出党').waitFor()
    await page.getByTestId('member-restore').click()
    await page.getByTestId('status-save').click()
    await page.getByTestId('member-status').waitFor({ state: 'detached' })
    await page.getByTestId('member-access-log').getByText('接收转接').waitFor()
    await page.screenshot({ path: join(shots, 'member-detail-desktop.png'), fullPage: true })
    await page.close()
  })

  for (const [name, options] of [['desktop', desktop], ['phone', phone]]) {
    test(`${name}: a meeting called in the past, its sheet needs a reason for an excused absence, then shows the rate`, async () => {
      const page = await env.browser.newPage(options)
      await signIn(page, 'secretary1')
      await page.goto(`${env.server.base}/meetings`)
      await page.getByTestId('meeting-calendar').waitFor()
      if (name === 'phone') await noOverflow(page)
      await page.getByTestId('meeting-new').click()
      await pickBranch(page, 'meeting-branch', BRANCH)
      await page.getByTestId('meeting-kind').click()
      await page.locator('.el-select-dropdown__item', { hasText: '党课' }).filter({ visible: true }).click()
      const date = page.getByTestId('meeting-date')
      const input = (await date.evaluate((n) => n.tagName)) === 'INPUT' ? date : date.locator('input')
      await input.fill(yesterday())
      await input.press('Enter')
      await fill(page, 'meeting-topic', `党课（${name}）`)
      await page.getByTestId('meeting-create').click()
      await page.waitForURL(/\/meetings\/[0-9a-f-]{36}$/)
      await page.getByTestId('meeting-meta').getByText(yesterday()).waitFor()

      const sheet = page.getByTestId('attendance-sheet')
      await sheet.locator('.row').first().waitFor()
      const expected = await sheet.locator('.row').count()
      assert.ok(expected > 10, `${expected} expected`)
      await page.getByTestId('sheet-all-present').click()
      const first = sheet.locator('.row').first()
      await first.getByText('请假').click()
      await page.getByTestId('sheet-save').click()
      assert.match(await page.getByTestId('attendee-error').innerText(), /原因/)
      await fill(page, 'attendee-reason', '出差')
      await page.getByTestId('sheet-save').click()
      const rate = Math.round(((expected - 1) / expected) * 1000) / 10
      await page.getByTestId('meeting-rate').getByText(`${rate}%`).waitFor()

      // The minutes are kept with the meeting.
      await fill(page, 'meeting-minutes', '学习了党章第一章。')
      await page.getByTestId('minutes-save').click()
      await page.locator('.el-message--success').last().waitFor()
      await page.reload()
      await page.getByTestId('meeting-rate').getByText(`${rate}%`).waitFor()
      assert.equal(await page.getByTestId('meeting-minutes').inputValue(), '学习了党章第一章。')
      if (name === 'phone') await noOverflow(page)
      await page.screenshot({ path: join(shots, `attendance-${name}.png`), fullPage: name === 'desktop' })
      await page.close()
    })
  }

  test('desktop: the calendar opens a meeting', async () => {
    const page = await env.browser.newPage(desktop)
    await signIn(page, 'secretary1')
    await page.goto(`${env.server.base}/meetings`)
    await page.getByTestId('meeting-table').locator('tbody tr').first().waitFor()
    const chip = page.locator('[data-testid^="cal-meeting-"]').first()
    await chip.waitFor()
    const id = (await chip.getAttribute('data-testid')).slice('cal-meeting-'.length)
    await page.screenshot({ path: join(shots, 'meetings-desktop.png') })
    await chip.click()
    await page.waitForURL(new RegExp(`/meetings/${id}$`))
    await page.getByTestId('attendance-sheet').waitFor()
    await page.close()
  })

  test('desktop: the attendance chart draws a bar per branch and the 80 % line', async () => {
    const page = await env.browser.newPage(desktop)
    await login(page, env.server.base, 'street1')
    await page.getByTestId('nav-meeting-rates').click()
    await page.getByTestId('rates-target-line').waitFor()
    assert.ok((await page.getByTestId('rates-bar').count()) >= 13)
    assert.ok((await page.locator('[data-testid="rates-bar"].below').count()) >= 1, 'some bars are under the line')
    assert.ok((await page.getByTestId('rates-no-meetings').count()) >= 1, 'branches without meetings are flagged')
    assert.match(await page.getByTestId('rates-totals').innerText(), /低于 80%/)
    // The line sits at 80 % of the tracks' width.
    const line = await page.getByTestId('rates-target-line').boundingBox()
    const track = await page.locator('[data-testid="rates-bar"] .track').first().boundingBox()
    assert.ok(Math.abs(line.x - (track.x + track.width * 0.8)) < 3, `line at ${line.x}, track ${track.x}+${track.width}`)
    await page.screenshot({ path: join(shots, 'rates-desktop.png') })
    await page.close()
  })

  test('phone: the attendance chart fits 375 px', async () => {
    const page = await env.browser.newPage(phone)
    await signIn(page, 'secretary1')
    await page.goto(`${env.server.base}/meetings/rates`)
    await page.getByTestId('rates-target-line').waitFor()
    await page.getByTestId('rates-bar').first().waitFor()
    await noOverflow(page)
    await page.close()
  })

  test('phone: a member sees their own page, meetings, attendance and who has seen their data', async () => {
    const me = await api('member1', '/api/v1/members/me')
    // A keeper reads the record in full: the member sees it in their access log.
    assert.equal((await api('secretary1', `/api/v1/members/${me.body.id}?unmask=true`)).status, 200)
    const page = await env.browser.newPage(phone)
    await signIn(page, 'member1')
    await page.goto(`${env.server.base}/my-party`)
    await page.getByTestId('my-party-card').getByText('王建国').waitFor()
    assert.match(await page.getByTestId('my-party-birthday').innerText(), /党龄 \d+ 年/)
    const list = page.getByTestId('my-meetings')
    await list.getByText('主题党日').first().waitFor()
    await noOverflow(page)
    await page.screenshot({ path: join(shots, 'my-party-phone.png') })
    await list.locator('[data-testid^="my-meeting-"]').first().click()
    await list.getByTestId('my-attendance').locator('.el-tag').first().waitFor()
    await page.getByTestId('my-access-log-link').click()
    await page.getByTestId('my-access-log').getByText('查看完整信息').first().waitFor()
    await noOverflow(page)
    await page.close()
  })

  test('phone: an account that is not a member sees an empty state', async () => {
    const page = await env.browser.newPage(phone)
    await signIn(page, 'resident1')
    await page.goto(`${env.server.base}/my-party`)
    await page.getByTestId('my-party-not-member').waitFor()
    await page.close()
  })
})
