// A guard over the source: user text reaches the page only as text. Markup sinks are either
// absent (v-html, innerHTML, Element Plus' dangerouslyUseHTMLString / raw-content) or fed through
// lib/escape (Leaflet tooltips and popups take a text node; ECharts function formatters escape).
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, test } from 'vitest'

const root = join(__dirname, '..')
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) return sources(p)
    return /\.(vue|ts)$/.test(name) && !/\.(test|d)\.ts$/.test(name) ? [p] : []
  })
}
const files = sources(root).map((p) => ({ path: relative(root, p), text: readFileSync(p, 'utf8') }))
const hits = (re: RegExp) => files.filter((f) => re.test(f.text)).map((f) => f.path)

describe('HTML sinks in src/', () => {
  test('the sources were read', () => {
    expect(files.length).toBeGreaterThan(50)
  })

  test('no v-html, innerHTML, outerHTML, insertAdjacentHTML or document.write', () => {
    expect(hits(/v-html|\.innerHTML\b|\.outerHTML\s*=|insertAdjacentHTML|document\.write/)).toEqual([])
  })

  test('Element Plus never takes markup (message boxes, messages, notifications, tooltips)', () => {
    expect(hits(/dangerouslyUseHTMLString\s*:\s*true|dangerously-use-html-string|raw-content|rawContent\s*:\s*true/)).toEqual([])
  })

  test('Leaflet tooltips, popups and icons get a text node, never a string', () => {
    const bad = files.flatMap((f) => [...f.text.matchAll(/\.(bindTooltip|bindPopup|setTooltipContent|setPopupContent)\(\s*([^,)]+)/g)].filter((m) => !/^tip\b|textNode\(/.test(m[2].trim())).map((m) => `${f.path}: ${m[0]}`))
    expect(bad).toEqual([])
    expect(hits(/divIcon\(\s*\{[^}]*html\s*:/)).toEqual([])
  })

  test('ECharts function formatters escape what they return (string templates and valueFormatter are escaped by ECharts)', () => {
    const bad = files.flatMap((f) =>
      [...f.text.matchAll(/\bformatter\s*:\s*(function\b|\([^)]*\)\s*=>|\w+\s*=>)/g)].filter((m) => !f.text.slice(m.index!, m.index! + 400).includes('escapeHtml(')).map((m) => `${f.path}: ${m[0]}`),
    )
    expect(bad).toEqual([])
  })
})
