// Names are text, never markup. Through the API (as admin) a community, a grid with a boundary on
// the map, a branch, a member, a volunteer team and a volunteer with hours, an activity, a meeting,
// a unit, a household head, a grid role holder, a concern and a poll with its cadre get names
// holding `<b>粗体</b>` and an `<img src=x onerror=…>`. Each staff screen that shows them (the map
// with its tooltip hovered, the dashboard's map, breakdown and charts hovered, lists, detail pages,
// the confirm boxes that quote a name, a table's overflow tooltip) is opened at desktop size, the
// map also at 375 px, and each time: `window.__xss` is unset, no <img src="x"> is in the DOM, no
// <b> holds 粗体, and the literal text `<b>粗体</b>` is on the screen.
// The browser context bypasses the Content-Security-Policy on purpose: the policy would block the
// onerror handler, and this test is about the rendering itself (csp.test.mjs tests the policy).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { apiClient, choose, desktop, fill, phone, shots, signIn as signInAs, useApp } from './harness.mjs'

const env = useApp(before, after)
const api = apiClient(env)
const BOLD = '<b>粗体</b>'
const IMG = '<img src=x onerror=__xss=1>'
/** A name that is markup twice over, with a readable tail. */
const mk = (tail) => `${BOLD}${IMG}${tail}`
const PASSWORD = 'markup-test-passphrase'

const names = {
  community: mk('社区'),
  grid: mk('网格'),
  branch: mk('支部'),
  member: mk('党员'),
  team: mk('队伍'),
  volunteer: mk('志愿者'),
  activity: mk('活动'),
  meeting: mk('会议'),
  unit: mk('单位'),
  head: mk('户主'),
  role: mk('网格员'),
  concern: mk('诉求'),
  poll: mk('测评'),
  cadre: `${BOLD}干部`, // cadre names are at most 20 characters
}

/** An 18-character resident ID number with a valid check digit. */
function idNumber(first17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const sum = [...first17].reduce((s, d, i) => s + Number(d) * w[i], 0)
  return first17 + '10X98765432'[sum % 11]
}

async function ok(res, what) {
  const r = await res
  assert.ok(r.status >= 200 && r.status < 300, `${what}: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body
}

/** Nothing a name carried ran or became an element. */
async function clean(page, where) {
  const s = await page.evaluate(() => ({
    xss: typeof window.__xss,
    imgs: [...document.querySelectorAll('img')].filter((i) => i.getAttribute('src') === 'x').length,
    bolds: [...document.querySelectorAll('b')].filter((b) => b.textContent.includes('粗体')).length,
  }))
  assert.equal(s.xss, 'undefined', `${where}: the onerror handler ran`)
  assert.equal(s.imgs, 0, `${where}: an <img src=x> was made from a name`)
  assert.equal(s.bolds, 0, `${where}: a <b> was made from a name`)
}

/** The literal markup is visible as text inside the element with this test id; then `clean`. */
async function seesText(page, testid, where = testid) {
  await page.getByTestId(testid).getByText(BOLD).first().waitFor()
  await clean(page, where)
}

/** The confirm box quotes the name as text; cancel it. */
async function boxQuotes(page, where) {
  const box = page.locator('.el-message-box')
  await box.getByText(BOLD).first().waitFor()
  await clean(page, where)
  await page.locator('.el-message-box__btns .el-button:not(.el-button--primary)').click()
  await box.waitFor({ state: 'hidden' })
}

/** Hovers a grid of the map and reads its tooltip: the name as text. */
async function hoverGrid(page, name, where) {
  const polygon = page.getByTestId(`map-grid-${name}`)
  await polygon.waitFor()
  await polygon.hover({ force: true })
  const tip = page.locator('.leaflet-tooltip')
  await tip.waitFor()
  await clean(page, where)
  assert.equal(await tip.getByTestId('map-tooltip').innerText(), name)
}

/** Hovers a chart's canvas so ECharts draws its (HTML) tooltip, and returns the tooltip's text. */
async function hoverChart(page, testid, where, at = { x: 0.5, y: 0.5 }) {
  const chart = page.getByTestId(testid)
  await chart.locator('canvas').first().waitFor()
  await chart.scrollIntoViewIfNeeded()
  const box = await chart.boundingBox()
  const x = box.x + box.width * at.x
  const y = box.y + box.height * at.y
  // ECharts appends its tooltip as the last child <div> of the chart; it fills it on mousemove.
  const tip = chart.locator(':scope > div').last()
  for (let i = 0; i < 10 && !(await tip.innerText()).trim(); i++) {
    await page.mouse.move(x + i, y + (i % 3))
    await page.waitForTimeout(150)
  }
  const text = await tip.innerText()
  assert.ok(text.trim(), `${where}: no tooltip`)
  await clean(page, where)
  return text
}

const made = {}

describe('markup in names is shown as text', () => {
  before(async () => {
    const me = await ok(api('street1', '/me'), 'street1 /me')
    const streetId = me.grants.find((g) => g.scope_type === 'region').scope_id
    made.streetId = streetId

    // A community of the street, and a grid in it drawn just east of the street's grids.
    made.community = await ok(api('admin', '/regions', { method: 'POST', body: { parent_id: streetId, level: 'community', name: names.community } }), 'community')
    const geo = await fetch(`${env.server.base}/api/v1/grids?per_page=100`, { headers: { accept: 'application/geo+json', authorization: `Bearer ${await token('street1')}` } }).then((r) => r.json())
    const points = geo.features.filter((f) => f.geometry).flatMap((f) => flatten(f.geometry.coordinates))
    const maxLng = Math.max(...points.map((p) => p[0]))
    const lats = points.map((p) => p[1])
    const midLat = (Math.max(...lats) + Math.min(...lats)) / 2
    const [w, s, e, n] = [maxLng + 0.002, midLat - 0.002, maxLng + 0.006, midLat + 0.002]
    made.grid = await ok(
      api('admin', '/grids', { method: 'POST', body: { community_id: made.community.id, name: names.grid, boundary: { type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] } } }),
      'grid',
    )
    await ok(api('admin', `/grids/${made.grid.id}/roles`, { method: 'POST', body: { role: 'service_worker', person_name: names.role } }), 'grid role')
    made.household = await ok(api('admin', '/households', { method: 'POST', body: { grid_id: made.grid.id, building: '1幢', room: '101', head_name: names.head, residents: 1 } }), 'household')

    // A branch under the street's working committee, in the new community, with a member and a meeting.
    const parents = await ok(api('admin', `/branches?per_page=100&kind=working_committee`), 'branches')
    const parent = parents.items.find((b) => b.region_id === streetId) ?? parents.items[0]
    made.branch = await ok(
      api('admin', '/branches', { method: 'POST', body: { parent_id: parent.id, region_id: made.community.id, kind: 'branch', establishment: 'formal', name: names.branch } }),
      'branch',
    )
    made.member = await ok(
      api('admin', '/members', {
        method: 'POST',
        body: { branch_id: made.branch.id, name: names.member, gender: 'female', id_number: idNumber('32040219800101002'), joined_on: '2010-07-01', category: 'retired' },
      }),
      'member',
    )
    const today = new Date().toISOString().slice(0, 10)
    made.meeting = await ok(api('admin', '/meetings', { method: 'POST', body: { branch_id: made.branch.id, kind: 'themed_party_day', held_on: today, topic: names.meeting } }), 'meeting')

    // A volunteer team of the community; a resident whose account name is markup signs up for a
    // short activity, is marked present and, once it has ended, the activity is closed: the hours
    // are settled and the volunteer is in the community's ranking. They also join the team.
    made.team = await ok(api('admin', '/volunteer-teams', { method: 'POST', body: { name: names.team, kind: 'patrol', region_id: made.community.id } }), 'team')
    await ok(api('admin', '/users', { method: 'POST', body: { username: 'markup-volunteer', display_name: names.volunteer, password: PASSWORD, grants: [{ role: 'resident' }] } }), 'user')
    await api('markup-volunteer', '/me', {}, PASSWORD)
    const ends = Date.now() + 15e3
    made.activity = await ok(
      api('admin', '/activities', {
        method: 'POST',
        body: { team_id: made.team.id, title: names.activity, place: '广场', starts_at: new Date(ends - 45 * 60e3).toISOString(), ends_at: new Date(ends).toISOString(), capacity: 10 },
      }),
      'activity',
    )
    await ok(api('markup-volunteer', `/activities/${made.activity.id}/sign-up`, { method: 'POST', body: {} }, PASSWORD), 'sign-up')
    const signups = await ok(api('admin', `/activities/${made.activity.id}/signups`), 'signups')
    const mine = (Array.isArray(signups) ? signups : signups.items).find((s) => s.name === names.volunteer)
    assert.ok(mine, `the volunteer signed up: ${JSON.stringify(signups)}`)
    made.volunteerId = mine.volunteer_id
    await ok(api('admin', `/activities/${made.activity.id}/attendance`, { method: 'PUT', body: { entries: [{ volunteer_id: made.volunteerId, attendance: 'present' }] } }), 'attendance')
    await new Promise((r) => setTimeout(r, Math.max(0, ends - Date.now() + 1000)))
    await ok(api('admin', `/activities/${made.activity.id}/close`, { method: 'POST', body: {} }), 'close activity')
    await ok(api('admin', `/volunteer-teams/${made.team.id}/members`, { method: 'POST', body: { volunteer_id: made.volunteerId } }), 'team member')

    // A unit paired with the community; a concern in the grid; a poll of the community.
    made.unit = await ok(api('admin', '/units', { method: 'POST', body: { name: names.unit, kind: 'enterprise', region_id: streetId, community_ids: [made.community.id] } }), 'unit')
    made.concern = await ok(
      api('admin', '/concerns', { method: 'POST', body: { category: 'safety', title: names.concern, description: `${BOLD} 描述`, grid_id: made.grid.id } }),
      'concern',
    )
    made.poll = await ok(
      api('admin', '/polls', {
        method: 'POST',
        body: { community_id: made.community.id, title: names.poll, closes_at: new Date(Date.now() + 7 * 86400e3).toISOString(), cadres: [{ name: names.cadre, position: `${BOLD}书记` }] },
      }),
      'poll',
    )
  })

  test('desktop: the grid map, its tooltip, the grid list and detail', async () => {
    const page = await env.browser.newPage({ ...desktop, bypassCSP: true })
    await signInAs(env, page, 'street1')
    await page.goto(`${env.server.base}/grids`)
    await page.getByTestId('grid-map').waitFor()
    await hoverGrid(page, names.grid, 'grid map tooltip')
    await page.screenshot({ path: join(shots, 'markup-map-desktop.png') })
    await seesText(page, 'grid-table', 'grid list')
    await page.getByTestId(`map-grid-${names.grid}`).click({ force: true })
    await seesText(page, 'grid-detail-name', 'grid detail')
    await seesText(page, 'grid-roles', 'grid roles')
    // Households: the head and the grid.
    await page.goto(`${env.server.base}/households`)
    await fill(page, 'household-search', '粗体')
    await seesText(page, 'household-table', 'household list')
    await page.close()
  })

  test('phone: the grid map and its tooltip at 375 px', async () => {
    const page = await env.browser.newPage({ ...phone, bypassCSP: true })
    await signInAs(env, page, 'street1')
    await page.goto(`${env.server.base}/grids`)
    await page.getByTestId('grid-map').waitFor()
    await hoverGrid(page, names.grid, 'phone grid map tooltip')
    await page.screenshot({ path: join(shots, 'markup-map-phone.png') })
    await page.getByTestId(`map-grid-${names.grid}`).click({ force: true })
    await seesText(page, 'grid-detail-name', 'phone grid detail')
    await page.close()
  })

  test('desktop: the dashboard (breakdown, map tooltip, charts) and the ranking chart', async () => {
    const page = await env.browser.newPage({ ...desktop, bypassCSP: true })
    await signInAs(env, page, 'street1')
    await page.goto(`${env.server.base}/dashboard?region_id=${made.streetId}`)
    await seesText(page, 'breakdown-table', 'dashboard breakdown')
    await page.waitForFunction(() => !document.querySelector('[data-testid="dashboard"] .el-loading-mask'))
    await hoverGrid(page, names.grid, 'dashboard map tooltip')
    for (const chart of ['chart-members', 'chart-orders', 'chart-months']) await hoverChart(page, chart, `dashboard ${chart}`)
    // The community's own dashboard: its name in the crumbs and heading, its grid in the breakdown.
    await page.getByTestId(`child-${names.community}`).click()
    await page.waitForURL((u) => u.searchParams.get('region_id') === made.community.id)
    await seesText(page, 'scope-name', 'dashboard scope name')
    await seesText(page, 'breakdown-table', 'dashboard grid breakdown')
    await page.screenshot({ path: join(shots, 'markup-dashboard-desktop.png'), fullPage: true })

    // The ranking of the community: the volunteer's name is a category of the chart and its tooltip.
    await page.goto(`${env.server.base}/service-hours/ranking`)
    await choose(page, 'ranking-region', names.community)
    await seesText(page, 'ranking-table', 'ranking table')
    const tip = await hoverChart(page, 'ranking-chart', 'ranking chart tooltip', { x: 0.6, y: 0.55 })
    assert.ok(tip.includes(names.volunteer), `the ranking tooltip shows the name as text: ${tip}`)
    await page.close()
  })

  test('desktop: regions, branches, members, meetings — lists, details and confirm boxes', async () => {
    const page = await env.browser.newPage({ ...desktop, bypassCSP: true })
    await signInAs(env, page, 'street1')

    await page.goto(`${env.server.base}/regions`)
    await page.getByTestId(`region-node-${names.community}`).click()
    await seesText(page, 'region-tree', 'region tree')
    await seesText(page, 'region-detail', 'region detail')
    await page.getByTestId('region-delete').click()
    await boxQuotes(page, 'region delete confirm')

    await page.goto(`${env.server.base}/branches`)
    await fill(page, 'filter-q', '粗体')
    await seesText(page, 'branch-table', 'branch search')
    await page.getByTestId('branch-table').getByText(names.branch).click()
    await seesText(page, 'branch-detail', 'branch detail')
    await page.getByTestId('branch-delete').click()
    await boxQuotes(page, 'branch delete confirm')

    await page.goto(`${env.server.base}/members`)
    await fill(page, 'member-search', '粗体')
    await seesText(page, 'member-table', 'member list')
    // The branch column cuts long names off and shows them whole in a tooltip.
    const cell = page.getByTestId('member-table').locator('.el-table__row .cell', { hasText: BOLD }).last()
    await cell.hover()
    await page.waitForTimeout(300)
    await clean(page, 'member list overflow tooltip')
    await page.goto(`${env.server.base}/members/${made.member.id}`)
    await seesText(page, 'member-name', 'member detail')
    await seesText(page, 'member-fields', 'member branch')

    await page.goto(`${env.server.base}/meetings/${made.meeting.id}`)
    await seesText(page, 'meeting-topic-title', 'meeting topic')
    await seesText(page, 'meeting-meta', 'meeting branch')
    await seesText(page, 'attendance-sheet', 'meeting attendance sheet')
    await page.getByTestId('meeting-delete').click()
    await boxQuotes(page, 'meeting delete confirm')
    await page.close()
  })

  test('desktop: teams, activities, units, concerns and polls', async () => {
    const page = await env.browser.newPage({ ...desktop, bypassCSP: true })
    await signInAs(env, page, 'street1')

    await page.goto(`${env.server.base}/volunteer-teams`)
    await fill(page, 'team-search', '粗体')
    await seesText(page, 'team-table', 'team list')
    await page.goto(`${env.server.base}/volunteer-teams/${made.team.id}`)
    await seesText(page, 'team-title', 'team title')
    await seesText(page, 'team-meta', 'team community')
    await seesText(page, 'team-members', 'team members')
    await page.getByTestId(`team-member-${names.volunteer}`).getByTestId('team-member-remove').click()
    await boxQuotes(page, 'team member remove confirm')

    await page.goto(`${env.server.base}/activities/${made.activity.id}`)
    await seesText(page, 'activity-title', 'activity title')
    await seesText(page, 'activity-facts', 'activity team')
    await seesText(page, 'signup-list', 'activity sign-ups')

    await page.goto(`${env.server.base}/units/${made.unit.id}`)
    await seesText(page, 'unit-title', 'unit title')
    await seesText(page, 'unit-pairings', 'unit pairing')
    await page.getByTestId(`pairing-${names.community}`).locator('.el-tag__close').click()
    await boxQuotes(page, 'unit unpair confirm')
    await page.goto(`${env.server.base}/units`)
    await seesText(page, 'unit-table', 'unit list')

    await page.goto(`${env.server.base}/concerns`)
    await seesText(page, 'concern-table', 'concern list')
    await page.goto(`${env.server.base}/concerns/${made.concern.id}`)
    await seesText(page, 'concern-title', 'concern title')
    await seesText(page, 'concern-facts', 'concern facts')

    await page.goto(`${env.server.base}/polls`)
    await seesText(page, 'poll-table', 'poll list')
    await page.goto(`${env.server.base}/polls/${made.poll.id}`)
    await seesText(page, 'poll-title', 'poll title')
    await seesText(page, 'poll-cadres', 'poll cadres')
    await page.getByTestId('poll-close').click()
    await boxQuotes(page, 'poll close confirm')
    await page.screenshot({ path: join(shots, 'markup-poll-desktop.png'), fullPage: true })
    await page.close()
  })
})

function flatten(c) {
  return typeof c[0] === 'number' ? [c] : c.flatMap(flatten)
}

const tokens = new Map()
async function token(username) {
  if (!tokens.has(username)) {
    const r = await fetch(`${env.server.base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'tongxin-demo' }) })
    tokens.set(username, (await r.json()).access_token)
  }
  return tokens.get(username)
}
