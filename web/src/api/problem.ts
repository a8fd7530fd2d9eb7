// Turns a problem+json answer into what a screen shows: a translated message and field errors.
export interface ProblemLike {
  status?: number
  code?: string
  detail?: string
  errors?: { field: string; code: string; message: string }[] | null
}

export type Translate = (key: string) => string

/// The message for a problem: `errors.<code>` when the locale has it, else the server's detail.
export function problemMessage(p: ProblemLike | undefined, t: Translate, te: (key: string) => boolean): string {
  if (!p || typeof p !== 'object') return t('errors.network')
  if (p.code && te(`errors.${p.code}`)) {
    const base = t(`errors.${p.code}`)
    // Conflicts carry useful specifics ("3 child regions …") in detail.
    return p.status === 409 && p.detail ? `${base}（${p.detail}）` : base
  }
  return p.detail || t('errors.unknown')
}

/// Field errors keyed by field name (the last segment of a dotted path), first message wins.
/// With `t` and `te`, a field error whose code the locale knows (`errors.required`) is shown
/// translated; otherwise the server's message is.
export function fieldErrors(p: ProblemLike | undefined, t?: Translate, te?: (key: string) => boolean): Record<string, string> {
  const out: Record<string, string> = {}
  for (const e of p?.errors ?? []) {
    const key = e.field.split('.').pop() ?? e.field
    if (key in out) continue
    out[key] = t && te && e.code && te(`errors.${e.code}`) ? t(`errors.${e.code}`) : e.message
  }
  return out
}
