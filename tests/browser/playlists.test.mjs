// Playlists in headless Chromium against a real `kinora serve`: a user saves a video to Watch
// later from its watch page, creates a public playlist there with it, adds a second video to
// it, sees the playlist on the channel page, opens it (/w/p/<shortUUID>) and plays it: the
// first video plays, and when it ends the player goes on to the second, in the playlist's
// order. The older URL /videos/watch/playlist/<uuid> shows the same page, and the playlist's
// embed (/video-playlists/embed/<uuid>) plays the two in order too.
//
// Needs the debug binaries (`cargo build --workspace --bins`) and Chromium; the front end is
// built first when web/dist is older than its sources.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { apiCall, createUser, ensureWebBuild, launchBrowser, makeClip, screenshots, startInstance, uploadAs } from './instance.mjs'

test('playlists in the web front end', { timeout: 900000 }, async () => {
  const webRoot = ensureWebBuild()
  mkdirSync(screenshots, { recursive: true })
  const instance = await startInstance({ webRoot })
  const browser = await launchBrowser()
  try {
    const user = await createUser(instance, 'curator')
    const first = await uploadAs(instance, user, makeClip({ seconds: 3, width: 320, height: 240, name: 'first.mp4' }), { name: 'Opening clip' })
    const second = await uploadAs(instance, user, makeClip({ seconds: 3, width: 320, height: 240, name: 'second.mp4' }), { name: 'Closing clip' })

    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } })
    const page = await context.newPage()
    page.setDefaultTimeout(30000)
    const errors = []
    page.on('pageerror', (error) => errors.push(String(error)))
    await page.goto(`${instance.base}/login`)
    await page.getByTestId('login-username').fill(user.username)
    await page.getByTestId('login-password').fill(user.password)
    await page.getByTestId('login-submit').click()
    await page.getByTestId('user-menu').waitFor()

    // Watch later, then a new public playlist, from the first video's page.
    await page.goto(`${instance.base}/w/${first.shortUUID}`)
    await page.getByTestId('save-to-playlist').click()
    const dialog = page.getByTestId('playlist-dialog')
    await dialog.getByText('Watch later').waitFor()
    const watchLater = dialog.locator('input[type=checkbox]').first()
    await watchLater.check()
    await dialog.getByText('Added to Watch later.').waitFor()
    await dialog.getByTestId('new-playlist-name').fill('Clips in order')
    await dialog.getByTestId('new-playlist-privacy').selectOption('1')
    await dialog.getByTestId('create-playlist').click()
    await dialog.getByText('Created Clips in order with this video.').waitFor()
    await page.screenshot({ path: join(screenshots, 'playlist-save-dialog.png') })
    await page.keyboard.press('Escape')

    // The second video joins the same playlist from its own page.
    await page.goto(`${instance.base}/w/${second.shortUUID}`)
    await page.getByTestId('save-to-playlist').click()
    await dialog.getByText('Clips in order').waitFor()
    await dialog.getByText('Clips in order').click()
    await dialog.getByText('Added to Clips in order.').waitFor()
    await page.keyboard.press('Escape')

    const mine = await apiCall(instance, user.token, `/accounts/${user.accountName}/video-playlists`)
    const playlist = mine.data.find((p) => p.displayName === 'Clips in order')
    assert.ok(playlist, JSON.stringify(mine))
    assert.equal(playlist.videosLength, 2)
    assert.equal(playlist.privacy.id, 1)
    const later = mine.data.find((p) => p.type.id === 2)
    assert.equal(later.videosLength, 1)

    // The channel page lists it; its card opens the playlist page.
    await page.goto(`${instance.base}/c/${user.accountName}_channel`)
    const card = page.getByTestId('playlist-card').filter({ hasText: 'Clips in order' })
    await card.waitFor()
    await card.getByRole('link', { name: 'Clips in order' }).click()
    await page.waitForURL(`**/w/p/${playlist.shortUUID}`)
    await page.getByTestId('playlist-title').getByText('Clips in order').waitFor()
    const items = page.getByTestId('playlist-item')
    assert.deepEqual(await items.allTextContents().then((texts) => texts.map((t) => t.includes('Opening clip') ? 'first' : t.includes('Closing clip') ? 'second' : t)), ['first', 'second'])
    assert.equal(await page.getByTestId('playlist-now-playing').textContent(), 'Opening clip')

    // Play: the first ends, the second follows.
    await page.getByTestId('player-play').click()
    await page.waitForFunction(() => {
      const video = document.querySelector('[data-testid=player-video]')
      return video && video.currentTime > 0.5
    })
    await page.getByTestId('playlist-now-playing').getByText('Closing clip').waitFor({ timeout: 60000 })
    await page.waitForFunction(() => {
      const video = document.querySelector('[data-testid=player-video]')
      return video && !video.paused && video.currentTime > 0.3
    }, null, { timeout: 60000 })
    assert.equal(await page.locator('[data-testid=playlist-item][data-current=true]').textContent().then((t) => t.includes('Closing clip')), true)
    await page.screenshot({ path: join(screenshots, 'playlist-playing.png') })

    // PeerTube's older URL shows the same playlist.
    await page.goto(`${instance.base}/videos/watch/playlist/${playlist.uuid}`)
    await page.getByTestId('playlist-title').getByText('Clips in order').waitFor()

    // The playlist's embed (its embedPath, framed by another site): muted autoplay, the first
    // video then the second, its position shown, the title linking to the playlist's page.
    const embedPath = (await apiCall(instance, null, `/video-playlists/${playlist.uuid}`)).embedPath
    assert.equal(embedPath, `/video-playlists/embed/${playlist.uuid}`)
    await page.goto(`${instance.base}${embedPath}?autoplay=1&muted=1`)
    await page.getByTestId('playlist-embed-position').getByText('1/2 Opening clip').waitFor({ timeout: 30000 })
    assert.equal(await page.locator('.embed-title').getAttribute('href'), `/w/p/${playlist.shortUUID}`)
    await page.getByTestId('playlist-embed-position').getByText('2/2 Closing clip').waitFor({ timeout: 60000 })
    await page.waitForFunction(() => {
      const video = document.querySelector('[data-testid=player-video]')
      return video && !video.paused && video.currentTime > 0.3
    }, null, { timeout: 60000 })
    // ?playlistPosition=2 starts at the second; an unknown playlist says so.
    await page.goto(`${instance.base}${embedPath}?playlistPosition=2`)
    await page.getByTestId('playlist-embed-position').getByText('2/2 Closing clip').waitFor()
    const missing = await page.goto(`${instance.base}/video-playlists/embed/00000000-0000-4000-8000-000000000000`)
    assert.equal(missing.status(), 404)
    await page.getByText('This playlist does not exist or is private.').waitFor()
    assert.deepEqual(errors, [])
    await context.close()
  } finally {
    await browser.close()
    instance.stop()
  }
})
