import { defineStore } from 'pinia'
import { ref, computed } from 'vue'
import { api, type Schemas } from '../api/client'
import { loadTokens, onSessionChange, saveTokens } from '../api/session'
import type { ProblemLike } from '../api/problem'

export const useAuth = defineStore('auth', () => {
  const me = ref<Schemas['MeView'] | null>(null)
  const signedIn = ref(!!loadTokens())
  onSessionChange((t) => {
    signedIn.value = !!t
    if (!t) me.value = null
  })

  const isStaff = computed(() => (me.value?.grants ?? []).some((g) => ['admin', 'street_staff', 'community_staff'].includes(g.role)))
  const isAdmin = computed(() => (me.value?.grants ?? []).some((g) => g.role === 'admin'))
  /** Keeps members' records and meetings somewhere (staff, or a branch secretary); the server decides per record. */
  const isKeeper = computed(() => (me.value?.grants ?? []).some((g) => ['admin', 'street_staff', 'community_staff', 'branch_secretary'].includes(g.role)))

  async function login(username: string, password: string): Promise<ProblemLike | null> {
    const { data, error } = await api.POST('/api/v1/auth/login', { body: { username, password } })
    if (error || !data) return (error as ProblemLike) ?? { code: 'unknown' }
    saveTokens({ access_token: data.access_token, refresh_token: data.refresh_token })
    await loadMe()
    return null
  }

  async function loadMe(): Promise<void> {
    const { data } = await api.GET('/api/v1/me')
    me.value = data ?? null
  }

  async function logout(): Promise<void> {
    const tokens = loadTokens()
    if (tokens) await api.POST('/api/v1/auth/logout', { body: { refresh_token: tokens.refresh_token } }).catch(() => undefined)
    saveTokens(null)
  }

  return { me, signedIn, isStaff, isAdmin, isKeeper, login, loadMe, logout }
})
