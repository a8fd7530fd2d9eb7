// Browser tests of the web app against the real API with demo data, at desktop size and 375 px.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { desktop, fill, login, phone, shots, useApp } from './harness.mjs'

const env = useApp(before, after)

describe('desktop', () => {
  test('a wrong password shows the translated error', async () => {
    const page = await env.browser.newPage(desktop)
    await login(page, env.server.base, 'street1', 'wrong-password')
    await page.getByTestId('login-error').waitFor()
    assert.match(await page.getByTestId('login-error').innerText(), /用户名或密码错误/)
    await page.close()
  })

  test('regions: tree, create with field errors, delete refused when not empty', async () => {
    const page = await env.browser.newPage(desktop)
    await login(page, env.server.base, 'street1')
    // Staff land on the dashboard; the regions are one click away.
    await page.getByTestId('dashboard').waitFor()
    await page.getByTestId('nav-regions').click()
    await page.getByTestId('region-tree').waitFor()
    await page.getByTestId('region-node-新丰街街道').click()
    await page.getByTestId('region-detail').getByText('新丰街街道').waitFor()

    // An empty name comes back as a field error from the API's 422, its code translated.
    await page.getByTestId('region-add-child').click()
    await page.getByTestId('region-submit').click()
    await page.getByTestId('form-error').waitFor()
    const fieldError = page.locator('[data-testid="field-name"] .el-form-item__error')
    await fieldError.waitFor()
    assert.match(await fieldError.innerText(), /必填/)

    await fill(page, 'region-name', '测试新社区')
    await page.getByTestId('region-submit').click()
    await page.getByTestId('region-node-测试新社区').waitFor()
    await page.screenshot({ path: join(shots, 'regions-desktop.png') })

    // A community with branches cannot be deleted; the 409 is explained.
    await page.getByTestId('region-node-竹林社区').click()
    await page.getByTestId('region-delete').click()
    await page.locator('.el-message-box__btns .el-button--primary').click()
    const err = page.locator('.delete-error')
    await err.waitFor()
    assert.match(await err.innerText(), /无法删除/)
    await page.close()
  })

  test('branches: tree, filter to interest-based branches, English labels, sign out', async () => {
    const page = await env.browser.newPage(desktop)
    await login(page, env.server.base, 'street1')
    await page.getByTestId('nav-branches').click()
    await page.getByTestId('branch-node-新丰街街道党工委').waitFor()
    await page.getByTestId('filter-establishment').click()
    await page.locator('.el-select-dropdown__item', { hasText: '非建制性' }).click()
    await page.getByTestId('branch-table').getByText('心相连艺术团党支部').waitFor()
    await page.getByTestId('branch-table').getByText('心相连艺术团党支部').click()
    await page.getByTestId('branch-detail').getByText('斜桥巷社区').waitFor()
    await page.screenshot({ path: join(shots, 'branches-desktop.png') })

    await page.getByTestId('lang-switch').click()
    await page.getByTestId('nav-regions').getByText('Regions').waitFor()
    await page.getByTestId('logout').click()
    await page.getByTestId('login-submit').waitFor()
    await page.close()
  })
})

describe('phone, 375 px', () => {
  test('sign in, navigate through the drawer, no horizontal scrolling', async () => {
    const page = await env.browser.newPage(phone)
    await login(page, env.server.base, 'secretary1')
    await page.getByTestId('region-tree').waitFor()
    let width = await page.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(width <= 375, `page is ${width}px wide`)
    await page.screenshot({ path: join(shots, 'regions-phone.png') })
    await page.getByTestId('menu-toggle').click()
    await page.getByTestId('drawer-nav-branches').click()
    await page.getByTestId('branch-node-斜桥巷社区党总支').waitFor()
    width = await page.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(width <= 375, `page is ${width}px wide`)
    await page.getByTestId('branch-node-心相连艺术团党支部').click()
    await page.getByTestId('branch-detail').getByText('心相连艺术团党支部').waitFor()
    await page.screenshot({ path: join(shots, 'branches-phone.png'), fullPage: true })
    await page.close()
  })
})
