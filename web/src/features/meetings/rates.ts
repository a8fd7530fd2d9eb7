// Helpers for the attendance-rate chart: the current quarter's label and the bars' widths.
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

/** A bar's width in percent (0–100) for a rate, `null` drawing none. */
export function barWidth(rate: number | null | undefined): number {
  if (rate == null || Number.isNaN(rate)) return 0
  return Math.max(0, Math.min(100, Math.round(rate * 1000) / 10))
}
