// Browser tests of the resident-concern screens (社情民意 / 矛盾联动化解): a resident reports a
// problem with a photo on a 375 px phone and finds it under 我的诉求; the community's staff find it
// in the desktop list (with the 12345 strip), accept and resolve it on its page; the resident is
// not satisfied (it reopens), then after a second resolution is satisfied (it closes) and reads
// the timeline. Also: a position outside every grid is refused until a community is chosen, a
// transition someone else already made is explained (409) and the concern is routed to a unit, and a
// grid worker reports from 我的网格 and withdraws it again.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { deflateSync } from 'node:zlib'
import { apiClient, choose, desktop, fill, noOverflow, phone, shots, signIn as signInAs, useApp } from './harness.mjs'

const env = useApp(before, after)
const signIn = (page, username) => signInAs(env, page, username)
const api = apiClient(env)
const COMMUNITY = '斜桥巷社区'
const TITLE = '楼道电动车充电（测试）'

/** A small valid PNG (a red square), made here rather than read from disk. */
function png(size = 16) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    return c >>> 0
  })
  const crc = (buf) => {
    let c = 0xffffffff
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8)
    return (c ^ 0xffffffff) >>> 0
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(data.length)
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const sum = Buffer.alloc(4)
    sum.writeUInt32BE(crc(body))
    return Buffer.concat([len, body, sum])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(size, 0)
  ihdr.writeUInt32BE(size, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 2 // RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(size * 3, Buffer.from([0xd3, 0x2f, 0x2f]))])
  const raw = Buffer.concat(Array.from({ length: size }, () => row))
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))])
}

/** Waits until the photos on a concern page are shown from object URLs and decoded. */
async function photosShown(page, n) {
  await page.waitForFunction(
    (count) => {
      const imgs = [...document.querySelectorAll('[data-testid="concern-photo"] img')]
      return imgs.length === count && imgs.every((i) => i.src.startsWith('blob:') && i.complete && i.naturalWidth > 0)
    },
    n,
  )
}

async function timeline(page) {
  return page.getByTestId('concern-timeline').innerText()
}

let concernId = ''

describe('concerns', () => {
  test('phone: a resident reports a problem with a photo and finds it under 我的诉求', async () => {
    const page = await env.browser.newPage(phone)
    await signIn(page, 'resident1')
    await page.getByTestId('menu-toggle').click()
    await page.getByTestId('drawer-nav-concern-new').click()
    await page.waitForURL(/\/concerns\/new$/)
    await page.getByTestId('concern-form').waitFor()

    // Nothing can be sent before what, where and which category are given.
    assert.equal(await page.getByTestId('concern-submit').isDisabled(), true)
    await choose(page, 'concern-category', '安全隐患')
    await fill(page, 'concern-title-input', TITLE)
    await fill(page, 'concern-description-input', '3号楼2单元楼道里每晚有电动车充电，堵住了通道')
    await page.getByTestId('concern-place-community').waitFor()
    await choose(page, 'concern-community', COMMUNITY)
    await fill(page, 'concern-address', '斜桥巷3号楼2单元')
    await fill(page, 'concern-phone', '13905190000')

    // A photo from the "camera": a PNG made here; a non-image is refused before sending.
    await page.getByTestId('concern-photo-file').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a photo') })
    await page.getByTestId('concern-photo-error').getByText('只能上传 JPG 或 PNG 照片').waitFor()
    await page.getByTestId('concern-photo-file').setInputFiles({ name: 'scene.png', mimeType: 'image/png', buffer: png() })
    await page.getByTestId('concern-pending-photo').waitFor()
    assert.equal(await page.getByTestId('concern-pending-photo').count(), 1)
    await noOverflow(page)
    await page.screenshot({ path: join(shots, 'concerns-report-phone.png'), fullPage: true })

    await page.getByTestId('concern-submit').click()
    await page.waitForURL(/\/concerns\/[0-9a-f-]{36}$/)
    concernId = page.url().split('/').pop()
    await page.getByTestId('concern-title').getByText(TITLE).waitFor()
    await page.getByTestId('concern-status').getByText('待受理').waitFor()
    await photosShown(page, 1)
    await page.getByTestId('concern-timeline').getByText('上报').first().waitFor()
    // The reporter may withdraw it before work starts, nothing else.
    await page.getByTestId('concern-withdraw').waitFor()
    assert.equal(await page.getByTestId('concern-accept').count(), 0)
    await noOverflow(page)
    await page.screenshot({ path: join(shots, 'concerns-detail-phone.png'), fullPage: true })

    // 我的诉求 lists it with its state.
    await page.getByTestId('menu-toggle').click()
    await page.getByTestId('drawer-nav-my-concerns').click()
    await page.waitForURL(/\/my-concerns$/)
    const card = page.getByTestId(`my-concern-${TITLE}`)
    await card.getByTestId('my-concern-status').getByText('待受理').waitFor()
    await noOverflow(page)
    await page.screenshot({ path: join(shots, 'concerns-mine-phone.png'), fullPage: true })
    await page.close()

    const saved = await api('resident1', `/concerns/${concernId}`)
    assert.equal(saved.status, 200)
    assert.equal(saved.body.community_name, COMMUNITY)
    assert.equal(saved.body.photos.length, 1)
    assert.equal(saved.body.photos[0].content_type, 'image/png')
  })

  test('desktop: the community finds it in the list, accepts and resolves it on its page', async () => {
    assert.ok(concernId, 'reported by the first test')
    const page = await env.browser.newPage(desktop)
    await signIn(page, 'community1')
    await page.getByTestId('nav-concerns').click()
    await page.waitForURL(/\/concerns$/)

    // The 12345 strip of the caller's community.
    const strip = page.getByTestId('concern-metrics')
    await strip.getByText(COMMUNITY).waitFor()
    await page.getByTestId('metric-reported').waitFor()
    assert.ok(Number(await page.getByTestId('metric-reported').locator('.value').innerText()) >= 1)
    for (const m of ['acceptance', 'resolution', 'satisfaction', 'reopen']) await page.getByTestId(`metric-${m}`).waitFor()

    // Filter to safety hazards waiting for acceptance, then search by title.
    await page.getByTestId('concern-table').waitFor()
    await choose(page, 'concern-filter-category', '安全隐患')
    await choose(page, 'concern-filter-status', '待受理')
    await page.keyboard.press('Escape')
    await fill(page, 'concern-search', '电动车充电')
    const link = page.getByTestId(`concern-link-${TITLE}`)
    await link.waitFor()
    const row = page.locator('.concern-row', { has: link })
    await row.getByTestId('concern-status').getByText('待受理').waitFor()
    await row.getByText('街道安全生产办公室').waitFor()
    await row.getByText('受理截止').waitFor()
    await page.screenshot({ path: join(shots, 'concerns-list-desktop.png') })

    await link.click()
    await page.waitForURL(new RegExp(`/concerns/${concernId}$`))
    // The reporter's number is masked until staff ask for it (the reporter sees that they did).
    await page.getByTestId('concern-facts').getByText('139****0000').waitFor()
    await page.getByTestId('concern-show-phone').click()
    await page.getByTestId('concern-facts').getByText('13905190000').waitFor()
    await photosShown(page, 1)
    await page.getByTestId('concern-route').waitFor()
    await page.getByTestId('concern-accept').click()
    await page.getByTestId('concern-status').getByText('已受理').waitFor()
    await page.getByTestId('concern-timeline').getByText('受理').first().waitFor()

    // Resolve needs a text.
    await page.getByTestId('concern-resolve').click()
    const dialog = page.getByTestId('concern-dialog-resolve')
    await dialog.waitFor()
    assert.equal(await page.getByTestId('concern-dialog-submit').isDisabled(), true)
    await fill(page, 'concern-resolution', '已联系物业清理楼道，张贴禁止充电告示')
    await page.getByTestId('concern-dialog-submit').click()
    await page.getByTestId('concern-status').getByText('已办结待评价').waitFor()
    await page.getByTestId('concern-resolution-text').getByText('已联系物业清理楼道').waitFor()
    // The handler has nothing left to do; the feedback is the reporter's.
    assert.equal(await page.getByTestId('concern-resolve').count(), 0)
    assert.equal(await page.getByTestId('concern-close').count(), 0)
    await page.screenshot({ path: join(shots, 'concerns-detail-desktop.png'), fullPage: true })
    await page.close()
  })

  test('phone: not satisfied reopens it, satisfied after a second resolution closes it, and the timeline shows each step', async () => {
    assert.ok(concernId, 'reported by the first test')
    const page = await env.browser.newPage(phone)
    await signIn(page, 'resident1')
    await page.goto(`${env.server.base}/my-concerns`)
    const card = page.getByTestId(`my-concern-${TITLE}`)
    await card.getByTestId('my-concern-status').getByText('已办结待评价').waitFor()
    await card.getByTestId('my-concern-feedback').waitFor()
    await card.click()
    await page.waitForURL(new RegExp(`/concerns/${concernId}$`))
    await page.getByTestId('concern-feedback-prompt').waitFor()

    // Not satisfied: a comment is required.
    await page.getByTestId('concern-reopen').click()
    await page.getByTestId('concern-dialog-reopen').waitFor()
    assert.equal(await page.getByTestId('concern-dialog-submit').isDisabled(), true)
    await fill(page, 'concern-comment', '晚上还是有人在楼道充电')
    await noOverflow(page)
    await page.getByTestId('concern-dialog-submit').click()
    await page.getByTestId('concern-status').getByText('重新办理').waitFor()
    await page.getByTestId('reopen-count').getByText('重办 1 次').waitFor()
    assert.equal(await page.getByTestId('concern-close').count(), 0)

    // The community resolves it again.
    const r = await api('community1', `/concerns/${concernId}/resolve`, { method: 'POST', body: { resolution: '加装充电桩，物业每晚巡查' } })
    assert.equal(r.status, 200, JSON.stringify(r.body))

    await page.reload()
    await page.getByTestId('concern-status').getByText('已办结待评价').waitFor()
    await page.getByTestId('concern-close').click()
    await page.getByTestId('concern-dialog-close').waitFor()
    await fill(page, 'concern-comment', '问题解决了，谢谢')
    await page.getByTestId('concern-dialog-submit').click()
    await page.getByTestId('concern-status').getByText('已关闭').waitFor()
    assert.equal(await page.getByTestId('concern-actions').count(), 0)

    const steps = await page.getByTestId('concern-event').evaluateAll((els) => els.map((e) => e.getAttribute('data-action')))
    assert.deepEqual(steps, ['report', 'accept', 'resolve', 'reopen', 'resolve', 'close'])
    const text = await timeline(page)
    for (const s of ['上报', '受理', '办结', '评价不满意，重新办理', '晚上还是有人在楼道充电', '评价满意，关闭', '已办结待评价 → 重新办理', '重新办理 → 已办结待评价', '已办结待评价 → 已关闭']) {
      assert.ok(text.includes(s), `timeline shows ${s}: ${text}`)
    }
    await photosShown(page, 1)
    await noOverflow(page)
    await page.screenshot({ path: join(shots, 'concerns-closed-phone.png'), fullPage: true })

    await page.goto(`${env.server.base}/my-concerns`)
    await page.getByTestId(`my-concern-${TITLE}`).getByTestId('my-concern-status').getByText('已关闭').waitFor()
    await page.close()
  })

  test('phone: a position outside every grid is refused until a community is named; a step a colleague already took is explained', async () => {
    const title = '路灯不亮（测试）'
    const ctx = await env.browser.newContext({ ...phone, geolocation: { latitude: 20, longitude: 100 }, permissions: ['geolocation'] })
    const page = await ctx.newPage()
    await signIn(page, 'resident1')
    await page.goto(`${env.server.base}/concerns/new`)
    await choose(page, 'concern-category', '设施维修')
    await fill(page, 'concern-title-input', title)
    await fill(page, 'concern-description-input', '小区东门路灯一直不亮')
    await page.getByTestId('concern-place-point').click()
    await page.getByTestId('concern-located').waitFor()
    // Her last report's community is offered as the fallback; she clears it.
    await page.getByTestId('concern-community').getByText(COMMUNITY).waitFor()
    await page.getByTestId('concern-community').hover()
    await page.getByTestId('concern-community').locator('.el-select__clear').click()
    await page.getByTestId('concern-submit').click()
    await page.getByTestId('concern-lng-error').getByText('该位置不在任何网格内，请选择所在社区').waitFor()
    await page.getByTestId('concern-form-error').waitFor()
    await noOverflow(page)
    await choose(page, 'concern-community', COMMUNITY)
    await page.getByTestId('concern-submit').click()
    await page.waitForURL(/\/concerns\/[0-9a-f-]{36}$/)
    const id = page.url().split('/').pop()
    await page.getByTestId('concern-status').getByText('待受理').waitFor()
    await ctx.close()

    // Staff open it; a colleague accepts it meanwhile; accepting again is explained and the buttons follow.
    const desk = await env.browser.newPage(desktop)
    await signIn(desk, 'community1')
    await desk.goto(`${env.server.base}/concerns/${id}`)
    await desk.getByTestId('concern-accept').waitFor()
    const r = await api('community1', `/concerns/${id}/accept`, { method: 'POST', body: {} })
    assert.equal(r.status, 200, JSON.stringify(r.body))
    await desk.getByTestId('concern-accept').click()
    await desk.getByTestId('concern-action-error').getByText(/当前状态不允许此操作/).waitFor()
    await desk.getByTestId('concern-status').getByText('已受理').waitFor()
    await desk.getByTestId('concern-resolve').waitFor()
    assert.equal(await desk.getByTestId('concern-accept').count(), 0)

    // Routed to a co-building unit through the dialog: the unit accepts it next.
    await desk.getByTestId('concern-route').click()
    await desk.getByTestId('concern-dialog-route').waitFor()
    await desk.getByTestId('concern-route-unit').click()
    await choose(desk, 'concern-route-unit-pick', '常州市第一人民医院')
    await fill(desk, 'concern-note', '请协助维修')
    await desk.getByTestId('concern-dialog-submit').click()
    await desk.getByTestId('concern-handler').getByText('常州市第一人民医院').waitFor()
    await desk.getByTestId('concern-status').getByText('待受理').waitFor()
    const seen = await api('unit1', `/concerns/${id}`)
    assert.equal(seen.status, 200)
    assert.deepEqual(seen.body.actions, ['accept'])
    await desk.close()
  })

  test('phone: a grid worker reports from 我的网格 into their grid, sees it among the grid\'s concerns and withdraws it', async () => {
    const title = '垃圾桶满溢（测试）'
    const page = await env.browser.newPage(phone)
    await signIn(page, 'grid1')
    await page.goto(`${env.server.base}/my-grid`)
    await page.getByTestId('my-grid-report').click()
    await page.waitForURL(/\/concerns\/new\?grid_id=/)
    await page.getByTestId('concern-grid').getByText('斜桥巷第1网格').waitFor()
    await choose(page, 'concern-category', '环境卫生')
    await page.getByTestId('concern-urgent').click()
    await fill(page, 'concern-title-input', title)
    await fill(page, 'concern-description-input', '5号楼旁垃圾桶满溢两天')
    await noOverflow(page)
    await page.getByTestId('concern-submit').click()
    await page.waitForURL(/\/concerns\/[0-9a-f-]{36}$/)
    await page.getByTestId('concern-facts').getByText('斜桥巷第1网格').waitFor()
    await page.getByTestId('concern-facts').getByText('网格员上报').waitFor()
    await page.getByText('紧急').first().waitFor()

    // The grid's concerns, as cards at 375 px.
    await page.getByTestId('menu-toggle').click()
    await page.getByTestId('drawer-nav-concerns').click()
    await page.waitForURL(/\/concerns$/)
    await page.getByTestId(`concern-card-${title}`).waitFor()
    assert.equal(await page.getByTestId('concern-metrics').count(), 0, 'no region, no 12345 strip')
    await noOverflow(page)
    await page.screenshot({ path: join(shots, 'concerns-list-phone.png'), fullPage: true })

    // Reported by mistake: the reporter withdraws it before work starts.
    await page.getByTestId(`concern-card-${title}`).click()
    await page.getByTestId('concern-withdraw').click()
    await page.getByTestId('concern-dialog-withdraw').waitFor()
    await fill(page, 'concern-note', '已由保洁清运')
    await page.getByTestId('concern-dialog-submit').click()
    await page.getByTestId('concern-status').getByText('已撤回').waitFor()
    assert.equal(await page.getByTestId('concern-actions').count(), 0)
    await page.getByTestId('concern-timeline').getByText('已由保洁清运').waitFor()
    await page.close()
  })
})
