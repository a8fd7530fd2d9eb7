// Lists the service screens share, paged through: units, menu items; and who the caller acts
// for (a unit contact's unit, a community staff's community).
import { api, type Schemas } from '../../api/client'
import { loadAllPages } from '../../lib/data'

export type Unit = Schemas['UnitView']
export type MenuItem = Schemas['MenuItemView']
type UnitQuery = { q?: string; region_id?: string; community_id?: string; kind?: Schemas['UnitKind'] }
type MenuQuery = { community_id?: string; provider_type?: Schemas['ProviderType']; provider_id?: string; q?: string }

/** Every unit matching the query (a street has some dozens; at most 10 pages of 100). */
export function loadUnits(query: UnitQuery = {}): Promise<Unit[]> {
  return loadAllPages((page, per_page) => api.GET('/api/v1/units', { params: { query: { ...query, page, per_page } } }))
}

/** Every menu item matching the query (at most 10 pages of 100). */
export function loadMenu(query: MenuQuery = {}): Promise<MenuItem[]> {
  return loadAllPages((page, per_page) => api.GET('/api/v1/menu-items', { params: { query: { ...query, page, per_page } } }))
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
