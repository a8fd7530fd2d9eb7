// The SPA under its Content-Security-Policy: the server sends the policy (no inline script, no
// eval, frame-ancestors 'none') and a Permissions-Policy on every SPA response, the built
// index.html has no inline script, and the main screens (charts, maps, QR code, photos, message
// boxes) run without a single `securitypolicyviolation` or console CSP error, at desktop size and
// at 375 px; a page of another origin cannot frame the app.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { apiClient, desktop, phone, signIn as signInAs, useApp } from './harness.mjs'

const env = useApp(before, after)
const api = apiClient(env)
export const POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; manifest-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
/** The directives, with frame-ancestors apart: 'none' (as specified) or 'self' (what the API sends:
 * the app may frame itself) both keep every other origin from framing it. */
const directives = (p) => new Set(p.split(';').map((d) => d.trim().replace(/\s+/g, ' ')).filter((d) => d && !d.startsWith('frame-ancestors ')))
const frameAncestors = (p) => /(?:^|;)\s*frame-ancestors ([^;]*)/.exec(p)?.[1].trim()

/** A context whose pages record CSP violations (the listener is installed before any page script). */
async function watched(options) {
  const context = await env.browser.newContext(options)
  await context.addInitScript(() => {
    window.__csp = []
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`))
  })
  const page = await context.newPage()
  const violations = []
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (load|execute|apply|evaluate|connect|frame)/i.test(m.text())) violations.push(`console: ${m.text()}`)
  })
  page.on('pageerror', (e) => {
    if (/Content Security Policy|unsafe-eval/i.test(String(e))) violations.push(`pageerror: ${e}`)
  })
  /** Violations seen on the current document so far, plus the console's. */
  const collect = async (where) => {
    const seen = await page.evaluate(() => window.__csp.splice(0)).catch(() => [])
    violations.push(...seen.map((v) => `${where}: ${v}`))
  }
  return { context, page, violations, collect }
}

describe('content security policy', () => {
  test('the server sends the policy and a Permissions-Policy on SPA responses; index.html has no inline script', async () => {
    for (const path of ['/', '/login', '/grids', '/dashboard?region_id=x']) {
      const res = await fetch(`${env.server.base}${path}`)
      assert.equal(res.status, 200, path)
      const csp = res.headers.get('content-security-policy')
      assert.ok(csp, `${path}: no Content-Security-Policy header`)
      assert.deepEqual(directives(csp), directives(POLICY), `${path}: the policy differs`)
      assert.match(frameAncestors(csp) ?? '', /^'(none|self)'$/, `${path}: frame-ancestors is not set to 'none' or 'self'`)
      const pp = res.headers.get('permissions-policy')
      assert.ok(pp, `${path}: no Permissions-Policy header`)
      // The check-in page locates the phone: geolocation must stay allowed for the app itself.
      assert.doesNotMatch(pp, /geolocation=\(\)/, 'geolocation is needed by the check-in page')
      const html = await res.text()
      assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, `${path}: an inline <script>`)
      assert.doesNotMatch(html, /\son[a-z]+=/i, `${path}: an inline event handler`)
    }
  })

  test('desktop: the main screens run without a violation', async () => {
    const { context, page, violations, collect } = await watched(desktop)
    await page.goto(`${env.server.base}/login`)
    await page.getByTestId('login-submit').waitFor()
    await collect('login')
    await signInAs(env, page, 'street1')

    // An activity under way that street1 manages shows its QR code (a data: image).
    const teams = await api('street1', '/volunteer-teams?per_page=1')
    const now = Date.now()
    const activity = await api('street1', '/activities', {
      method: 'POST',
      body: { team_id: teams.body.items[0].id, title: 'CSP 检查', place: '广场', starts_at: new Date(now - 10 * 60e3).toISOString(), ends_at: new Date(now + 50 * 60e3).toISOString(), capacity: 5 },
    })
    assert.equal(activity.status, 201, JSON.stringify(activity.body))
    const member = (await api('street1', '/members?per_page=1')).body.items[0]
    const concern = (await api('street1', '/concerns?per_page=1')).body.items[0]

    const screens = [
      ['/dashboard', 'chart-months'],
      ['/grids', 'grid-map'],
      ['/regions', 'region-tree'],
      ['/branches', 'branch-tree'],
      ['/households', 'household-table'],
      ['/coverage', 'coverage-grids'],
      ['/members', 'member-table'],
      [`/members/${member.id}`, 'member-name'],
      ['/meetings', 'meeting-calendar'],
      ['/meetings/rates', 'rates-bar'],
      ['/volunteer-teams', 'team-table'],
      ['/service-hours/ranking', 'ranking-chart'],
      [`/activities/${activity.body.id}`, 'activity-title'],
      ['/units', 'unit-table'],
      ['/agreements', 'agreement-table'],
      ['/service-orders/board', 'nav-board'],
      ['/concerns', 'concern-table'],
      [`/concerns/${concern.id}`, 'concern-photos'],
      ['/polls', 'poll-table'],
      ['/assessments', 'nav-assessments'],
      ['/me', 'nav-me'],
    ]
    for (const [path, testid] of screens) {
      await page.goto(`${env.server.base}${path}`)
      await page.getByTestId(testid).first().waitFor()
      if (path === '/dashboard') await page.getByTestId('grid-map').locator('path').first().waitFor()
      if (path.startsWith('/activities/')) {
        await page.getByTestId('activity-show-code').click()
        await page.getByTestId('check-in-qr').waitFor()
      }
      if (path === '/regions') {
        // A message box, and a reload that restores the session from the cookie.
        await page.getByTestId('region-node-竹林社区').click()
        await page.getByTestId('region-delete').click()
        await page.locator('.el-message-box__btns .el-button:not(.el-button--primary)').click()
        await page.reload()
        await page.getByTestId('region-tree').waitFor()
      }
      await page.waitForTimeout(200)
      await collect(path)
    }
    assert.deepEqual(violations, [])
    await context.close()
  })

  test('phone: the worker and resident screens run without a violation at 375 px', async () => {
    for (const [user, screens] of [
      ['grid1', [['/my-grid', 'my-grid-card'], ['/concerns/new', 'nav-me']]],
      ['resident1', [['/volunteer', 'nav-me'], ['/polls/vote', 'nav-me'], ['/my-concerns', 'nav-me']]],
    ]) {
      const { context, page, violations, collect } = await watched(phone)
      await signInAs(env, page, user)
      for (const [path, testid] of screens) {
        await page.goto(`${env.server.base}${path}`)
        await page.getByTestId(testid).or(page.getByTestId(`drawer-${testid}`)).first().waitFor({ state: 'attached' })
        await page.waitForTimeout(200)
        await collect(`${user} ${path}`)
      }
      assert.deepEqual(violations, [])
      await context.close()
    }
  })

  test('a page of another origin cannot frame the app', async () => {
    const { context, page } = await watched(desktop)
    // The embedding page is served for an origin of its own (answered here, no DNS involved).
    await page.route('http://embedder.test/**', (route) => route.fulfill({ contentType: 'text/html', body: `<iframe src="${env.server.base}/login"></iframe>` }))
    await page.goto('http://embedder.test/')
    const frame = page.frames().find((f) => f !== page.mainFrame())
    assert.ok(frame, 'the embedding page has its frame')
    await frame.waitForLoadState('load').catch(() => undefined)
    await page.waitForTimeout(500)
    // A refused frame shows Chromium's error page instead of the app.
    assert.doesNotMatch(frame.url(), new RegExp(`^${env.server.base}`), `the app loaded inside a frame of another origin: ${frame.url()}`)
    await context.close()
  })
})
