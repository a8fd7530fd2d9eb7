// Helpers for the attendance-rate chart: period labels (quarters and months) and bar widths.
export function currentQuarter(d = new Date()): string {
  return `${d.getFullYear()}-Q${Math.floor(d.getMonth() / 3) + 1}`
}

/** The last `n` quarters, newest first. */
export function recentQuarters(n: number, d = new Date()): string[] {
  const out: string[] = []
  let y = d.getFullYear()
  let q = Math.floor(d.getMonth() / 3) + 1
  for (let i = 0; i < n; i++) {
    out.push(`${y}-Q${q}`)
    q -= 1
    if (q === 0) {
      q = 4
      y -= 1
    }
  }
  return out
}

/** The last `n` months (`2026-11`), newest first. */
export function recentMonths(n: number, d = new Date()): string[] {
  const out: string[] = []
  for (let i = 0; i < n; i++) {
    const m = new Date(d.getFullYear(), d.getMonth() - i, 1)
    out.push(`${m.getFullYear()}-${String(m.getMonth() + 1).padStart(2, '0')}`)
  }
  return out
}

/** A period as people say it: 2026年第4季度 / Q4 2026, 2026年11月 / Nov 2026. */
export function periodName(period: string, lang: string): string {
  const q = /^(\d{4})-Q([1-4])$/.exec(period)
  const m = /^(\d{4})-(\d{2})$/.exec(period)
  const zh = lang.startsWith('zh')
  if (q) return zh ? `${q[1]}年第${q[2]}季度` : `Q${q[2]} ${q[1]}`
  if (m) {
    if (zh) return `${m[1]}年${Number(m[2])}月`
    return `${['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][Number(m[2]) - 1]} ${m[1]}`
  }
  return period
}

/** A bar's width in percent (0–100) for a rate, `null` drawing none. */
export function barWidth(rate: number | null | undefined): number {
  if (rate == null || Number.isNaN(rate)) return 0
  return Math.max(0, Math.min(100, Math.round(rate * 1000) / 10))
}

export type BarState = 'met' | 'below' | 'none'

/** How a branch's bar is drawn: at or over the line, under it, or flagged for having no recorded meeting. */
export function barState(b: { attendance_rate?: number | null; below_target: boolean }, target = 0.8): BarState {
  if (b.attendance_rate == null) return 'none'
  return b.below_target || b.attendance_rate < target ? 'below' : 'met'
}
