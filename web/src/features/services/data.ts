// Lists the service screens share, paged through: units, menu items; and who the caller acts
// for (a unit contact's unit, a community staff's community).
import { api, type Schemas } from '../../api/client'

export type Unit = Schemas['UnitView']
export type MenuItem = Schemas['MenuItemView']
type UnitQuery = { q?: string; region_id?: string; community_id?: string; kind?: Schemas['UnitKind'] }
type MenuQuery = { community_id?: string; provider_type?: Schemas['ProviderType']; provider_id?: string; q?: string }

/** More than this many pages of 100 is not loaded (a street has some dozens of units). */
const MAX_PAGES = 10

export async function loadUnits(query: UnitQuery = {}): Promise<Unit[]> {
  const all: Unit[] = []
  for (let page = 1; page <= MAX_PAGES; page++) {
    const { data, error } = await api.GET('/api/v1/units', { params: { query: { ...query, page, per_page: 100 } } })
    if (error || !data) throw error ?? new Error('no units')
    all.push(...data.items)
    if (all.length >= data.total || data.items.length === 0) break
  }
  return all
}

export async function loadMenu(query: MenuQuery = {}): Promise<MenuItem[]> {
  const all: MenuItem[] = []
  for (let page = 1; page <= MAX_PAGES; page++) {
    const { data, error } = await api.GET('/api/v1/menu-items', { params: { query: { ...query, page, per_page: 100 } } })
    if (error || !data) throw error ?? new Error('no menu')
    all.push(...data.items)
    if (all.length >= data.total || data.items.length === 0) break
  }
  return all
}

/** The unit a unit contact acts for; none for others. */
export function myUnitId(grants: Schemas['GrantView'][] | undefined): string {
  return (grants ?? []).find((g) => g.role === 'unit_contact' && g.scope_id)?.scope_id ?? ''
}

/** Agreements the caller may see (their regions', or their unit's), newest term first. */
export async function loadAgreements(query: { unit_id?: string; region_id?: string } = {}): Promise<Schemas['AgreementView'][]> {
  const { data, error } = await api.GET('/api/v1/agreements', { params: { query } })
  if (error || !data) throw error ?? new Error('no agreements')
  return data
}
