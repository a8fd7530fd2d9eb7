// Browser tests of phone numbers kept masked until somebody who must call asks: the unit serving
// an order shows the resident's number on that order (desktop), and the resident then reads, on
// her phone, that the unit's contact was shown it (谁查看了我的信息).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { apiClient, desktop, noOverflow, phone, shots, signIn as signInAs, useApp } from './harness.mjs'

const env = useApp(before, after)
const signIn = (page, username) => signInAs(env, page, username)
const api = apiClient(env)

describe('privacy', () => {
  test('a provider shows the number on its order only, and the resident sees who did', async () => {
    const regions = await api('admin', `/regions?level=community&q=${encodeURIComponent('斜桥巷社区')}`)
    const community = regions.body.items[0].id
    const order = await api('resident1', '/service-orders', {
      method: 'POST',
      body: { community_id: community, title: '帮忙取药', description: '周三上午', contact_phone: '13812345678' },
    })
    assert.equal(order.status, 201, JSON.stringify(order.body))
    const units = await api('unit1', '/units?per_page=5')
    const unit = units.body.items[0].id
    const dispatched = await api('community1', `/service-orders/${order.body.id}/dispatch`, {
      method: 'POST',
      body: { provider_type: 'unit', provider_id: unit },
    })
    assert.equal(dispatched.status, 200, JSON.stringify(dispatched.body))

    const desk = await env.browser.newPage(desktop)
    await signIn(desk, 'unit1')
    await desk.goto(`${env.server.base}/service-orders/${order.body.id}`)
    const shown = desk.getByTestId('order-phone')
    await shown.waitFor()
    assert.equal((await shown.innerText()).trim(), '138****5678', 'masked until asked')
    await desk.getByTestId('order-show-phone').click()
    await desk.getByTestId('order-phone').getByText('13812345678').waitFor()
    assert.equal(await desk.getByTestId('order-phone').getAttribute('href'), 'tel:13812345678')
    await desk.screenshot({ path: join(shots, 'privacy-order-phone.png') })
    await desk.close()

    const page = await env.browser.newPage(phone)
    await signIn(page, 'resident1')
    await page.goto(`${env.server.base}/me`)
    await page.getByTestId('me-data-access').click()
    await page.waitForURL(/\/me\/data-access/)
    const item = page.getByTestId('data-access-item').first()
    await item.waitFor()
    const text = await item.innerText()
    assert.match(text, /联络员|unit1/, text)
    assert.match(text, /服务订单/, text)
    await noOverflow(page)
    await page.screenshot({ path: join(shots, 'privacy-data-access-375.png') })
    await page.close()
  })
})
