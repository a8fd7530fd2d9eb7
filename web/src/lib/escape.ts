// Text for libraries that take HTML. Leaflet's tooltips and popups set a string as innerHTML, and
// ECharts' tooltips render what a function formatter returns as HTML: names typed by users (grids,
// regions, branches, people, teams …) go through these, never in as markup.

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** The text with the five HTML-significant characters escaped, safe inside an element or a quoted attribute. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c])
}

/** An element whose only content is the text (its textContent), for APIs that accept a DOM node. */
export function textNode(value: unknown, tag: keyof HTMLElementTagNameMap = 'span'): HTMLElement {
  const el = document.createElement(tag)
  el.textContent = String(value ?? '')
  return el
}

/** A link target only when it is http(s) (an entered `javascript:` or `data:` URL is not followed). */
export function safeHref(url: unknown): string | undefined {
  const s = String(url ?? '').trim()
  return /^https?:\/\//i.test(s) ? s : undefined
}
