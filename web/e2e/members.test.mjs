// Browser tests of the party screens: the roster (filters, columns, audited unmasking) at 1280 px
// and 375 px, the attendance sheet (desktop and phone), the attendance-rate chart, and a member's
// own page on a phone.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { desktop, fill, login, phone, shots, useApp } from './harness.mjs'

const env = useApp(before, after)

/** Signs in and waits until the app has left the login page. */
async function signIn(page, username) {
  await login(page, env.server.base, username)
  await page.waitForURL((u) => !u.pathname.startsWith('/login'))
}

async function token(username) {
  const r = await fetch(`${env.server.base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'tongxin-demo' }),
  })
  return (await r.json()).access_token
}

/** Calls a meeting for yesterday through the API, as the branch secretary would. */
async function meetingYesterday(topic) {
  const t = await token('secretary1')
  const auth = { authorization: `Bearer ${t}`, 'content-type': 'application/json' }
  const q = encodeURIComponent('斜桥巷社区第1网格党支部')
  const branches = await (await fetch(`${env.server.base}/api/v1/branches?q=${q}`, { headers: auth })).json()
  const day = new Date(Date.now() - 86400000).toISOString().slice(0, 10)
  const r = await fetch(`${env.server.base}/api/v1/meetings`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ branch_id: branches.items[0].id, kind: 'party_lecture', held_on: day, topic }),
  })
  assert.equal(r.status, 201)
  return (await r.json()).id
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
    await page.getByTestId('member-columns').click()
    await page.getByTestId('column-phone').click()
    await table.getByText('手机号').waitFor()
    assert.match(await table.locator('tbody tr').first().innerText(), /\*\*\*\*/, 'phones are masked')
    await page.screenshot({ path: join(shots, 'members-desktop.png') })
    await table.locator('tbody tr').first().click()
    await page.getByTestId('member-name').waitFor()
    assert.match(await page.getByTestId('member-id-number').innerText(), /\*/)
    await page.getByTestId('member-unmask').click()
    await page.waitForFunction(() => /^\d{17}[\dX]$/.test(document.querySelector('[data-testid="member-id-number"]')?.textContent?.trim() ?? ''))
    await page.getByTestId('member-access-log').getByText('street1').first().waitFor()
    await page.close()
  })

  test('phone: the roster fits 375 px', async () => {
    const page = await env.browser.newPage(phone)
    await signIn(page, 'secretary1')
    await page.goto(`${env.server.base}/members`)
    await page.getByTestId('member-table').locator('tbody tr').first().waitFor()
    const width = await page.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(width <= 375, `page is ${width}px wide`)
    await page.screenshot({ path: join(shots, 'members-phone.png') })
    await page.close()
  })

  for (const [name, options] of [['desktop', desktop], ['phone', phone]]) {
    test(`${name}: the attendance sheet needs a reason for an excused absence, then shows the rate`, async () => {
      const id = await meetingYesterday(`党课（${name}）`)
      const page = await env.browser.newPage(options)
      await signIn(page, 'secretary1')
      await page.goto(`${env.server.base}/meetings/${id}`)
      const sheet = page.getByTestId('attendance-sheet')
      await sheet.locator('.row').first().waitFor()
      const expected = await sheet.locator('.row').count()
      assert.ok(expected > 10, `${expected} expected`)
      await page.getByTestId('sheet-all-present').click()
      const first = sheet.locator('.row').first()
      await first.getByText('请假').click()
      await page.getByTestId('sheet-save').click()
      await page.getByTestId('attendee-error').waitFor()
      await fill(page, 'attendee-reason', '出差')
      await page.getByTestId('sheet-save').click()
      const rate = Math.round(((expected - 1) / expected) * 1000) / 10
      await page.getByTestId('meeting-rate').getByText(`${rate}%`).waitFor()
      if (name === 'phone') {
        const width = await page.evaluate(() => document.documentElement.scrollWidth)
        assert.ok(width <= 375, `page is ${width}px wide`)
      }
      await page.screenshot({ path: join(shots, `attendance-${name}.png`) })
      await page.close()
    })
  }

  test('desktop: the attendance chart draws a bar per branch and the 80 % line', async () => {
    const page = await env.browser.newPage(desktop)
    await login(page, env.server.base, 'street1')
    await page.getByTestId('nav-meeting-rates').click()
    await page.getByTestId('rates-target-line').waitFor()
    assert.ok((await page.getByTestId('rates-bar').count()) >= 13)
    assert.match(await page.getByTestId('rates-totals').innerText(), /低于 80%/)
    await page.screenshot({ path: join(shots, 'rates-desktop.png') })
    await page.close()
  })

  test('phone: a member sees their own page and meetings', async () => {
    const page = await env.browser.newPage(phone)
    await signIn(page, 'member1')
    await page.goto(`${env.server.base}/my-party`)
    await page.getByTestId('my-party-card').getByText('王建国').waitFor()
    await page.getByTestId('my-meetings').getByText('主题党日').first().waitFor()
    const width = await page.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(width <= 375, `page is ${width}px wide`)
    await page.screenshot({ path: join(shots, 'my-party-phone.png') })
    await page.close()
  })
})
