// Dates and times as people read them, in the browser's time zone (the API sends UTC).
const pad = (n: number) => String(n).padStart(2, '0')

/** `2026-11-23T01:14:05Z` → `2026-11-23 09:14` in China. */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/** The local calendar day of an instant. */
export function day(iso: string | null | undefined): string {
  return dateTime(iso).slice(0, 10)
}
