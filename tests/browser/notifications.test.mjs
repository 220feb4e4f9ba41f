// Notifications in headless Chromium against a real `kinora serve` (issue 19): a user who
// follows a channel keeps a page open; the channel publishes a video and the header's bell
// shows one unread notification without a reload; the notifications page says what happened,
// opening it goes to the video and marks it read (the bell goes back to nothing); the user
// turns a kind off on the same page and the setting is kept. At 390×844 the bell is reachable.
//
// Needs the debug binaries (`cargo build --workspace --bins`), Chromium and the fixtures.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { apiCall, createUser, ensureWebBuild, launchBrowser, screenshots, startInstance, uploadAndWait } from './instance.mjs'

test('the bell, the notifications page and their settings', { timeout: 900000 }, async (t) => {
  mkdirSync(screenshots, { recursive: true })
  const webRoot = ensureWebBuild()
  const instance = await startInstance({ webRoot })
  const browser = await launchBrowser()
  const errors = []
  try {
    const fan = await createUser(instance, 'bellfan')
    await apiCall(instance, fan.token, '/users/me/subscriptions', { method: 'POST', json: { uri: instance.channelName } })
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    page.setDefaultTimeout(20000)
    page.on('pageerror', (error) => errors.push(String(error)))
    await page.goto(`${instance.base}/login`)
    await page.getByTestId('login-username').fill(fan.username)
    await page.getByTestId('login-password').fill(fan.password)
    await page.getByTestId('login-submit').click()
    await page.getByTestId('notification-bell').waitFor()
    assert.equal(await page.getByTestId('bell-count').isVisible(), false, 'nothing unread yet')

    let video
    await t.test('a new video of a followed channel rings the bell without a reload', async () => {
      video = await uploadAndWait(instance, 'video_short.mp4', { name: 'Fresh from the channel' })
      const count = page.getByTestId('bell-count')
      await count.waitFor({ state: 'visible', timeout: 60000 })
      assert.equal(await count.textContent(), '1')
      assert.match(await page.getByTestId('notification-bell').getAttribute('title'), /Notifications/)
      await page.screenshot({ path: join(screenshots, 'bell.png') })
    })

    await t.test('the notifications page: open one, it is read', async () => {
      await page.getByTestId('notification-bell').click()
      await page.getByRole('heading', { name: 'Notifications' }).waitFor()
      assert.equal(await page.title(), 'Notifications - Kinora')
      const entry = page.getByTestId('notification').first()
      assert.equal(await entry.getAttribute('data-type'), '1')
      assert.equal(await entry.getAttribute('data-read'), 'false')
      assert.match(await entry.textContent(), /published a new video: Fresh from the channel/)
      await entry.getByRole('link').click()
      await page.waitForURL(`**/w/${video.shortUUID}`)
      await page.getByTestId('player-video').waitFor()
      await page.getByTestId('bell-count').waitFor({ state: 'hidden' })
      const unread = await apiCall(instance, fan.token, '/users/me/notifications?unread=true&count=0')
      assert.equal(unread.total, 0)
    })

    await t.test('settings: a kind turned off is kept', async () => {
      await page.goto(`${instance.base}/my-account/notifications`)
      await page.getByTestId('notification-settings').waitFor()
      assert.equal(await page.getByTestId('setting-newVideoFromSubscription-web').isChecked(), true)
      await page.getByTestId('setting-newVideoFromSubscription-web').uncheck()
      await page.getByTestId('setting-abuseStateChange-email').check()
      await page.getByTestId('notification-settings-save').click()
      await page.getByTestId('notification-settings-status').getByText('Saved.').waitFor()
      const me = await apiCall(instance, fan.token, '/users/me')
      assert.equal(me.notificationSettings.newVideoFromSubscription, 0)
      assert.equal(me.notificationSettings.abuseStateChange, 3)
      await page.reload()
      await page.getByTestId('notification-settings').waitFor()
      assert.equal(await page.getByTestId('setting-newVideoFromSubscription-web').isChecked(), false)
      await page.getByTestId('notifications-read-all').click()
    })

    await t.test('at 390×844 the bell is in the header', async () => {
      const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
      const small = await phone.newPage()
      small.setDefaultTimeout(20000)
      small.on('pageerror', (error) => errors.push(String(error)))
      await small.goto(`${instance.base}/login`)
      await small.getByTestId('login-username').fill(fan.username)
      await small.getByTestId('login-password').fill(fan.password)
      await small.getByTestId('login-submit').click()
      const bell = small.getByTestId('notification-bell')
      await bell.waitFor()
      const box = await bell.boundingBox()
      assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `the bell is on screen: ${JSON.stringify(box)}`)
      await bell.click()
      await small.getByRole('heading', { name: 'Notifications' }).waitFor()
      const overflow = await small.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
      assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`)
      await small.screenshot({ path: join(screenshots, 'notifications-phone.png'), fullPage: true })
      await phone.close()
    })

    assert.deepEqual(errors, [])
  } finally {
    await browser.close()
    instance.stop()
  }
})
