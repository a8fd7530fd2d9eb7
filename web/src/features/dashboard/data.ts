// What the dashboard loads: the overview, the breakdown (children, or every grid for the map), the
// months, the grids' boundaries, and the XLSX export saved through the signed-in client.
import { api } from '../../api/client'
import type { ProblemLike } from '../../api/problem'
import { saveBlob } from '../../lib/download'
import type { GridFeature } from '../grids/GridMap.vue'
import { fileNameOf, type Breakdown, type Month, type Overview, type Period } from './stats'

type Answer<T> = { data?: T; error?: ProblemLike }
/** No period: the API's default, this year up to its today. */
const days = (p: Period | null) => (p ? { from: p.from, to: p.to } : {})

export async function loadOverview(regionId: string, p: Period | null): Promise<Answer<Overview>> {
  const { data, error } = await api.GET('/api/v1/stats/overview', { params: { query: { region_id: regionId, ...days(p) } } })
  return { data, error: error as ProblemLike | undefined }
}

export async function loadBreakdown(regionId: string, p: Period | null, byGrid = false): Promise<Answer<Breakdown>> {
  const { data, error } = await api.GET('/api/v1/stats/breakdown', {
    params: { query: { region_id: regionId, ...days(p), by: byGrid ? 'grid' : undefined } },
  })
  return { data, error: error as ProblemLike | undefined }
}

export async function loadSeries(regionId: string, p: Period | null): Promise<Answer<Month[]>> {
  const { data, error } = await api.GET('/api/v1/stats/series', { params: { query: { region_id: regionId, ...days(p) } } })
  return { data: data?.months, error: error as ProblemLike | undefined }
}

/** The boundaries of every grid inside a street or community (GeoJSON features). */
export async function loadGridFeatures(regionId: string): Promise<GridFeature[]> {
  const { data } = await api.GET('/api/v1/grids', {
    params: { query: { region_id: regionId, per_page: 1000 } },
    headers: { Accept: 'application/geo+json' },
  })
  // The list answers JSON or GeoJSON by Accept, so its generated type is the union of both.
  return (data as unknown as { features?: GridFeature[] } | undefined)?.features ?? []
}

/** Downloads the workbook of a region and period (`name`: the file name when the API gives none); the problem when the API refuses. */
export async function exportXlsx(regionId: string, p: Period | null, name: string): Promise<ProblemLike | null> {
  const { data, error, response } = await api.GET('/api/v1/stats/export', {
    params: { query: { region_id: regionId, ...days(p) } },
    parseAs: 'blob',
  })
  if (error || !data) return (error as ProblemLike) ?? { status: response.status }
  saveBlob(data as unknown as Blob, fileNameOf(response.headers.get('content-disposition'), name))
  return null
}
