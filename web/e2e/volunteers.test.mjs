// Browser tests of the volunteer screens: a resident browsing, signing up and withdrawing on a
// phone; the waiting list of a full activity scheduled in the dialog; the organiser's rotating
// check-in code and QR link, opened on a phone that has to sign in first and is checked in;
// staff's teams, approval queue, ledger correction and ranking at 1280 px; the same screens at
// 375 px; and a volunteer's own hours with a make-up claim and the card's export.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { choose, desktop, fill, noOverflow, phone, shots, signIn as signInAs, useApp } from './harness.mjs'

const env = useApp(before, after)
const signIn = (page, username) => signInAs(env, page, username)
const LIVE = '为独居老人送餐上门'
const ORANGE = '七彩之光·橙色党员服务队'

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

/** Picks an option of an Element Plus select found by its data-testid. */

describe('volunteers', () => {
  test('phone: a resident browses activities, signs up, sees the place and withdraws', async () => {
    const page = await env.browser.newPage(phone)
    await signIn(page, 'resident1')
    // A resident's account starts at the activities.
    await page.waitForURL(/\/volunteer$/)
    const list = page.getByTestId('browse-list')
    await list.locator('[data-testid^="browse-activity-"]').first().waitFor()
    await noOverflow(page)
    await page.screenshot({ path: join(shots, 'volunteer-browse-phone.png') })
    // The live activity she holds a place in is marked as hers.
    await list.locator('[data-signed="true"]', { hasText: LIVE }).first().waitFor()
    const card = list.locator('[data-signed="false"][data-phase="upcoming"]').first()
    const title = (await card.locator('.title').innerText()).trim()
    await card.click()
    await page.waitForURL(/\/activities\/[0-9a-f-]{36}$/)
    await page.getByTestId('activity-title').getByText(title).waitFor()
    const status = page.getByTestId('my-signup-status')
    await status.getByText('您还没有报名这个活动').waitFor()
    await page.getByTestId('activity-sign-up').click()
    await page.waitForFunction(() => /已报名|候补第 \d+ 位/.test(document.querySelector('[data-testid="my-signup-status"]')?.textContent ?? ''))
    await noOverflow(page)
    await page.screenshot({ path: join(shots, 'volunteer-signed-up-phone.png') })
    // It shows under "mine" in the list.
    await page.getByTestId('menu-toggle').click()
    await page.getByTestId('drawer-nav-volunteer').click()
    await page.getByTestId('browse-tabs').getByText('我报名的').click()
    await list.getByText(title).first().waitFor()
    await list.getByText(title).first().click()
    await page.getByTestId('activity-withdraw').click()
    await page.locator('.confirm-withdraw .el-message-box__btns .el-button--primary').click()
    await status.getByText('您还没有报名这个活动').waitFor()
    await page.getByTestId('activity-sign-up').waitFor()
    await page.close()
  })

  test('desktop and phone: an activity scheduled with one place puts the second volunteer on the waiting list', async () => {
    const page = await env.browser.newPage(desktop)
    await signIn(page, 'community1')
    await page.getByTestId('nav-activities').click()
    await page.getByTestId('activity-calendar').waitFor()
    await page.getByTestId('activity-new').click()
    await choose(page, 'activity-team', ORANGE)
    await fill(page, 'activity-title', '楼道小广告清理')
    await fill(page, 'activity-place', '3幢楼道')
    const cap = page.getByTestId('activity-capacity').locator('input')
    await cap.fill('1')
    await cap.blur()
    await page.getByTestId('activity-create').click()
    await page.waitForURL(/\/activities\/[0-9a-f-]{36}$/)
    const id = page.url().split('/').pop()
    await page.getByTestId('activity-places').getByText('已报 0/1').waitFor()
    await page.screenshot({ path: join(shots, 'activity-new-desktop.png') })

    // member1 takes the only place; resident1 waits first in line.
    assert.equal((await api('member1', `/api/v1/activities/${id}/sign-up`, { method: 'POST' })).status, 200)
    const ph = await env.browser.newPage(phone)
    await signIn(ph, 'resident1')
    await ph.goto(`${env.server.base}/activities/${id}`)
    await ph.getByTestId('activity-sign-up').getByText('报名候补').waitFor()
    await ph.getByTestId('activity-sign-up').click()
    await ph.getByTestId('my-signup-status').getByText('候补第 1 位').waitFor()
    await noOverflow(ph)
    await ph.screenshot({ path: join(shots, 'activity-waitlist-phone.png') })

    // The organiser sees both lists; when member1 withdraws, resident1 moves up.
    await page.reload()
    await page.getByTestId('waitlist').getByText('李秀英').waitFor()
    assert.equal((await api('member1', `/api/v1/activities/${id}/withdraw`, { method: 'POST' })).status, 200)
    await ph.reload()
    await ph.getByTestId('my-signup-status').getByText('已报名').waitFor()
    await page.reload()
    await page.getByTestId('signup-李秀英').waitFor()
    await ph.close()
    await page.close()
  })

  test('desktop → phone: the organiser shows the check-in code; the QR link signs a volunteer in and checks her in', async () => {
    const page = await env.browser.newPage(desktop)
    await signIn(page, 'member1')
    // member1 leads the orange team: the keepers' menu is there.
    await page.getByTestId('nav-activities').waitFor()
    await page.getByTestId('nav-volunteer').click()
    await page.getByTestId('browse-list').getByText(LIVE).first().click()
    await page.getByTestId('activity-title').getByText(LIVE).waitFor()
    await page.getByTestId('signup-李秀英').getByText('未签到').waitFor()
    await page.getByTestId('activity-show-code').click()
    const code = page.getByTestId('check-in-code')
    await page.waitForFunction(() => /^\d{6}$/.test(document.querySelector('[data-testid="check-in-code"]')?.textContent?.trim() ?? ''))
    assert.match(await page.getByTestId('check-in-qr').getAttribute('src'), /^data:image\/png;base64,/)
    const url = await page.getByTestId('check-in-url').getAttribute('href')
    const shown = (await code.innerText()).trim()
    assert.ok(url.startsWith(`${env.server.base}/activities/`), url)
    assert.ok(url.endsWith(`/check-in?code=${shown}`), url)
    await page.screenshot({ path: join(shots, 'check-in-code-desktop.png') })

    // A phone that is not signed in scans it: sign in first, then the check-in goes through.
    const ph = await env.browser.newPage(phone)
    await ph.goto(url)
    await ph.waitForURL(/\/login\?next=/)
    await fill(ph, 'login-username', 'resident1')
    await fill(ph, 'login-password', 'tongxin-demo')
    await ph.getByTestId('login-submit').click()
    await ph.getByTestId('check-in-success').getByText('签到成功').waitFor()
    assert.match(await ph.getByTestId('check-in-time').innerText(), /签到时间：\d{4}-\d{2}-\d{2} \d{2}:\d{2}/)
    assert.doesNotMatch(ph.url(), /code=/, 'the used code leaves the address')
    await noOverflow(ph)
    await ph.screenshot({ path: join(shots, 'check-in-phone.png') })
    // Scanning again says so instead of failing.
    await ph.goto(url)
    await ph.getByTestId('check-in-success').getByText('您已签到').waitFor()
    await ph.getByTestId('check-in-open-activity').click()
    await ph.getByTestId('my-check-in-time').getByText('签到码').waitFor()
    await ph.close()

    // The organiser's list shows her check-in time.
    await page.getByTestId('activity-show-code').click()
    await page.reload()
    await page.waitForFunction(() => /\d{2}:\d{2} 签到/.test(document.querySelector('[data-testid="signup-李秀英"]')?.textContent ?? ''))
    // A leader's mark is saved with the sheet.
    await page.getByTestId('signup-李秀英').getByTestId('mark-late').click()
    await page.getByTestId('attendance-save').click()
    await page.locator('.el-message--success').getByText('出勤登记已保存').waitFor()
    await page.close()
  })

  test('desktop: community staff see the teams, decide a claim, correct the ledger and read the ranking', async () => {
    const page = await env.browser.newPage(desktop)
    await signIn(page, 'community1')
    await page.getByTestId('nav-volunteer-teams').click()
    const table = page.getByTestId('team-table')
    await table.getByText(ORANGE).waitFor()
    // The community's seven 七彩之光 teams, one colour each.
    const colours = await table.locator('[data-colour]').evaluateAll((ns) => ns.map((n) => n.getAttribute('data-colour')))
    for (const c of ['red', 'orange', 'yellow', 'green', 'cyan', 'blue', 'purple']) assert.ok(colours.includes(c), `a ${c} team`)
    await page.screenshot({ path: join(shots, 'volunteer-teams-desktop.png') })
    await table.getByText(ORANGE).click()
    await page.getByTestId('team-title').getByText(ORANGE).waitFor()
    await page.getByTestId('team-member-王建国').getByText('队长').waitFor()
    assert.match(await page.getByTestId('team-calendar-url').inputValue(), /\/api\/v1\/calendars\/teams\/[0-9a-f]+\.ics$/)
    // The leader cannot be taken out; a volunteer found by name can be added.
    assert.equal(await page.getByTestId('team-member-王建国').getByTestId('team-member-remove').count(), 0)
    await page.getByTestId('team-add-search').click()
    await page.keyboard.type('沈桂芳')
    const option = page.locator('.el-select-dropdown__item', { hasText: '沈桂芳' }).filter({ visible: true }).first()
    const name = (await option.locator('span').first().innerText()).trim()
    await option.click()
    await page.getByTestId('team-add').click()
    await page.getByTestId(`team-member-${name}`).waitFor()
    await page.getByTestId(`team-member-${name}`).getByTestId('team-member-remove').click()
    await page.locator('.team-remove .el-message-box__btns .el-button--primary').click()
    await page.getByTestId(`team-member-${name}`).waitFor({ state: 'detached' })

    // The approval queue: approve the first pending claim with a note.
    await page.getByTestId('nav-hours').click()
    const rows = page.getByTestId('claim-row')
    await rows.first().waitFor()
    const before = await rows.count()
    assert.ok(before >= 1, 'pending claims wait')
    await page.screenshot({ path: join(shots, 'hours-queue-desktop.png') })
    await rows.first().getByTestId('claim-approve').click()
    await page.locator('.claim-decide input').fill('经核实，同意补录')
    await page.locator('.claim-decide .el-message-box__btns .el-button--primary').click()
    await page.locator('.el-message--success').getByText('已通过').waitFor()
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="claim-row"]').length === n - 1, before)

    // The ledger: a correction strikes the entry through and adds its reversal and replacement.
    await page.getByTestId('hours-tabs').getByText('时长台账').click()
    const ledger = page.getByTestId('ledger-table')
    await ledger.locator('tbody tr').first().waitFor()
    const struck = await ledger.locator('tr.struck').count()
    await ledger.getByTestId('ledger-correct').first().click()
    const minutes = page.getByTestId('correct-minutes').locator('input')
    await minutes.fill('60')
    await minutes.blur()
    await page.getByTestId('correct-save').click()
    await page.locator('.el-form-item.is-error').getByText('必填').waitFor()
    await fill(page, 'correct-note', '签退时间登记错误')
    await page.getByTestId('correct-save').click()
    await page.locator('.el-message--success').getByText('已更正').waitFor()
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="ledger-table"] tr.struck').length > n, struck)
    await ledger.locator('tr.reversal').first().waitFor()
    await page.screenshot({ path: join(shots, 'hours-ledger-desktop.png') })

    // The ranking of the community this year: a chart, a table and the teams' totals.
    await page.getByTestId('nav-ranking').click()
    await page.getByTestId('ranking-chart').locator('canvas').waitFor()
    await page.getByTestId('ranking-table').locator('tbody tr').first().waitFor()
    assert.ok((await page.getByTestId('ranking-table').locator('tbody tr').count()) >= 10)
    assert.ok((await page.getByTestId('team-total').count()) >= 7)
    assert.match(await page.getByTestId('ranking-totals').innerText(), /斜桥巷社区/)
    await page.getByTestId('ranking-period').click()
    await page.locator('.el-select-dropdown__item', { hasText: '季度' }).filter({ visible: true }).first().click()
    await page.getByTestId('ranking-totals').getByText(/-(01|04|07|10)-01 —/).waitFor()
    await page.screenshot({ path: join(shots, 'ranking-desktop.png') })
    await page.close()
  })

  test('phone: the staff screens fit 375 px', async () => {
    const page = await env.browser.newPage(phone)
    await signIn(page, 'community1')
    for (const [path, ready] of [
      ['/volunteer-teams', 'team-table'],
      ['/activities', 'activity-list'],
      ['/service-hours', 'claim-list'],
      ['/service-hours/ranking', 'ranking-table'],
    ]) {
      await page.goto(`${env.server.base}${path}`)
      await page.getByTestId(ready).waitFor()
      await noOverflow(page)
    }
    await page.screenshot({ path: join(shots, 'ranking-phone.png') })
    await page.close()
  })

  test('phone: a volunteer reads their hours, claims make-up hours and exports the card', async () => {
    const page = await env.browser.newPage(phone)
    await signIn(page, 'resident1')
    await page.goto(`${env.server.base}/my-hours`)
    const summary = page.getByTestId('my-hours-summary')
    await summary.getByText('李秀英').waitFor()
    assert.match(await page.getByTestId('my-hours-total').innerText(), /^\d+(\.\d)?$/)
    await page.getByTestId('my-hours-teams').getByText(ORANGE).waitFor()
    await page.getByTestId('my-hours-entries').locator('.row').first().waitFor()
    await noOverflow(page)
    await page.screenshot({ path: join(shots, 'my-hours-phone.png'), fullPage: true })

    await page.getByTestId('claim-open').click()
    await fill(page, 'claim-reason', '提前到场帮忙布置')
    await page.getByTestId('claim-submit').click()
    await page.locator('.el-message--success').getByText('已提交，等待审核').waitFor()
    await page.getByTestId('my-claims').getByText('提前到场帮忙布置').waitFor()
    await page.getByTestId('my-claims').getByText('待审核').first().waitFor()

    const download = page.waitForEvent('download')
    await page.getByTestId('card-export').click()
    assert.match((await download).suggestedFilename(), /^service-card-\d{4}\.xlsx$/)
    await page.close()
  })

  test('phone: someone who has never volunteered sees how to start', async () => {
    const page = await env.browser.newPage(phone)
    await signIn(page, 'secretary1')
    await page.goto(`${env.server.base}/my-hours`)
    await page.getByTestId('my-hours-not-volunteer').waitFor()
    await page.close()
  })
})
