// What the poll screens load besides one poll: the communities a staff member can set a poll up in
// (from the region tree), a page of polls or rectifications, and one rectification found by id
// (the API lists them but has no single read; a results page links to one).
import { api } from '../../api/client'
import { loadRegions } from '../../lib/regions'
import type { Poll, PollStatus, Rectification } from './polls'

export type Community = { id: string; name: string }

/** The communities in the caller's region tree (staff); none for residents and members. */
export async function loadCommunities(): Promise<Community[]> {
  return (await loadRegions()).filter((r) => r.level === 'community').map((r) => ({ id: r.id, name: r.name }))
}

export interface PageOf<T> {
  items: T[]
  total: number
}

export async function loadPolls(query: { community_id?: string; status?: PollStatus; page?: number; per_page?: number }): Promise<PageOf<Poll>> {
  const { data, error } = await api.GET('/api/v1/polls', { params: { query } })
  if (error || !data) throw error ?? new Error('no polls')
  return { items: data.items as Poll[], total: data.total }
}

export async function loadRectifications(query: { community_id?: string; status?: 'open' | 'done'; page?: number; per_page?: number }): Promise<PageOf<Rectification>> {
  const { data, error } = await api.GET('/api/v1/rectifications', { params: { query } })
  if (error || !data) throw error ?? new Error('no rectifications')
  return { items: data.items as Rectification[], total: data.total }
}

/** One rectification by id, paging through the caller's list (100 a page, at most `maxPages`). */
export async function findRectification(id: string, maxPages = 20): Promise<Rectification | null> {
  for (let page = 1; page <= maxPages; page++) {
    const { items, total } = await loadRectifications({ page, per_page: 100 })
    const hit = items.find((r) => r.id === id)
    if (hit) return hit
    if (page * 100 >= total) break
  }
  return null
}
