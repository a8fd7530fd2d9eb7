// fetch with the in-memory bearer token and Accept-Language. On a 401 it refreshes the session once
// from the httpOnly cookie (one refresh in flight, shared by concurrent requests) and retries; if
// that fails the session ends. At start-up `restoreSession` does the same refresh once, so a reload
// or a second tab stays signed in without the refresh token ever reaching JavaScript.
import { accessToken, currentLanguage, dropLegacyTokens, refreshFromCookie, setAccessToken, setLanguage } from './session'

export { setLanguage }

let refreshing: Promise<string | null> | null = null
let restored: Promise<unknown> | null = null

const defaultFetch: typeof fetch = (...a) => fetch(...a)

/**
 * Tabs share the cookie, and the server rotates it on every refresh (a reused one ends the
 * session): tabs refreshing at the same moment take turns through a Web Lock where there is one
 * (secure contexts: https or localhost), so each sends the cookie the previous one received.
 */
function inTurn<T>(work: () => Promise<T>): Promise<T> {
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks
  return locks ? (locks.request('tongxin.refresh', work) as Promise<T>) : work()
}

/** Refreshes the access token from the cookie; null (and signed out) when there is no session. */
export function refreshOnce(baseFetch: typeof fetch = defaultFetch): Promise<string | null> {
  if (!refreshing) {
    refreshing = (async () => {
      try {
        const token = await inTurn(() => refreshFromCookie(baseFetch))
        setAccessToken(token)
        return token
      } catch {
        return null // offline: keep whatever this tab has, the next request tries again
      } finally {
        refreshing = null
      }
    })()
  }
  return refreshing
}

/**
 * Called before the first signed-in screen: drops tokens an older version left in localStorage and,
 * once per page load, asks for an access token with the cookie. True when signed in.
 */
export async function restoreSession(baseFetch: typeof fetch = defaultFetch): Promise<boolean> {
  if (!restored) {
    dropLegacyTokens()
    restored = accessToken() ? Promise.resolve() : refreshOnce(baseFetch)
  }
  await restored
  return accessToken() !== null
}

/** Forgets that the session was restored (tests start each case as a fresh page load). */
export function resetRestore(): void {
  restored = null
  refreshing = null
}

function withAuth(req: Request, token: string | null): Request {
  const headers = new Headers(req.headers)
  if (token) headers.set('Authorization', `Bearer ${token}`)
  headers.set('Accept-Language', currentLanguage())
  return new Request(req, { headers })
}

export function makeAuthFetch(baseFetch: typeof fetch = defaultFetch) {
  return async (input: Request): Promise<Response> => {
    const retry = input.clone()
    const sent = accessToken()
    const res = await baseFetch(withAuth(input, sent))
    const isAuthCall = new URL(input.url).pathname.startsWith('/api/v1/auth/')
    if (res.status !== 401 || isAuthCall || !sent) return res
    // Another request may have refreshed already while this one was in flight.
    const next = accessToken() !== sent ? accessToken() : await refreshOnce(baseFetch)
    if (!next) return res
    return baseFetch(withAuth(retry, next))
  }
}
