// A live from the web front end (issue 20), in headless Chromium: root makes one on "Go live"
// (from the upload page), which shows the RTMP URL and stream key the API gives; before its
// broadcast the watch page says it has not started; the ffmpeg CLI broadcasts to the RTMP ingest (`kinora serve` with
// `[live] enabled` starts it); the page notices, shows the LIVE badge and hls.js plays the live
// playlist (currentTime advances), counts the viewer among the live's viewers, and its LIVE
// button takes a viewer who fell behind (a pause) back to the live edge; once the broadcaster stops the live has ended and the page
// says so. Screenshots land in screenshots/live-*.png.
//
// Needs the debug binaries (`cargo build --workspace --bins`), Chromium and the ffmpeg CLI; the
// front end is built first when web/dist is older than its sources.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { apiCall, broadcastTo, ensureWebBuild, freePort, launchBrowser, screenshots, startInstance } from './instance.mjs'

async function waitForState (instance, uuid, state) {
  const started = Date.now()
  while (Date.now() - started < 60000) {
    const video = await apiCall(instance, instance.token, `/videos/${uuid}`)
    if (video.state.id === state) return video
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  throw new Error(`the live did not reach state ${state}`)
}

test('a live waits, plays and ends on its watch page', { timeout: 300000 }, async () => {
  const webRoot = ensureWebBuild()
  const rtmpPort = await freePort()
  const instance = await startInstance({ webRoot, extra: `[live]\nenabled = true\nrtmp_listen = "127.0.0.1:${rtmpPort}"\n` })
  const browser = await launchBrowser()
  let broadcaster = null
  try {
    mkdirSync(screenshots, { recursive: true })
    const page = await browser.newPage()
    page.setDefaultTimeout(30000)
    const errors = []
    page.on('pageerror', (error) => errors.push(String(error)))
    // "Go live", from the upload page: the live is made and the page tells where to stream.
    await page.goto(`${instance.base}/login`)
    await page.getByTestId('login-username').fill('root')
    await page.getByTestId('login-password').fill(instance.password)
    await page.getByTestId('login-submit').click()
    await page.getByTestId('upload-link').click()
    await page.getByTestId('go-live-link').click()
    await page.waitForURL('**/videos/go-live')
    await page.getByTestId('live-name').fill('Browser live')
    await page.getByTestId('live-submit').click()
    const rtmpUrl = await page.getByTestId('live-rtmp-url').inputValue()
    const streamKey = await page.getByTestId('live-stream-key').inputValue()
    assert.match(await page.getByTestId('live-state').textContent(), /Waiting for your stream/)
    await page.screenshot({ path: join(screenshots, 'live-go-live.png') })
    const mine = await apiCall(instance, instance.token, '/users/me/videos?isLive=true')
    assert.equal(mine.total, 1)
    const created = { video: mine.data[0] }
    assert.equal(created.video.name, 'Browser live')
    const live = await apiCall(instance, instance.token, `/videos/live/${created.video.uuid}`)
    assert.deepEqual([rtmpUrl, streamKey], [live.rtmpUrl, live.streamKey])
    await page.getByTestId('live-watch-link').click()
    await page.waitForURL(`**/w/${created.video.shortUUID}`)
    await page.getByTestId('live-status').waitFor()
    assert.match(await page.getByTestId('live-status').textContent(), /has not started yet/)
    assert.equal(await page.getByTestId('live-badge').textContent(), 'Live')
    await page.screenshot({ path: join(screenshots, 'live-waiting.png') })

    broadcaster = broadcastTo(live)
    const exited = new Promise((resolve) => broadcaster.once('exit', resolve))
    await waitForState(instance, created.video.uuid, 1)

    // The page starts the player by itself once the live is on the air.
    await page.getByTestId('player-video').waitFor({ timeout: 30000 })
    await page.getByTestId('player-play').click().catch(() => {})
    await page.waitForFunction(() => document.querySelector('[data-testid=player-video]')?.currentTime >= 2, null, { timeout: 60000 })
    const played = await page.evaluate(() => document.querySelector('[data-testid=player-video]').currentTime)
    // After five seconds of playback the player counts a view, and the viewer among the live's
    // viewers (those of the last minute).
    await page.waitForFunction((from) => document.querySelector('[data-testid=player-video]')?.currentTime >= from + 6, played, { timeout: 60000 })
    assert.equal(await page.getByTestId('player').getAttribute('data-engine'), 'hls.js')
    await page.reload()
    assert.equal(await page.getByTestId('live-badge').textContent(), 'LIVE')
    assert.equal(await page.getByTestId('live-viewers').textContent(), '1 viewer')
    // Behind the live after a pause, the player says so; its LIVE button takes the viewer back
    // to the live edge.
    const currentTime = () => page.evaluate(() => document.querySelector('[data-testid=player-video]').currentTime)
    await page.waitForFunction(() => document.querySelector('[data-testid=player-video]')?.currentTime >= 2, null, { timeout: 60000 })
    assert.equal(await page.getByTestId('player-go-live').getAttribute('data-behind'), 'false')
    await page.evaluate(() => document.querySelector('[data-testid=player-video]').pause())
    await new Promise((resolve) => setTimeout(resolve, 30000))
    await page.evaluate(() => document.querySelector('[data-testid=player-video]').play())
    await page.waitForFunction(() => document.querySelector('[data-testid=player-go-live]').dataset.behind === 'true', null, { timeout: 15000 })
      .catch(async (error) => { throw new Error(`not behind after a pause: latency ${await page.getByTestId('player-go-live').getAttribute('data-latency')} s`, { cause: error }) })
    const behindAt = await currentTime()
    await page.getByTestId('player-go-live').click()
    await page.waitForFunction((from) => document.querySelector('[data-testid=player-video]').currentTime >= from + 8 &&
      document.querySelector('[data-testid=player-go-live]').dataset.behind === 'false', behindAt, { timeout: 15000 })
    await page.screenshot({ path: join(screenshots, 'live-at-edge.png') })
    await page.screenshot({ path: join(screenshots, 'live-on-air.png') })

    // The broadcaster stops (as OBS's "Stop streaming"): the live has ended.
    broadcaster.kill('SIGINT')
    await exited
    broadcaster = null
    await waitForState(instance, created.video.uuid, 5)
    await page.reload()
    await page.getByTestId('live-status').waitFor()
    assert.equal(await page.getByTestId('live-status').textContent(), 'This live has ended.')
    await page.screenshot({ path: join(screenshots, 'live-ended.png') })
    assert.deepEqual(errors, [])
  } finally {
    broadcaster?.kill('SIGKILL')
    await browser.close()
    instance.stop()
  }
})
