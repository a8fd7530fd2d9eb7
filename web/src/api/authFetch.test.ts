import { beforeEach, describe, expect, test, vi } from 'vitest'
import { makeAuthFetch, resetRestore, restoreSession } from './authFetch'
import { accessToken, LEGACY_KEY, onSessionChange, setAccessToken, signIn, signOut } from './session'

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
const granted = (token: string) => json(200, { access_token: token, token_type: 'Bearer', expires_in: 900 })

beforeEach(() => {
  resetRestore()
  setAccessToken(null)
  localStorage.clear()
})

describe('authFetch', () => {
  beforeEach(() => setAccessToken('old'))

  test('adds the bearer token and Accept-Language', async () => {
    const base = vi.fn(async (_req: Request) => json(200, {}))
    await makeAuthFetch(base as unknown as typeof fetch)(new Request('http://x/api/v1/me'))
    const sent = base.mock.calls[0][0]
    expect(sent.headers.get('Authorization')).toBe('Bearer old')
    expect(sent.headers.get('Accept-Language')).toBeTruthy()
  })

  test('on a 401 it refreshes once from the cookie and retries with the new token', async () => {
    const base = vi.fn(async (req: Request) => {
      if (req.url.endsWith('/auth/refresh')) return granted('new')
      return req.headers.get('Authorization') === 'Bearer new' ? json(200, { ok: true }) : json(401, { code: 'token_expired' })
    })
    const f = makeAuthFetch(base as unknown as typeof fetch)
    const [a, b] = await Promise.all([
      f(new Request('http://x/api/v1/regions', { method: 'POST', body: '{"name":"x"}' })),
      f(new Request('http://x/api/v1/me')),
    ])
    expect(a.status).toBe(200)
    expect(b.status).toBe(200)
    const refreshes = base.mock.calls.filter(([r]) => r.url.endsWith('/auth/refresh'))
    expect(refreshes).toHaveLength(1)
    // The refresh carries no token: an empty JSON body, and the cookie of this origin.
    const [refresh] = refreshes[0]
    expect(refresh.method).toBe('POST')
    expect(refresh.credentials).toBe('same-origin')
    expect(refresh.headers.get('Content-Type')).toBe('application/json')
    expect(refresh.headers.get('Authorization')).toBeNull()
    expect(await refresh.text()).toBe('{}')
    expect(accessToken()).toBe('new')
    const retried = base.mock.calls.find(([r]) => r.method === 'POST' && r.url.endsWith('/regions') && r.headers.get('Authorization') === 'Bearer new')
    expect(await retried![0].text()).toBe('{"name":"x"}')
  })

  test('a failed refresh ends the session and returns the 401', async () => {
    const ended = vi.fn()
    const off = onSessionChange(ended)
    const base = vi.fn(async (req: Request) => (req.url.endsWith('/auth/refresh') ? json(401, { code: 'invalid_refresh_token' }) : json(401, { code: 'token_expired' })))
    const res = await makeAuthFetch(base as unknown as typeof fetch)(new Request('http://x/api/v1/me'))
    off()
    expect(res.status).toBe(401)
    expect(accessToken()).toBeNull()
    expect(ended).toHaveBeenCalledWith(false)
  })

  test('a 401 from the sign-in route itself is not retried', async () => {
    const base = vi.fn(async () => json(401, { code: 'invalid_credentials' }))
    const res = await makeAuthFetch(base as unknown as typeof fetch)(new Request('http://x/api/v1/auth/login', { method: 'POST', body: '{}' }))
    expect(res.status).toBe(401)
    expect(base).toHaveBeenCalledTimes(1)
  })
})

describe('session', () => {
  test('start-up restores the access token from the cookie once, and drops tokens left in localStorage', async () => {
    localStorage.setItem(LEGACY_KEY, JSON.stringify({ access_token: 'a', refresh_token: 'r' }))
    const base = vi.fn(async (_req: Request) => granted('from-cookie'))
    expect(await restoreSession(base as unknown as typeof fetch)).toBe(true)
    expect(await restoreSession(base as unknown as typeof fetch)).toBe(true)
    expect(base).toHaveBeenCalledTimes(1)
    expect(accessToken()).toBe('from-cookie')
    expect(localStorage.getItem(LEGACY_KEY)).toBeNull()
  })

  test('start-up without a cookie session is signed out, and does not ask again', async () => {
    const base = vi.fn(async (_req: Request) => json(401, { code: 'invalid_refresh_token' }))
    expect(await restoreSession(base as unknown as typeof fetch)).toBe(false)
    expect(await restoreSession(base as unknown as typeof fetch)).toBe(false)
    expect(base).toHaveBeenCalledTimes(1)
  })

  test('sign-in asks for a cookie session and keeps the access token in memory only', async () => {
    const base = vi.fn(async (_req: Request) => granted('fresh'))
    expect(await signIn('street1', 'pw', base as unknown as typeof fetch)).toBeNull()
    const [req] = base.mock.calls[0]
    expect(req.url).toMatch(/\/api\/v1\/auth\/login$/)
    expect(req.credentials).toBe('same-origin')
    expect(JSON.parse(await req.text())).toEqual({ username: 'street1', password: 'pw', session: 'cookie' })
    expect(accessToken()).toBe('fresh')
    expect(localStorage.length).toBe(0)
  })

  test('a refused sign-in returns the problem and stays signed out', async () => {
    const base = vi.fn(async () => json(401, { code: 'invalid_credentials', status: 401 }))
    expect(await signIn('street1', 'bad', base as unknown as typeof fetch)).toMatchObject({ code: 'invalid_credentials', status: 401 })
    expect(accessToken()).toBeNull()
  })

  test('sign-out posts an empty body with the cookie and forgets the token', async () => {
    setAccessToken('t')
    const base = vi.fn(async (_req: Request) => new Response(null, { status: 204 }))
    await signOut(base as unknown as typeof fetch)
    const [req] = base.mock.calls[0]
    expect(req.url).toMatch(/\/api\/v1\/auth\/logout$/)
    expect(req.credentials).toBe('same-origin')
    expect(await req.text()).toBe('{}')
    expect(accessToken()).toBeNull()
  })
})
