// The signed-in session: tokens kept in localStorage so a reload stays signed in.
export interface Tokens {
  access_token: string
  refresh_token: string
}

const KEY = 'tongxin.session'
let current: Tokens | null = null
const listeners = new Set<(t: Tokens | null) => void>()

export function loadTokens(): Tokens | null {
  if (current) return current
  try {
    const raw = localStorage.getItem(KEY)
    current = raw ? (JSON.parse(raw) as Tokens) : null
  } catch {
    current = null
  }
  return current
}

export function saveTokens(t: Tokens | null): void {
  current = t
  if (t) localStorage.setItem(KEY, JSON.stringify(t))
  else localStorage.removeItem(KEY)
  listeners.forEach((l) => l(t))
}

export function onSessionChange(l: (t: Tokens | null) => void): () => void {
  listeners.add(l)
  return () => listeners.delete(l)
}
