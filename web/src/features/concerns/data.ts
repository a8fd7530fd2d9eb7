// What the concern screens load besides concerns themselves: a photo through the signed-in fetch
// (the API's photo URLs need the token, so an <img> cannot load them; they become object URLs),
// a photo upload, the communities a resident may report in, a grid worker's grids, and where the
// caller's street routes each category.
import { api, type Schemas } from '../../api/client'
import { makeAuthFetch } from '../../api/authFetch'
import type { ProblemLike } from '../../api/problem'
import { loadMenu } from '../services/data'
import { communitiesOf } from '../services/services'
import { loadRegions } from '../../lib/regions'
import { photoName, type Concern } from './concerns'

const authFetch = makeAuthFetch()

/** A concern photo (an API path such as `/api/v1/concerns/…/photos/…`) as an object URL; revoke it when done. */
export async function photoObjectUrl(url: string): Promise<string> {
  const res = await authFetch(new Request(new URL(url, location.origin)))
  if (!res.ok) throw new Error(`photo ${res.status}`)
  return URL.createObjectURL(await res.blob())
}

/** Adds a photo to a concern: the changed concern, or the problem (415 not an image, 413 too large, 409 too many). */
export async function uploadPhoto(id: string, file: File): Promise<{ data?: Concern; error?: ProblemLike }> {
  const form = new FormData()
  form.append('file', file, photoName(file.name, file.type))
  const { data, error } = await api.POST('/api/v1/concerns/{id}/photos', {
    params: { path: { id } },
    body: form as unknown as undefined,
    bodySerializer: (b: unknown) => b as FormData,
  })
  return { data: data as Concern | undefined, error: error as ProblemLike | undefined }
}

export type Community = { id: string; name: string }

/**
 * The communities a concern can be reported in: those the caller sees in the region tree (staff),
 * else those of the regions list, else those met on the community service menus (residents see no
 * regions, but every community's menu).
 */
export async function loadCommunities(): Promise<Community[]> {
  const fromTree = (await loadRegions()).filter((r) => r.level === 'community').map((r) => ({ id: r.id, name: r.name }))
  if (fromTree.length) return fromTree
  const listed = await api.GET('/api/v1/regions', { params: { query: { level: 'community', per_page: 100 } } }).catch(() => null)
  const fromList = (listed?.data?.items ?? []).map((r) => ({ id: r.id, name: r.name }))
  if (fromList.length) return fromList
  const menu = await loadMenu().catch(() => [])
  return communitiesOf(menu).sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'))
}

/** The grids the caller works in (a grid worker's own; staff see their regions' grids). */
export async function loadGrids(): Promise<Schemas['GridView'][]> {
  const { data, error } = await api.GET('/api/v1/grids', { params: { query: { per_page: 100 } } })
  if (error || !data) throw error ?? new Error('no grids')
  return (data as unknown as Schemas['Page_GridView']).items
}

/** Where the street of a community routes each category (department names for the route dialog); empty when unknown. */
export async function loadRoutes(communityId: string): Promise<Schemas['RouteView'][]> {
  const regions = await loadRegions()
  const street = regions.find((r) => r.id === communityId)?.parent_id
  if (!street) return []
  const { data } = await api.GET('/api/v1/streets/{street_id}/concern-routes', { params: { path: { street_id: street } } }).catch(() => ({ data: undefined }))
  return data?.routes ?? []
}
