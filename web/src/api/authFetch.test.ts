import { beforeEach, describe, expect, test, vi } from 'vitest'
import { makeAuthFetch } from './authFetch'
import { loadTokens, saveTokens } from './session'

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

describe('authFetch', () => {
  beforeEach(() => saveTokens({ access_token: 'old', refresh_token: 'r1' }))

  test('adds the bearer token and Accept-Language', async () => {
    const base = vi.fn(async (_req: Request) => json(200, {}))
    await makeAuthFetch(base as any)(new Request('http://x/api/v1/me'))
    const sent = base.mock.calls[0][0]
    expect(sent.headers.get('Authorization')).toBe('Bearer old')
    expect(sent.headers.get('Accept-Language')).toBeTruthy()
  })

  test('on a 401 it refreshes once and retries with the new token', async () => {
    const base = vi.fn(async (req: Request) => {
      if (req.url.endsWith('/auth/refresh')) return json(200, { access_token: 'new', refresh_token: 'r2' })
      return req.headers.get('Authorization') === 'Bearer new' ? json(200, { ok: true }) : json(401, { code: 'token_expired' })
    })
    const f = makeAuthFetch(base as any)
    const [a, b] = await Promise.all([
      f(new Request('http://x/api/v1/regions', { method: 'POST', body: '{"name":"x"}' })),
      f(new Request('http://x/api/v1/me')),
    ])
    expect(a.status).toBe(200)
    expect(b.status).toBe(200)
    expect(base.mock.calls.filter(([r]) => r.url.endsWith('/auth/refresh'))).toHaveLength(1)
    expect(loadTokens()).toEqual({ access_token: 'new', refresh_token: 'r2' })
    const retried = base.mock.calls.find(([r]) => r.method === 'POST' && r.url.endsWith('/regions') && r.headers.get('Authorization') === 'Bearer new')
    expect(await retried![0].text()).toBe('{"name":"x"}')
  })

  test('a failed refresh ends the session and returns the 401', async () => {
    const base = vi.fn(async (req: Request) => (req.url.endsWith('/auth/refresh') ? json(401, { code: 'refresh_token_reused' }) : json(401, { code: 'token_expired' })))
    const res = await makeAuthFetch(base as any)(new Request('http://x/api/v1/me'))
    expect(res.status).toBe(401)
    expect(loadTokens()).toBeNull()
  })

  test('a 401 from the sign-in route itself is not retried', async () => {
    const base = vi.fn(async () => json(401, { code: 'invalid_credentials' }))
    const res = await makeAuthFetch(base as any)(new Request('http://x/api/v1/auth/login', { method: 'POST', body: '{}' }))
    expect(res.status).toBe(401)
    expect(base).toHaveBeenCalledTimes(1)
  })
})
