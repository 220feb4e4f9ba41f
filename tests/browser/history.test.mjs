// A viewer's settings and watch history in headless Chromium against a real `kinora serve`
// (issue 19): a user logs in, changes their profile and preferences on the settings page (kept
// across a reload; a sensitive video appears once they choose to see such videos; the lists keep
// the video languages they choose), changes
// their password (a wrong current password is explained), watches part of a video, finds it
// under "Continue watching" with how far they got, comes back and the player resumes there,
// then removes it from their history page and stops keeping history. The settings and history
// pages are used again at 390×844.
//
// Needs the debug binaries (`cargo build --workspace --bins`), Chromium and the ffmpeg CLI.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { apiCall, createUser, ensureWebBuild, launchBrowser, makeClip, screenshots, startInstance, uploadAndWait } from './instance.mjs'

const video = (page) => page.getByTestId('player-video')
const position = (page) => video(page).evaluate((node) => node.currentTime)

async function logIn (page, base, username, password) {
  await page.goto(`${base}/login`)
  await page.getByTestId('login-username').fill(username)
  await page.getByTestId('login-password').fill(password)
  await page.getByTestId('login-submit').click()
  await page.getByTestId('user-menu').waitFor()
}

test('settings, history, continue watching and resuming', { timeout: 900000 }, async (t) => {
  mkdirSync(screenshots, { recursive: true })
  const webRoot = ensureWebBuild()
  const instance = await startInstance({ webRoot })
  const browser = await launchBrowser()
  const errors = []
  try {
    const clip = makeClip({ seconds: 40, width: 320, height: 240, name: 'history-clip.mp4' })
    const film = await uploadAndWait(instance, clip, { name: 'The long walk' })
    await uploadAndWait(instance, 'video_very_short_240p.mp4', { name: 'Sensitive scene', nsfw: 'true', language: 'fr' })
    const viewer = await createUser(instance, 'walker')
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    page.setDefaultTimeout(20000)
    page.on('pageerror', (error) => errors.push(String(error)))
    await logIn(page, instance.base, viewer.username, viewer.password)

    await t.test('preferences are saved, kept and followed', async () => {
      await page.goto(`${instance.base}/videos/recently-added`)
      await page.getByTestId('video-card').first().waitFor()
      assert.equal(await page.getByText('Sensitive scene').count(), 0, 'hidden by default')
      await page.goto(`${instance.base}/my-account/settings`)
      assert.equal(await page.title(), 'My settings - Kinora')
      await page.getByTestId('pref-display-name').fill('Walker W.')
      await page.getByTestId('pref-description').fill('I walk and watch.')
      await page.getByTestId('pref-nsfw').selectOption('display')
      await page.getByTestId('pref-p2p').uncheck()
      const background = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)
      const light = await background()
      await page.getByTestId('pref-theme').selectOption('peertube-core-dark-brown')
      await page.getByTestId('pref-save').click()
      await page.getByTestId('pref-status').getByText('Your preferences are saved.').waitFor()
      // The dark theme applies at once, whatever the system's scheme (light here).
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark')
      assert.notEqual(await background(), light)
      await page.reload()
      await page.getByTestId('user-menu').waitFor()
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark')
      assert.equal(await page.getByTestId('pref-theme').inputValue(), 'peertube-core-dark-brown')
      await page.getByTestId('preferences-form').waitFor()
      assert.equal(await page.getByTestId('pref-display-name').inputValue(), 'Walker W.')
      assert.equal(await page.getByTestId('pref-nsfw').inputValue(), 'display')
      assert.equal(await page.getByTestId('pref-p2p').isChecked(), false)
      const me = await apiCall(instance, viewer.token, '/users/me')
      assert.equal(me.account.displayName, 'Walker W.')
      assert.equal(me.p2pEnabled, false)
      assert.equal(me.theme, 'peertube-core-dark-brown')
      await page.getByTestId('pref-theme').selectOption('instance-default')
      await page.getByTestId('pref-save').click()
      await page.getByTestId('pref-status').getByText('Your preferences are saved.').waitFor()
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), undefined)
      assert.equal(await background(), light)
      await page.goto(`${instance.base}/videos/recently-added`)
      await page.getByText('Sensitive scene').waitFor()
      await page.screenshot({ path: join(screenshots, 'settings-nsfw-shown.png') })
    })

    await t.test('the lists show only the languages chosen', async () => {
      const listed = async () => {
        await page.goto(`${instance.base}/videos/recently-added`)
        await page.getByTestId('video-card').first().waitFor()
        return (await page.getByTestId('video-card').allTextContents()).map((text) => text.includes('Sensitive scene') ? 'fr' : text.includes('The long walk') ? 'none' : text)
      }
      const choose = async (codes) => {
        await page.goto(`${instance.base}/my-account/settings`)
        const languages = page.getByTestId('pref-languages')
        await languages.locator('option[value="fr"]').waitFor({ state: 'attached' })
        await languages.selectOption(codes)
        await page.getByTestId('pref-save').click()
        await page.getByTestId('pref-status').getByText('Your preferences are saved.').waitFor()
      }
      await choose(['fr'])
      assert.deepEqual(await listed(), ['fr'])
      assert.match(await page.getByTestId('language-filter').textContent(), /languages chosen/)
      assert.deepEqual((await apiCall(instance, viewer.token, '/users/me')).videoLanguages, ['fr'])
      await choose(['fr', '_unknown'])
      assert.deepEqual((await listed()).sort(), ['fr', 'none'])
      await page.goto(`${instance.base}/my-account/settings`)
      assert.deepEqual(await page.getByTestId('pref-languages').evaluate((select) => [...select.selectedOptions].map((o) => o.value).sort()), ['_unknown', 'fr'])
      await choose([])
      assert.equal((await apiCall(instance, viewer.token, '/users/me')).videoLanguages, null)
      assert.deepEqual((await listed()).sort(), ['fr', 'none'])
      assert.equal(await page.getByTestId('language-filter').count(), 0)
    })

    await t.test('a wrong current password is explained; the right one changes it', async () => {
      await page.goto(`${instance.base}/my-account/settings`)
      await page.getByTestId('pw-current').fill('not my password')
      await page.getByTestId('pw-new').fill('a brand new password')
      await page.getByTestId('pw-save').click()
      await page.getByTestId('pw-status').getByText(/currentPassword/).waitFor()
      await page.getByTestId('pw-current').fill(viewer.password)
      await page.getByTestId('pw-save').click()
      await page.getByTestId('pw-status').getByText('Your password is changed.').waitFor()
      await page.getByTestId('user-menu').click()
      await page.getByTestId('logout').click()
      await page.getByTestId('login-link').waitFor()
      await logIn(page, instance.base, viewer.username, 'a brand new password')
    })

    await t.test('watching part of a video: continue watching, then resume', async () => {
      await page.goto(`${instance.base}/w/${film.shortUUID}`)
      await video(page).waitFor()
      await page.getByTestId('player-play').click()
      await page.waitForFunction(() => document.querySelector('[data-testid=player-video]').currentTime >= 0.5, null, { timeout: 30000 })
      await video(page).evaluate((node) => { node.currentTime = 18 })
      await page.waitForFunction(() => document.querySelector('[data-testid=player-video]').currentTime >= 19, null, { timeout: 30000 })
      const saved = page.waitForResponse((response) => response.url().endsWith('/watching') &&
        response.request().method() === 'PUT' && response.request().postDataJSON().currentTime >= 19)
      await video(page).evaluate((node) => node.pause())
      assert.equal((await saved).status(), 204)
      const history = await apiCall(instance, viewer.token, '/users/me/history/videos')
      assert.equal(history.total, 1)
      assert.ok(history.data[0].userHistory.currentTime >= 19, JSON.stringify(history.data[0].userHistory))

      await page.goto(`${instance.base}/`)
      const row = page.getByTestId('continue-watching')
      await row.getByText('The long walk').waitFor()
      const percent = Number(await row.getByTestId('watched-bar').getAttribute('data-percent'))
      assert.ok(percent >= 40 && percent <= 60, `watched ${percent}%`)
      await page.screenshot({ path: join(screenshots, 'continue-watching.png') })

      await row.getByRole('link', { name: 'The long walk' }).click()
      await video(page).waitFor()
      await page.getByTestId('player-play').click()
      await page.waitForFunction(() => document.querySelector('[data-testid=player-video]').currentTime > 0, null, { timeout: 30000 })
      const resumed = await position(page)
      assert.ok(resumed >= 18, `the player resumed at ${resumed}`)
      await video(page).evaluate((node) => node.pause())
    })

    await t.test('the history page: remove one, stop keeping history', async () => {
      await page.getByTestId('user-menu').click()
      await page.getByTestId('menu-history').click()
      await page.getByRole('heading', { name: 'My history' }).waitFor()
      assert.equal(await page.title(), 'My history - Kinora')
      const card = page.getByTestId('video-card').filter({ hasText: 'The long walk' })
      await card.getByTestId('watched-bar').waitFor()
      await card.getByTestId('history-remove').click()
      await card.waitFor({ state: 'detached' })
      assert.equal((await apiCall(instance, viewer.token, '/users/me/history/videos')).total, 0)
      await page.getByTestId('history-enabled').uncheck()
      await page.getByTestId('history-status').getByText('no longer kept').waitFor()
      assert.equal((await apiCall(instance, viewer.token, '/users/me')).videosHistoryEnabled, false)
      // Watching now leaves no trace.
      await page.goto(`${instance.base}/w/${film.shortUUID}`)
      await page.getByTestId('player-play').click()
      await page.waitForFunction(() => document.querySelector('[data-testid=player-video]').currentTime >= 6, null, { timeout: 30000 })
      await video(page).evaluate((node) => node.pause())
      await page.waitForTimeout(500)
      assert.equal((await apiCall(instance, viewer.token, '/users/me/history/videos')).total, 0)
    })

    await t.test('at 390×844', async () => {
      const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
      const small = await phone.newPage()
      small.setDefaultTimeout(20000)
      small.on('pageerror', (error) => errors.push(String(error)))
      await logIn(small, instance.base, viewer.username, 'a brand new password')
      for (const path of ['/my-account/settings', '/my-library/history/videos']) {
        await small.goto(`${instance.base}${path}`)
        await small.locator('main h1').waitFor()
        const overflow = await small.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
        assert.ok(overflow <= 0, `${path} scrolls sideways by ${overflow}px`)
      }
      await small.getByTestId('history-enabled').check()
      await small.getByTestId('history-status').getByText('Your history is kept.').waitFor()
      await small.screenshot({ path: join(screenshots, 'history-phone.png'), fullPage: true })
      await phone.close()
    })

    assert.deepEqual(errors, [])
  } finally {
    await browser.close()
    instance.stop()
  }
})
