// Browser tests of the grid screens: the map (desktop), visit coverage, and the grid worker's
// two-tap visit log on a 375 px phone.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { desktop, fill, login, phone, shots, useApp } from './harness.mjs'

const env = useApp(before, after)

describe('grids', () => {
  test('desktop: the map draws the street grids without tiles and a click opens the grid', async () => {
    const page = await env.browser.newPage(desktop)
    await login(page, env.server.base, 'street1')
    await page.getByTestId('nav-grids').click()
    await page.getByTestId('grid-map').waitFor()
    const polygon = page.getByTestId('map-grid-斜桥巷第1网格')
    await polygon.waitFor()
    assert.equal(await page.locator('[data-testid^="map-grid-"]').count(), 39)
    assert.equal(await page.locator('.leaflet-tile').count(), 0, 'no tile server is used')
    await polygon.click({ force: true })
    await page.getByTestId('grid-detail-name').getByText('斜桥巷第1网格').waitFor()
    assert.match(await page.getByTestId('grid-roles').innerText(), /张海燕/)
    await page.screenshot({ path: join(shots, 'grids-desktop.png') })
    // The same map coloured by households not visited for 30 days.
    await page.getByTestId('grid-colour-overdue').click()
    await page.getByTestId('overdue-legend').waitFor()
    await page.getByTestId('map-grid-斜桥巷第1网格').waitFor()
    await page.close()
  })

  test('desktop: coverage marks targets met and missed', async () => {
    const page = await env.browser.newPage(desktop)
    await login(page, env.server.base, 'street1')
    await page.getByTestId('nav-coverage').click()
    await page.getByTestId('coverage-period').click()
    await page.locator('.el-select-dropdown__item', { hasText: '2026-10' }).click()
    const table = page.getByTestId('coverage-grids')
    await table.getByText('斜桥巷第1网格').waitFor()
    const text = await table.innerText()
    assert.match(text, /达标/)
    assert.match(text, /未达标/)
    await page.screenshot({ path: join(shots, 'coverage-desktop.png') })
    await page.close()
  })

  test('phone: a grid worker logs a visit in two taps', async () => {
    const page = await env.browser.newPage(phone)
    await login(page, env.server.base, 'grid1')
    await page.getByTestId('my-grid-card').getByText('斜桥巷第1网格').waitFor()
    const width = await page.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(width <= 375, `page is ${width}px wide`)
    await fill(page, 'my-grid-search', '1幢1单元101')
    const row = page.getByTestId('hh-1幢1单元101')
    await row.waitFor()
    await page.getByTestId('visit-1幢1单元101').click()
    await page.getByTestId('visit-confirm').click()
    await page.locator('.visit-logged').waitFor()
    await page.getByTestId('visit-1幢1单元101').getByText('今日已访').waitFor()
    await page.screenshot({ path: join(shots, 'my-grid-phone.png') })
    await page.close()
  })
})
