// Lists the volunteer screens share: all teams matching a filter (paged through), the
// communities a picker offers, and whether the signed-in user leads a team (for the menu).
import { api, type Schemas } from '../../api/client'
import { onSessionChange } from '../../api/session'

export type Team = Schemas['TeamView']
export type Region = Schemas['RegionView']
type TeamQuery = { region_id?: string; kind?: Schemas['TeamKind']; status?: Schemas['TeamStatus']; mine?: boolean; q?: string }

/** More than this many pages of 100 teams is not loaded (a street has a few dozen). */
const MAX_PAGES = 10

export async function loadTeams(query: TeamQuery = {}): Promise<Team[]> {
  const all: Team[] = []
  for (let page = 1; page <= MAX_PAGES; page++) {
    const { data, error } = await api.GET('/api/v1/volunteer-teams', { params: { query: { ...query, page, per_page: 100 } } })
    if (error || !data) throw error ?? new Error('no teams')
    all.push(...data.items)
    if (all.length >= data.total || data.items.length === 0) break
  }
  return all
}

let regions: Promise<Region[]> | null = null
let leads: Promise<boolean> | null = null
onSessionChange(() => {
  regions = null
  leads = null
})

/** The regions the caller can see (street and communities), path-ordered; empty when none. */
export function loadRegions(): Promise<Region[]> {
  if (!regions) {
    regions = api.GET('/api/v1/regions/tree').then(
      ({ data }) => data ?? [],
      () => [],
    )
  }
  return regions
}

/** Whether the signed-in user keeps a team they belong to (its leader). */
export function leadsTeam(): Promise<boolean> {
  if (!leads) {
    leads = loadTeams({ mine: true }).then(
      (teams) => teams.some((t) => t.can_manage),
      () => false,
    )
  }
  return leads
}

/** The community a community's staff works in, to start their lists there; none for others. */
export function homeCommunity(grants: Schemas['GrantView'][] | undefined, regions: Region[]): string {
  const communities = new Set(regions.filter((r) => r.level === 'community').map((r) => r.id))
  return (grants ?? []).find((g) => g.role === 'community_staff' && g.scope_id && communities.has(g.scope_id))?.scope_id ?? ''
}
