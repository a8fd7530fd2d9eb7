// The regions the signed-in user can see (/regions/tree: street and communities, path-ordered),
// loaded once per session and shared by the screens of every feature that picks a community
// (services, concerns, polls, assessments, the dashboard, volunteers), and the community a
// community's staff start their lists in.
import { api, type Schemas } from '../api/client'
import { onSessionChange } from '../api/session'

export type Region = Schemas['RegionView']

let regions: Promise<Region[]> | null = null
onSessionChange(() => {
  regions = null
})

/** The regions the caller can see, path-ordered; empty when none (or when the call fails). */
export function loadRegions(): Promise<Region[]> {
  if (!regions) {
    regions = api.GET('/api/v1/regions/tree').then(
      ({ data }) => data ?? [],
      () => [],
    )
  }
  return regions
}

/** The community a community's staff works in, to start their lists there; none for others. */
export function homeCommunity(grants: Schemas['GrantView'][] | undefined, regions: Region[]): string {
  const communities = new Set(regions.filter((r) => r.level === 'community').map((r) => r.id))
  return (grants ?? []).find((g) => g.role === 'community_staff' && g.scope_id && communities.has(g.scope_id))?.scope_id ?? ''
}
