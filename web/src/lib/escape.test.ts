import { describe, expect, test } from 'vitest'
import { escapeHtml, safeHref, textNode } from './escape'

const MARKUP = `<img src=x onerror="window.__xss=1">网格 & 'x'`

describe('escapeHtml', () => {
  test('escapes the characters that start markup or end an attribute', () => {
    expect(escapeHtml(MARKUP)).toBe('&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt;网格 &amp; &#39;x&#39;')
    expect(escapeHtml('<b>粗体</b>')).toBe('&lt;b&gt;粗体&lt;/b&gt;')
  })

  test('parsed as HTML it is the original text and no element', () => {
    const div = document.createElement('div')
    div.innerHTML = escapeHtml(MARKUP)
    expect(div.textContent).toBe(MARKUP)
    expect(div.children).toHaveLength(0)
  })

  test('numbers, null and undefined', () => {
    expect(escapeHtml(3)).toBe('3')
    expect(escapeHtml(null)).toBe('')
    expect(escapeHtml(undefined)).toBe('')
  })
})

describe('textNode', () => {
  test('an element holding the text, not markup', () => {
    const el = textNode(MARKUP)
    expect(el.tagName).toBe('SPAN')
    expect(el.textContent).toBe(MARKUP)
    expect(el.querySelector('img')).toBeNull()
  })
})

describe('safeHref', () => {
  test('keeps http(s) links only', () => {
    expect(safeHref('https://x.example/a.jpg')).toBe('https://x.example/a.jpg')
    expect(safeHref(' http://x.example ')).toBe('http://x.example')
    expect(safeHref('javascript:alert(1)')).toBeUndefined()
    expect(safeHref('JaVaScRiPt:alert(1)')).toBeUndefined()
    expect(safeHref('data:text/html,<script>1</script>')).toBeUndefined()
    expect(safeHref('')).toBeUndefined()
  })
})
