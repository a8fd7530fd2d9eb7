// Starts the real API binary with the demo district and the built web app, and Debian's Chromium
// through playwright-core (no downloaded browser). Used by the *.test.mjs files in this folder.
import { spawn } from 'node:child_process'
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createServer } from 'node:net'
import { chromium } from 'playwright-core'

const webDir = resolve(import.meta.dirname, '..')
export const shots = join(webDir, 'e2e', 'screenshots')

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => ok(port))
    })
    s.on('error', fail)
  })
}

export async function startServer() {
  const bin = process.env.TONGXIN_BIN || resolve(webDir, '..', 'target', 'debug', 'tongxin')
  if (!existsSync(bin)) throw new Error(`no API binary at ${bin}; build it (cargo build) or set TONGXIN_BIN`)
  const dist = join(webDir, 'dist')
  if (!existsSync(join(dist, 'index.html'))) throw new Error('web/dist is missing; run `npm run build` first')
  const data = mkdtempSync(join(tmpdir(), 'tongxin-e2e-'))
  const port = await freePort()
  const proc = spawn(bin, ['serve', '--demo', '--bind', `127.0.0.1:${port}`], {
    env: { ...process.env, TONGXIN_DATA_DIR: data, TONGXIN_WEB_DIR: dist, RUST_LOG: 'warn', TONGXIN_LOGIN_RATE_PER_MINUTE: '1000' },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const base = `http://127.0.0.1:${port}`
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${base}/readyz`)).ok) break
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  if (!(await fetch(`${base}/readyz`)).ok) throw new Error('the API did not become ready')
  return {
    base,
    async stop() {
      proc.kill('SIGTERM')
      await new Promise((r) => proc.once('exit', r))
      rmSync(data, { recursive: true, force: true })
    },
  }
}

export async function launch() {
  mkdirSync(shots, { recursive: true })
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}

export const desktop = { viewport: { width: 1280, height: 800 } }
export const phone = { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }

/** Fills an Element Plus input found by its data-testid (on the input or its wrapper). */
export async function fill(page, testid, value) {
  const el = page.getByTestId(testid)
  const tag = await el.evaluate((n) => n.tagName)
  await (tag === 'INPUT' || tag === 'TEXTAREA' ? el : el.locator('input').first()).fill(value)
}

export async function login(page, base, username, password = 'tongxin-demo') {
  await page.goto(`${base}/login`)
  await fill(page, 'login-username', username)
  await fill(page, 'login-password', password)
  await page.getByTestId('login-submit').click()
}

/** One server and browser per test file, stopped at its end: `const env = useApp(before, after)`. */
export function useApp(before, after) {
  const env = { server: null, browser: null }
  before(async () => {
    env.server = await startServer()
    env.browser = await launch()
  })
  after(async () => {
    await env.browser?.close()
    await env.server?.stop()
  })
  return env
}

/** Signs in through the login page and waits to leave it. */
export async function signIn(env, page, username, password = 'tongxin-demo') {
  await login(page, env.server.base, username, password)
  await page.waitForURL((u) => !u.pathname.startsWith('/login'))
}

/** A JSON API client for the test's own setup and checks, signing each account in once. It uses
 * bearer tokens, as integrations do; pages in the browser sign in through the login page and so use
 * the web app's cookie session (nothing is put into localStorage). */
export function apiClient(env) {
  const tokens = new Map()
  return async function api(username, path, init = {}, password = 'tongxin-demo') {
    if (!tokens.has(username)) {
      const r = await fetch(`${env.server.base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      })
      if (r.status !== 200) throw new Error(`${username} cannot sign in: ${r.status}`)
      tokens.set(username, (await r.json()).access_token)
    }
    const res = await fetch(`${env.server.base}/api/v1${path}`, {
      ...init,
      headers: { authorization: `Bearer ${tokens.get(username)}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
      body: init.body && typeof init.body !== 'string' ? JSON.stringify(init.body) : init.body,
    })
    return { status: res.status, body: res.status === 204 ? null : await res.json() }
  }
}

/** Fails when the page is wider than a 375 px phone. */
export async function noOverflow(page) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth)
  if (width > 375) throw new Error(`page is ${width}px wide`)
}

/** Picks an option of an Element Plus select by its visible text, and checks the select shows it
 * (on a loaded machine a click can land while the options are still being replaced: retry). */
export async function choose(page, testid, text) {
  for (let attempt = 1; ; attempt++) {
    await page.getByTestId(testid).click()
    await page.locator('.el-select-dropdown__item', { hasText: text }).filter({ visible: true }).first().click()
    try {
      await page.getByTestId(testid).getByText(text).first().waitFor({ timeout: 3000 })
      return
    } catch (e) {
      if (attempt >= 3) throw e
      await page.keyboard.press('Escape')
    }
  }
}
