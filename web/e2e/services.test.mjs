// Browser tests of the menu-style services (点单、派单、接单、评单 and 微心愿): a resident orders
// from a community's menu on a phone, the order is dispatched, accepted and completed, and she
// rates it and reads the timeline; community staff's dispatch board at 1280 px with counts,
// overdue marks and a dispatch through the dialog; and the wish wall on a phone, a wish posted
// by a resident and approved by the community's staff.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { apiClient, choose, desktop, fill, noOverflow, phone, shots, signIn as signInAs, useApp } from './harness.mjs'

const env = useApp(before, after)
const signIn = (page, username) => signInAs(env, page, username)
const api = apiClient(env)
const COMMUNITY = '斜桥巷社区'
const HOSPITAL = '常州市第一人民医院'

const count = async (page, state) => Number((await page.getByTestId(`board-column-${state}`).getByTestId('board-count').innerText()).trim())

describe('services', () => {
  test('phone: a resident orders from the menu, the order is served, and she rates it and reads the timeline', async () => {
    // unit1 publishes a service on the community's menu through its unit page.
    const desk = await env.browser.newPage(desktop)
    await signIn(desk, 'unit1')
    await desk.getByTestId('nav-my-unit').click()
    await desk.getByTestId('unit-title').getByText(HOSPITAL).waitFor()
    await desk.getByTestId('unit-pairings').getByText(COMMUNITY).waitFor()
    await desk.getByTestId('unit-publish').click()
    await choose(desk, 'publish-community', COMMUNITY)
    await fill(desk, 'publish-title', '上门换药')
    await fill(desk, 'publish-schedule', '每周四下午')
    await desk.getByTestId('publish-save').click()
    await desk.getByTestId('unit-menu').getByText('上门换药').waitFor()
    await desk.close()

    const page = await env.browser.newPage(phone)
    await signIn(page, 'resident1')
    await page.getByTestId('menu-toggle').click()
    await page.getByTestId('drawer-nav-menu').click()
    await page.waitForURL(/\/menu/)
    await choose(page, 'menu-community', COMMUNITY)
    const item = page.getByTestId('menu-item-上门换药')
    await item.waitFor()
    await noOverflow(page)
    await page.screenshot({ path: join(shots, 'services-menu-phone.png') })
    await item.getByTestId('menu-order').click()
    await fill(page, 'order-description', '腿部伤口需要换药')
    await fill(page, 'order-phone', '13905190000')
    await fill(page, 'order-address', '斜桥巷12号3单元')
    await page.getByTestId('order-submit').click()
    await page.waitForURL(/\/service-orders\/[0-9a-f-]{36}$/)
    const id = page.url().split('/').pop()
    await page.getByTestId('order-status').getByText('新订单').waitFor()
    await page.getByTestId('order-timeline').getByText('下单').waitFor()

    // The community dispatches it to the hospital, which accepts and completes it.
    const units = await api('community1', `/units?community_id=${(await api('resident1', `/service-orders/${id}`)).body.community_id}&q=${encodeURIComponent(HOSPITAL)}`)
    const unit = units.body.items.find((u) => u.name === HOSPITAL)
    assert.ok(unit, 'the hospital serves the community')
    let r = await api('community1', `/service-orders/${id}/dispatch`, { method: 'POST', body: { provider_type: 'unit', provider_id: unit.id, accept_within_hours: 24, complete_within_hours: 72 } })
    assert.equal(r.status, 200, JSON.stringify(r.body))
    r = await api('unit1', `/service-orders/${id}/accept`, { method: 'POST', body: {} })
    assert.equal(r.status, 200, JSON.stringify(r.body))
    r = await api('unit1', `/service-orders/${id}/complete`, { method: 'POST', body: { evidence: ['已上门换药，伤口恢复良好'], minutes: 40 } })
    assert.equal(r.status, 200, JSON.stringify(r.body))

    // She sees it done under "my orders" and rates it four stars.
    await page.getByTestId('menu-toggle').click()
    await page.getByTestId('drawer-nav-my-orders').click()
    const mine = page.getByTestId('my-orders')
    await mine.getByText('服务已完成，请评价').first().waitFor()
    await mine.locator(`a[href="/service-orders/${id}"]`).click()
    await page.getByTestId('order-status').getByText('已完成').waitFor()
    await page.getByTestId('order-evidence-list').getByText('已上门换药').waitFor()
    await page.getByTestId('order-rate').click()
    await page.getByTestId('order-stars').locator('.el-rate__item').nth(3).click()
    await fill(page, 'order-comment', '医生很耐心')
    await page.getByTestId('order-dialog-submit').click()
    await page.getByTestId('order-status').getByText('已评价').waitFor()
    assert.equal((await page.getByTestId('order-rating').innerText()).includes('★★★★☆'), true)
    await page.getByTestId('order-rating').getByText('医生很耐心').waitFor()
    assert.equal(await page.getByTestId('order-rate').count(), 0)
    // The timeline: ordered → dispatched → accepted → completed → rated, with who did it.
    const events = page.getByTestId('order-event')
    assert.equal(await events.count(), 5)
    const timeline = await page.getByTestId('order-timeline').innerText()
    for (const s of ['下单', '派单', '接单', '完成服务', '评价', '已完成 → 已评价', '新订单 → 已派单']) assert.ok(timeline.includes(s), `timeline shows ${s}: ${timeline}`)
    await noOverflow(page)
    await page.screenshot({ path: join(shots, 'services-order-rated-phone.png'), fullPage: true })
    await page.close()
  })

  test('desktop: the community dispatch board counts orders by state, marks overdue ones and dispatches a new order to a paired unit', async () => {
    const page = await env.browser.newPage(desktop)
    await signIn(page, 'community1')
    await page.getByTestId('nav-board').click()
    await page.waitForURL(/\/service-orders\/board$/)
    const ordered = page.getByTestId('board-column-ordered')
    await ordered.getByTestId('board-card').first().waitFor()
    for (const s of ['ordered', 'dispatched', 'accepted', 'completed', 'rated', 'cancelled']) await page.getByTestId(`board-column-${s}`).waitFor()
    // The demo has late orders: marked red.
    await page.getByTestId('overdue-mark').first().waitFor()
    assert.ok((await page.locator('[data-testid="board-card"][data-overdue="true"]').count()) > 0)
    await page.screenshot({ path: join(shots, 'services-board-desktop.png') })
    const before = { ordered: await count(page, 'ordered'), dispatched: await count(page, 'dispatched') }
    assert.ok(before.ordered > 0)

    // Dispatch the first new order to the hospital through the dialog.
    await ordered.getByTestId('board-dispatch').first().click()
    const dialog = page.getByTestId('dispatch-dialog')
    await dialog.waitFor()
    await choose(page, 'dispatch-provider', HOSPITAL)
    await dialog.getByTestId('dispatch-accept-hours').locator('input').fill('12')
    await page.getByTestId('dispatch-submit').click()
    await page.locator('.el-message--success').getByText('已派单').waitFor()
    await page.waitForFunction(
      (n) => Number(document.querySelector('[data-testid="board-column-ordered"] [data-testid="board-count"]')?.textContent?.trim()) === n,
      before.ordered - 1,
    )
    assert.equal(await count(page, 'dispatched'), before.dispatched + 1)
    await page.getByTestId('board-column-dispatched').getByText(HOSPITAL).first().waitFor()

    // "Overdue only" keeps the late ones.
    await page.getByTestId('board-overdue').click()
    await page.waitForFunction(() => {
      const cards = [...document.querySelectorAll('[data-testid="board-card"]')]
      return cards.length > 0 && cards.every((c) => c.getAttribute('data-overdue') === 'true')
    })
    await page.close()

    // At 375 px the board is one state at a time, in tabs with their counts.
    const ph = await env.browser.newPage(phone)
    await signIn(ph, 'community1')
    await ph.goto(`${env.server.base}/service-orders/board`)
    await ph.getByTestId('board-column-ordered').getByTestId('board-card').first().waitFor()
    await ph.getByTestId('board-tabs').getByText(/已接单 \d+/).click()
    await ph.getByTestId('board-column-accepted').getByTestId('overdue-mark').first().waitFor()
    await noOverflow(ph)
    await ph.screenshot({ path: join(shots, 'services-board-phone.png') })
    await ph.close()
  })

  test('phone: a resident posts a wish, the community approves it onto the wall', async () => {
    const title = '希望有人教我用智能手机'
    const page = await env.browser.newPage(phone)
    await signIn(page, 'resident1')
    await page.goto(`${env.server.base}/wishes`)
    await page.getByTestId('wish-list').waitFor()
    await noOverflow(page)
    await page.getByTestId('wish-new').click()
    await choose(page, 'wish-post-community', COMMUNITY)
    await fill(page, 'wish-title', title)
    await fill(page, 'wish-description', '想学视频通话')
    await page.getByTestId('wish-submit').click()
    const mine = page.getByTestId(`wish-${title}`)
    await mine.getByTestId('wish-status').getByText('待审核').waitFor()
    await noOverflow(page)
    await page.screenshot({ path: join(shots, 'services-wish-posted-phone.png') })

    const staff = await env.browser.newPage(phone)
    await signIn(staff, 'community1')
    await staff.goto(`${env.server.base}/wishes`)
    await staff.getByTestId('wish-tabs').getByText('待审核').click()
    const queued = staff.getByTestId(`wish-${title}`)
    await queued.waitFor()
    await noOverflow(staff)
    await queued.getByTestId('wish-approve').click()
    await queued.waitFor({ state: 'detached' })
    await staff.close()

    // On the wall, open for adoption, her name masked for others.
    await page.getByTestId('wish-tabs').getByText('心愿墙').click()
    await choose(page, 'wish-community', COMMUNITY)
    await page.getByTestId(`wish-${title}`).getByTestId('wish-status').getByText('待认领').waitFor()
    const vol = await api('member1', `/wishes?community_id=${(await api('resident1', '/wishes?mine=true')).body.items.find((w) => w.title === title).community_id}`)
    const seen = vol.body.items.find((w) => w.title === title)
    assert.ok(seen && seen.actions.includes('adopt'), 'a volunteer may adopt it')
    assert.notEqual(seen.resident_name, '居民 李秀英')
    await page.close()
  })
})
