// Browser tests of the dashboard (数据看板) and the five-good sheet (五好评定): the street's staff
// land on the dashboard, whose headline figures are the API's overview; the map draws the street's
// grids; a community in the breakdown drills down (the address changes, its three grids are drawn)
// and back goes up again; a grid opens its own figures; a past period is frozen; the workbook
// downloads. On a 375 px phone the dashboard is cards without horizontal scrolling. On the sheet
// the street enters a score and saves it; the community reads it without being able to change it.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { apiClient, choose, desktop, fill, noOverflow, phone, shots, signIn as signInAs, useApp } from './harness.mjs'

const env = useApp(before, after)
const signIn = (page, username) => signInAs(env, page, username)
const api = apiClient(env)
const STREET = '新丰街街道'
const COMMUNITY = '斜桥巷社区'
const GRID = '斜桥巷第1网格'

/** A card's big figure as a number (`1,527` → 1527). */
async function figure(page, key) {
  const text = await page.getByTestId(`card-${key}-value`).innerText()
  return Number(text.replace(/[^\d.]/g, ''))
}

const gridPaths = (page) => page.locator('[data-testid="grid-map"] path[data-testid^="map-grid-"]')
const regionParam = (page) => new URL(page.url()).searchParams.get('region_id')

async function streetOf(username) {
  const me = await api(username, '/me')
  return me.body.grants.find((g) => g.scope_type === 'region').scope_id
}

describe('dashboard', () => {
  test('desktop: the street lands on its dashboard, drills down to a community and a grid, goes back, exports', async () => {
    const streetId = await streetOf('street1')
    const overview = await api('street1', `/stats/overview?region_id=${streetId}`)
    assert.equal(overview.status, 200)
    assert.equal(overview.body.scope.name, STREET)

    const page = await env.browser.newPage(desktop)
    await signIn(page, 'street1')
    await page.waitForURL(/\/dashboard/)
    await page.getByTestId('scope-name').getByText(STREET).waitFor()
    await page.getByTestId('nav-dashboard').waitFor()
    await page.getByTestId('nav-assessments').waitFor()

    // The headline figures are the API's.
    await page.getByTestId('card-members-value').waitFor()
    assert.equal(await figure(page, 'members'), overview.body.members.total)
    assert.equal(await figure(page, 'branches'), overview.body.branches.total)
    assert.equal(await figure(page, 'orders'), overview.body.orders.total)
    assert.equal(await figure(page, 'concerns'), overview.body.concerns.reported)
    assert.match(await page.getByTestId('card-orders-rating').innerText(), new RegExp(overview.body.orders.average_rating.toFixed(2)))
    const attendance = `${(Math.round(overview.body.meetings.attendance_rate * 1000) / 10).toFixed(1)}%`
    assert.equal(await page.getByTestId('card-attendance-value').innerText(), attendance)
    // Under the 80 % line it is marked, above it met.
    await page.getByTestId('card-attendance-tag').getByText(overview.body.meetings.attendance_rate < 0.8 ? '低于80%' : '达标').waitFor()
    await page.getByTestId('as-of').getByText(`数据截至 ${overview.body.to}`).waitFor()
    assert.equal(await page.getByTestId('frozen-badge').count(), 0)

    // Each figure opens its list.
    assert.equal(await page.getByTestId('card-attendance').getAttribute('href'), '/meetings/rates')
    assert.match(await page.getByTestId('card-orders').getAttribute('href'), /^\/service-orders\/board\?region_id=/)
    assert.equal(await page.getByTestId('card-members').getAttribute('href'), '/members')

    // The charts are drawn.
    for (const chart of ['chart-members', 'chart-orders', 'chart-months']) await page.getByTestId(chart).locator('canvas').first().waitFor()

    // The map draws every grid of the street, coloured by coverage, with a legend; another measure recolours it.
    const gridBreakdown = await api('street1', `/stats/breakdown?region_id=${streetId}&by=grid`)
    await page.getByTestId('map-legend').waitFor()
    await gridPaths(page).first().waitFor()
    assert.equal(await gridPaths(page).count(), gridBreakdown.body.children.length)
    assert.ok(gridBreakdown.body.children.length >= 13 * 3)
    await page.getByTestId('measure-members').click()
    await page.getByTestId('map-legend').getByText('党员').waitFor()
    await gridPaths(page).first().waitFor()
    await page.screenshot({ path: join(shots, 'dashboard-desktop.png'), fullPage: true })

    // The breakdown lists the street's communities; a click drills into one.
    const breakdown = await api('street1', `/stats/breakdown?region_id=${streetId}`)
    const community = breakdown.body.children.find((c) => c.name === COMMUNITY)
    assert.ok(community, 'the street has 斜桥巷社区')
    await page.getByTestId('breakdown-table').waitFor()
    await page.getByTestId(`child-${COMMUNITY}`).click()
    await page.waitForURL((u) => u.searchParams.get('region_id') === community.id)
    await page.getByTestId('scope-name').getByText(COMMUNITY).waitFor()
    await page.getByTestId(`crumb-${STREET}`).waitFor()
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="grid-map"] path[data-testid^="map-grid-"]').length === 3)
    assert.equal(await figure(page, 'members'), community.members)
    await page.getByTestId(`map-grid-${GRID}`).waitFor()
    await page.screenshot({ path: join(shots, 'dashboard-community-desktop.png'), fullPage: true })

    // A grid of the community (from the breakdown of grids) shows that grid's figures.
    const grids = await api('street1', `/stats/breakdown?region_id=${community.id}`)
    const grid = grids.body.children.find((g) => g.name === GRID)
    await page.getByTestId(`child-${GRID}`).click()
    await page.waitForURL((u) => u.searchParams.get('grid') === grid.id)
    await page.getByTestId('grid-view').waitFor()
    await page.getByTestId('scope-name').getByText(GRID).waitFor()
    assert.equal(await figure(page, 'households'), grid.households)
    assert.equal(await figure(page, 'members'), grid.members)

    // Back goes up: the community, then the street.
    await page.goBack()
    await page.waitForURL((u) => !u.searchParams.get('grid') && u.searchParams.get('region_id') === community.id)
    await page.getByTestId('breakdown-table').waitFor()
    await page.getByTestId('scope-name').getByText(COMMUNITY).waitFor()
    await page.goBack()
    await page.waitForURL((u) => u.pathname === '/dashboard' && regionParam(page) !== community.id)
    await page.getByTestId('scope-name').getByText(STREET).waitFor()
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="grid-map"] path[data-testid^="map-grid-"]').length === n, gridBreakdown.body.children.length)

    // A click on a grid of the map opens it, inside its community (once the loading mask has faded
    // and the map has settled: the click must land on the grid itself).
    await page.waitForFunction(() => !document.querySelector('[data-testid="dashboard"] .el-loading-mask'))
    await page.getByTestId(`map-grid-${GRID}`).click()
    await page.waitForURL((u) => u.searchParams.get('grid') === grid.id && u.searchParams.get('region_id') === community.id)
    await page.getByTestId('scope-name').getByText(GRID).waitFor()
    await page.goBack()
    await page.getByTestId('scope-name').getByText(STREET).waitFor()

    // The workbook of the street and period downloads through the signed-in client.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-xlsx').click()])
    assert.match(download.suggestedFilename(), /^tongxin-stats-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.xlsx$/)
    const file = await download.path()
    assert.ok(statSync(file).size > 0, 'the workbook is not empty')

    // Last year's figures are frozen as of its last day; the period is kept in the address.
    await choose(page, 'dashboard-preset', '上一年')
    const lastYear = new Date().getFullYear() - 1
    await page.waitForURL((u) => u.searchParams.get('to') === `${lastYear}-12-31`)
    await page.getByTestId('frozen-badge').waitFor()
    await page.getByTestId('as-of').getByText(`数据截至 ${lastYear}-12-31`).waitFor()
    await page.close()
  })

  test('desktop: admin picks a region', async () => {
    const page = await env.browser.newPage(desktop)
    await signIn(page, 'admin')
    await page.waitForURL(/\/dashboard/)
    await page.getByTestId('scope-name').waitFor()
    await choose(page, 'dashboard-region', STREET)
    await page.getByTestId('scope-name').getByText(STREET).waitFor()
    await page.getByTestId(`child-${COMMUNITY}`).waitFor()
    await page.close()
  })

  test('phone: the dashboard is cards, with no horizontal scrolling', async () => {
    const page = await env.browser.newPage(phone)
    await signIn(page, 'street1')
    await page.waitForURL(/\/dashboard/)
    await page.getByTestId('card-members-value').waitFor()
    await page.getByTestId('breakdown-cards').waitFor()
    assert.equal(await page.getByTestId('breakdown-table').count(), 0)
    await gridPaths(page).first().waitFor()
    await page.getByTestId('chart-months').locator('canvas').first().waitFor()
    await noOverflow(page)
    await page.screenshot({ path: join(shots, 'dashboard-phone.png'), fullPage: true })

    // A community card drills down; still no horizontal scrolling.
    await page.getByTestId(`child-${COMMUNITY}`).click()
    await page.getByTestId('scope-name').getByText(COMMUNITY).waitFor()
    await page.getByTestId(`child-${GRID}`).waitFor()
    await noOverflow(page)

    // The menu offers the dashboard and the five-good sheet.
    await page.getByTestId('menu-toggle').click()
    await page.getByTestId('drawer-nav-assessments').click()
    await page.waitForURL(/\/assessments/)
    await page.getByTestId('assessment-summary').waitFor()
    await noOverflow(page)
    await page.close()
  })
})

describe('five-good assessment', () => {
  test('the street enters a score and saves it; the community reads it, read-only', async () => {
    const page = await env.browser.newPage(desktop)
    await signIn(page, 'street1')
    await page.getByTestId('nav-assessments').click()
    await page.waitForURL(/\/assessments/)
    await choose(page, 'assessment-community', COMMUNITY)
    await page.getByTestId('assessment-summary').getByText(COMMUNITY).waitFor()

    // Computed items show value, target, score and their evidence with a link to the list.
    const attendance = page.getByTestId('item-meeting_attendance')
    await attendance.getByTestId('item-evidence').getByText('出席人次').waitFor()
    assert.equal(await attendance.getByTestId('item-evidence-link').getAttribute('href'), '/meetings/rates')

    const before = await api('street1', `/communities/${await communityId()}/assessments/${new Date().getFullYear()}`)
    assert.equal(before.body.status, 'draft')
    assert.ok(before.body.missing.includes('leadership_building'))

    await page.getByTestId('assessment-finalize').waitFor()
    assert.equal(await page.getByTestId('assessment-finalize').isDisabled(), true, 'nothing to finalize while items are unscored')
    assert.equal(await page.getByTestId('assessment-save').isDisabled(), true, 'nothing to save yet')
    await fill(page, 'item-score-input-leadership_building', '8.5')
    await page.keyboard.press('Tab')
    await fill(page, 'item-note-input-leadership_building', '班子分工明确，年度述职评议良好')
    await page.getByTestId('assessment-dirty').waitFor()
    // Leaving with the score unsaved asks first; staying keeps it.
    await page.getByTestId('nav-dashboard').click()
    await page.locator('.el-message-box').getByText('评分还没有保存').waitFor()
    await page.locator('.el-message-box__btns .el-button:not(.el-button--primary)').click()
    await page.locator('.el-message-box').waitFor({ state: 'hidden' })
    assert.match(page.url(), /\/assessments/)
    await page.getByTestId('assessment-save').click()
    await page.locator('.el-message--success').waitFor()
    await page.waitForFunction(() => !document.querySelector('[data-testid="assessment-dirty"]'))
    const total = Math.round((before.body.total + 8.5) * 10) / 10
    await page.getByTestId('assessment-total').getByText(String(total)).waitFor()
    await page.screenshot({ path: join(shots, 'assessment-desktop.png'), fullPage: true })
    await page.close()

    const saved = await api('community1', `/communities/${await communityId()}/assessments/${new Date().getFullYear()}`)
    const item = saved.body.items.find((i) => i.key === 'leadership_building')
    assert.equal(item.score, 8.5)
    assert.equal(item.note, '班子分工明确，年度述职评议良好')

    // The community's staff read the same sheet and cannot change it.
    const phonePage = await env.browser.newPage(phone)
    await signIn(phonePage, 'community1')
    await phonePage.goto(`${env.server.base}/assessments`)
    await phonePage.getByTestId('assessment-summary').getByText(COMMUNITY).waitFor()
    await phonePage.getByTestId('assessment-readonly-note').waitFor()
    const readOnly = phonePage.getByTestId('item-leadership_building')
    await readOnly.getByTestId('item-score').getByText('8.5').waitFor()
    await readOnly.getByTestId('item-note').getByText('班子分工明确').waitFor()
    assert.equal(await phonePage.locator('[data-testid^="item-score-input-"]').count(), 0)
    assert.equal(await phonePage.getByTestId('assessment-save').count(), 0)
    assert.equal(await phonePage.getByTestId('assessment-finalize').count(), 0)
    await phonePage.getByTestId('assessment-total').getByText(String(total)).waitFor()
    await noOverflow(phonePage)
    await phonePage.screenshot({ path: join(shots, 'assessment-readonly-phone.png'), fullPage: true })
    await phonePage.close()
  })

  test('the street scores every assessed item and finalizes; the sheet is frozen', async () => {
    const me = await api('community2', '/me')
    const id = me.body.grants.find((g) => g.role === 'community_staff').scope_id
    const year = new Date().getFullYear()
    const sheet = await api('street1', `/communities/${id}/assessments/${year}`)
    const entered = sheet.body.items.filter((i) => i.source === 'entered').map((i) => i.key)
    assert.ok(entered.length >= 1)

    const page = await env.browser.newPage(desktop)
    await signIn(page, 'street1')
    await page.goto(`${env.server.base}/assessments?community_id=${id}`)
    await page.getByTestId('assessment-summary').getByText(sheet.body.community_name).waitFor()
    for (const key of entered) {
      await fill(page, `item-score-input-${key}`, '9')
      await page.keyboard.press('Tab')
    }
    await page.waitForFunction(() => !document.querySelector('[data-testid="assessment-missing"]'))
    await page.getByTestId('assessment-finalize').click()
    await page.locator('.el-message-box').getByText('定稿后不能再修改').waitFor()
    await page.locator('.el-message-box__btns .el-button--primary').click()
    await page.getByTestId('assessment-status').getByText('已定稿').waitFor()
    await page.getByTestId('assessment-final-note').waitFor()
    assert.equal(await page.locator('[data-testid^="item-score-input-"]').count(), 0)
    assert.equal(await page.getByTestId('assessment-actions').count(), 0)
    await page.close()

    const final = await api('street1', `/communities/${id}/assessments/${year}`)
    assert.equal(final.body.status, 'final')
    assert.ok(final.body.items.filter((i) => i.source === 'entered').every((i) => i.score === 9))
    const again = await api('street1', `/communities/${id}/assessments/${year}`, { method: 'PUT', body: { entries: [{ key: entered[0], score: 1 }] } })
    assert.equal(again.status, 409)
    assert.equal(again.body.code, 'assessment_final')
  })
})

let community = ''
async function communityId() {
  if (!community) {
    const me = await api('community1', '/me')
    community = me.body.grants.find((g) => g.role === 'community_staff').scope_id
  }
  return community
}
