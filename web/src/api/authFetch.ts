// fetch with the bearer token and Accept-Language, which on a 401 refreshes the session once
// (one refresh in flight, shared by concurrent requests) and retries; if that fails the session ends.
import { loadTokens, saveTokens, type Tokens } from './session'

let refreshing: Promise<Tokens | null> | null = null
let language = 'zh-CN'

export function setLanguage(lang: string): void {
  language = lang
}

async function refreshOnce(baseFetch: typeof fetch): Promise<Tokens | null> {
  const tokens = loadTokens()
  if (!tokens) return null
  if (!refreshing) {
    refreshing = (async () => {
      try {
        const res = await baseFetch(new Request(`${location.origin}/api/v1/auth/refresh`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ refresh_token: tokens.refresh_token }),
        }))
        if (!res.ok) {
          saveTokens(null)
          return null
        }
        const body = (await res.json()) as Tokens
        const next = { access_token: body.access_token, refresh_token: body.refresh_token }
        saveTokens(next)
        return next
      } catch {
        return null
      } finally {
        refreshing = null
      }
    })()
  }
  return refreshing
}

function withAuth(req: Request, token: string | undefined): Request {
  const headers = new Headers(req.headers)
  if (token) headers.set('Authorization', `Bearer ${token}`)
  headers.set('Accept-Language', language)
  return new Request(req, { headers })
}

export function makeAuthFetch(baseFetch: typeof fetch = (...a) => fetch(...a)) {
  return async (input: Request): Promise<Response> => {
    const retry = input.clone()
    const res = await baseFetch(withAuth(input, loadTokens()?.access_token))
    const isAuthCall = new URL(input.url).pathname.startsWith('/api/v1/auth/')
    if (res.status !== 401 || isAuthCall || !loadTokens()) return res
    const next = await refreshOnce(baseFetch)
    if (!next) return res
    return baseFetch(withAuth(retry, next.access_token))
  }
}
