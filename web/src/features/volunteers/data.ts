// Lists the volunteer screens share: all teams matching a filter (paged through), and whether the
// signed-in user leads a team (for the menu). The regions live in lib/regions.ts.
import { api, type Schemas } from '../../api/client'
import { onSessionChange } from '../../api/session'
import { loadAllPages } from '../../lib/data'

export type Team = Schemas['TeamView']
type TeamQuery = { region_id?: string; kind?: Schemas['TeamKind']; status?: Schemas['TeamStatus']; mine?: boolean; q?: string }

/** Every team matching the query (a street has a few dozen; at most 10 pages of 100). */
export function loadTeams(query: TeamQuery = {}): Promise<Team[]> {
  return loadAllPages((page, per_page) => api.GET('/api/v1/volunteer-teams', { params: { query: { ...query, page, per_page } } }))
}

let leads: Promise<boolean> | null = null
onSessionChange(() => {
  leads = null
})

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
