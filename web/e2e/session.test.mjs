// Where the SPA keeps its tokens: the refresh token in an httpOnly, SameSite=Strict cookie scoped
// to /api/v1/auth that scripts cannot read, the access token in memory only (nothing in
// localStorage). A reload and a second tab stay signed in through the cookie, also when both
// reload at once; an expired access token is refreshed once and the request retried; a token an
// older version left in localStorage is removed; signing out clears the cookie and ends the
// session in the other tab too.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { desktop, phone, signIn as signInAs, useApp } from './harness.mjs'

const env = useApp(before, after)

/** What page scripts could read: localStorage and document.cookie. */
const readable = (page) => page.evaluate(() => ({ storage: JSON.stringify({ ...localStorage }), cookie: document.cookie }))

describe('session', () => {
  test('desktop: cookie session across reloads and tabs, refresh on 401, sign-out everywhere', async () => {
    const context = await env.browser.newContext(desktop)
    const page = await context.newPage()
    // A token left by an older version of the app is removed at start-up.
    await page.goto(`${env.server.base}/login`)
    await page.evaluate(() => localStorage.setItem('tongxin.session', JSON.stringify({ access_token: 'old', refresh_token: 'old' })))
    await signInAs(env, page, 'street1')
    await page.getByTestId('who').getByText('新丰街').waitFor()

    const cookie = (await context.cookies()).find((c) => c.name === 'tongxin_refresh')
    assert.ok(cookie, 'the refresh cookie is set')
    assert.equal(cookie.httpOnly, true)
    assert.equal(cookie.sameSite, 'Strict')
    assert.equal(cookie.path, '/api/v1/auth')
    let seen = await readable(page)
    assert.doesNotMatch(seen.storage, /tongxin\.session|eyJ|refresh/, 'no token in localStorage')
    assert.doesNotMatch(seen.cookie, /tongxin_refresh/, 'scripts cannot read the refresh cookie')

    // A reload stays signed in (one refresh from the cookie), still with nothing readable.
    await page.goto(`${env.server.base}/regions`)
    await page.getByTestId('region-tree').waitFor()
    await page.reload()
    await page.getByTestId('region-tree').waitFor()
    assert.ok(!new URL(page.url()).pathname.startsWith('/login'))
    seen = await readable(page)
    assert.doesNotMatch(seen.storage, /eyJ/)

    // A second tab is signed in too; both reloading at once still are (the rotated cookie is sent in turn).
    const other = await context.newPage()
    await other.goto(`${env.server.base}/branches`)
    await other.getByTestId('branch-tree').waitFor()
    await Promise.all([page.reload(), other.reload()])
    await Promise.all([page.getByTestId('region-tree').waitFor(), other.getByTestId('branch-tree').waitFor()])
    assert.ok(!new URL(page.url()).pathname.startsWith('/login'), 'the first tab is still signed in')
    assert.ok(!new URL(other.url()).pathname.startsWith('/login'), 'the second tab is still signed in')

    // An access token the API no longer takes: one refresh from the cookie, the request retried.
    let refused = 0
    await page.route(
      (url) => url.pathname.startsWith('/api/v1/regions'),
      async (route) => {
        if (refused++ === 0) return route.fulfill({ status: 401, contentType: 'application/problem+json', body: JSON.stringify({ status: 401, code: 'token_expired', title: 'expired' }) })
        return route.continue()
      },
    )
    const refreshed = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/refresh') && r.status() === 200)
    await page.getByTestId('nav-branches').click()
    await page.getByTestId('nav-regions').click()
    await refreshed
    await page.getByTestId('region-tree').waitFor()
    assert.ok(refused >= 1, 'a regions request was refused once')
    await page.unrouteAll()

    // Signing out clears the cookie; the other tab is signed out as well, and a reload stays out.
    await page.getByTestId('logout').click()
    await page.getByTestId('login-submit').waitFor()
    const left = (await context.cookies()).find((c) => c.name === 'tongxin_refresh' && c.value)
    assert.equal(left, undefined, 'the refresh cookie is cleared')
    await other.getByTestId('login-submit').waitFor()
    await other.goto(`${env.server.base}/regions`)
    await other.waitForURL((u) => u.pathname.startsWith('/login'))
    await context.close()
  })

  test('phone: a reload at 375 px stays signed in', async () => {
    const context = await env.browser.newContext(phone)
    const page = await context.newPage()
    await signInAs(env, page, 'grid1')
    await page.getByTestId('my-grid-card').waitFor()
    await page.reload()
    await page.getByTestId('my-grid-card').waitFor()
    assert.ok(!new URL(page.url()).pathname.startsWith('/login'))
    await context.close()
  })
})
