import { defineStore } from 'pinia'
import { ref, computed } from 'vue'
import { api, type Schemas } from '../api/client'
import { accessToken, onSessionChange, signIn, signOut } from '../api/session'
import type { ProblemLike } from '../api/problem'

export const useAuth = defineStore('auth', () => {
  const me = ref<Schemas['MeView'] | null>(null)
  const signedIn = ref(accessToken() !== null)
  onSessionChange((on) => {
    signedIn.value = on
    if (!on) me.value = null
  })

  const isStaff = computed(() => (me.value?.grants ?? []).some((g) => ['admin', 'street_staff', 'community_staff'].includes(g.role)))
  const isAdmin = computed(() => (me.value?.grants ?? []).some((g) => g.role === 'admin'))
  /** Keeps members' records and meetings somewhere (staff, or a branch secretary); the server decides per record. */
  const isKeeper = computed(() => (me.value?.grants ?? []).some((g) => ['admin', 'street_staff', 'community_staff', 'branch_secretary'].includes(g.role)))

  /** Signs in for a cookie session (the refresh token stays in an httpOnly cookie). */
  async function login(username: string, password: string): Promise<ProblemLike | null> {
    const problem = await signIn(username, password)
    if (problem) return problem
    await loadMe()
    return null
  }

  async function loadMe(): Promise<void> {
    const { data } = await api.GET('/api/v1/me')
    me.value = data ?? null
  }

  async function logout(): Promise<void> {
    await signOut()
  }

  return { me, signedIn, isStaff, isAdmin, isKeeper, login, loadMe, logout }
})
