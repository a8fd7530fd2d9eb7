// The dashboard's ECharts options, built from figures and their translated names: members by
// category (pie), orders by state (bar), the months (lines). Pure, so they are tested without a canvas.
// ECharts draws its tooltips as HTML: string templates ('{b}…') and its default tooltips escape the
// names they insert; a function formatter would have to escape them itself (lib/escape's escapeHtml).
import type { Month } from './stats'

export type Slice = { key: string; name: string; value: number }
const PALETTE = ['#b71c1c', '#e57373', '#f0a202', '#409eff', '#67c23a', '#909399', '#8e44ad', '#16a085']

export function pieOption(slices: Slice[], narrow: boolean): Record<string, unknown> {
  return {
    color: PALETTE,
    tooltip: { trigger: 'item', formatter: '{b}：{c}（{d}%）' },
    legend: narrow ? { bottom: 0 } : { orient: 'vertical', right: 0, top: 'middle', type: 'scroll' },
    series: [
      {
        type: 'pie',
        radius: narrow ? ['32%', '58%'] : ['40%', '70%'],
        center: narrow ? ['50%', '42%'] : ['38%', '50%'],
        label: { show: !narrow, formatter: '{c}' },
        data: slices.map((s) => ({ name: s.name, value: s.value, key: s.key })),
      },
    ],
  }
}

export function barOption(slices: Slice[], narrow: boolean): Record<string, unknown> {
  return {
    color: ['#b71c1c'],
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 8, right: 8, top: 24, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: slices.map((s) => s.name), axisLabel: { interval: 0, rotate: narrow ? 35 : 0, fontSize: narrow ? 10 : 12 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', data: slices.map((s) => s.value), barMaxWidth: 36, label: { show: true, position: 'top' } }],
  }
}

export type LineKey = 'orders' | 'concerns' | 'visits' | 'hours'
export const LINE_KEYS: LineKey[] = ['orders', 'concerns', 'visits', 'hours']

/** Orders, concerns and visits on the left axis, hours (much larger) on the right one. */
export function lineOption(months: Month[], names: Record<LineKey, string>, monthName: (m: string) => string, narrow: boolean): Record<string, unknown> {
  return {
    color: ['#b71c1c', '#f0a202', '#409eff', '#67c23a'],
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 8, right: 8, top: narrow ? 56 : 36, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: months.map((m) => monthName(m.month)), axisLabel: { fontSize: narrow ? 10 : 12 } },
    yAxis: [
      { type: 'value', minInterval: 1 },
      { type: 'value', name: narrow ? '' : names.hours, splitLine: { show: false } },
    ],
    series: LINE_KEYS.map((k) => ({
      name: names[k],
      type: 'line',
      smooth: true,
      yAxisIndex: k === 'hours' ? 1 : 0,
      data: months.map((m) => m[k]),
    })),
  }
}
