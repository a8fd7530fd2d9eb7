// The signed-in session of the SPA. The access token lives in this module's memory only (never in
// localStorage, where an injected script could read it); the refresh token is an httpOnly,
// SameSite=Strict cookie (`tongxin_refresh`, Path=/api/v1/auth) that JavaScript never sees. A
// reload or a new tab gets an access token from the cookie with one refresh (see authFetch.ts).
//
// The cookie flavour of the auth calls is not in openapi.yaml yet (the API adds it beside the
// bearer flavour integrations keep), so these three calls are typed here by hand:
//   POST /api/v1/auth/login   {username, password, session: "cookie"} → 200 AccessToken + Set-Cookie
//   POST /api/v1/auth/refresh {} with the cookie → 200 AccessToken + a rotated cookie; 401 without one
//   POST /api/v1/auth/logout  {} with the cookie → 204, the cookie cleared
import type { ProblemLike } from './problem'

/** What the cookie flavour of login and refresh answer: no refresh token in the body. */
export interface AccessToken {
  access_token: string
  token_type: string
  expires_in: number
}

/** Where tokens used to be kept (before the cookie session): removed at start-up. */
export const LEGACY_KEY = 'tongxin.session'
const AUTH = '/api/v1/auth'

let current: string | null = null
let language = 'zh-CN'
const listeners = new Set<(signedIn: boolean) => void>()

// Other tabs of this browser share the cookie: a sign-out in one ends the session in all of them.
const broadcast = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel('tongxin.session')
if (broadcast) broadcast.onmessage = (e) => e.data === 'signed-out' && setAccessToken(null)

/** The access token of this tab, or null when signed out (or not yet restored from the cookie). */
export function accessToken(): string | null {
  return current
}

/** Keeps the access token in memory; tells the listeners when signed in or out changes. */
export function setAccessToken(token: string | null): void {
  const was = current !== null
  current = token
  if (was !== (token !== null)) listeners.forEach((l) => l(token !== null))
}

export function onSessionChange(l: (signedIn: boolean) => void): () => void {
  listeners.add(l)
  return () => listeners.delete(l)
}

export function setLanguage(lang: string): void {
  language = lang
}

export function currentLanguage(): string {
  return language
}

/** Removes the tokens an older version of the app kept in localStorage. */
export function dropLegacyTokens(): void {
  try {
    localStorage.removeItem(LEGACY_KEY)
  } catch {
    /* storage unavailable (private mode): nothing to remove */
  }
}

function origin(): string {
  return typeof location === 'undefined' ? 'http://localhost' : location.origin
}

/** A JSON POST to an auth route that sends (and accepts) the session cookie of this origin. */
export function authRequest(route: 'login' | 'refresh' | 'logout', body: Record<string, unknown>): Request {
  return new Request(`${origin()}${AUTH}/${route}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'Accept-Language': language },
    body: JSON.stringify(body),
  })
}

async function problemOf(res: Response): Promise<ProblemLike> {
  try {
    const p = (await res.json()) as ProblemLike
    return { ...p, status: p.status ?? res.status }
  } catch {
    return { status: res.status, code: 'unknown' }
  }
}

/** Signs in for a cookie session: the access token is kept in memory, the cookie by the browser. */
export async function signIn(username: string, password: string, baseFetch: typeof fetch = (...a) => fetch(...a)): Promise<ProblemLike | null> {
  const res = await baseFetch(authRequest('login', { username, password, session: 'cookie' }))
  if (!res.ok) return problemOf(res)
  const body = (await res.json()) as AccessToken
  setAccessToken(body.access_token)
  return null
}

/** One refresh from the cookie: the new access token, or null when there is no session (401). */
export async function refreshFromCookie(baseFetch: typeof fetch): Promise<string | null> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const res = await baseFetch(authRequest('refresh', {}))
    if (res.ok) return ((await res.json()) as AccessToken).access_token
    // Another tab rotated the cookie a moment ago (no Web Lock over plain http): the browser now
    // holds the new one, so one more try succeeds.
    const code = res.status === 401 ? ((await res.json().catch(() => ({}))) as { code?: string }).code : undefined
    if (code !== 'refresh_token_rotated') return null
    await new Promise((r) => setTimeout(r, 50))
  }
  return null
}

/** Ends the session on the server (which clears the cookie) and in every tab of this browser. */
export async function signOut(baseFetch: typeof fetch = (...a) => fetch(...a)): Promise<void> {
  try {
    await baseFetch(authRequest('logout', {}))
  } catch {
    /* offline: the cookie stays until it expires, but this tab forgets the token */
  }
  setAccessToken(null)
  broadcast?.postMessage('signed-out')
}
