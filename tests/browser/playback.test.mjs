// Real playback: `kinora serve` (with its transcoder pool) publishes an uploaded fixture, and
// hls.js in headless Chromium plays its HLS: currentTime advances and a quality switch happens.
//
// Needs the debug binaries (`cargo build --workspace --bins`) and Chromium (/usr/bin/chromium,
// or CHROMIUM). Run with `npm test` in this folder; ./scripts/test runs it.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { here, launchBrowser, startInstance, uploadAndWait } from './instance.mjs'

test('hls.js plays a published video and switches quality in Chromium', { timeout: 400000 }, async () => {
  const instance = await startInstance()
  const browser = await launchBrowser()
  try {
    // video_short.mp4 is 720p: its ladder has several renditions to switch between.
    const video = await uploadAndWait(instance, 'video_short.mp4')
    const master = video.streamingPlaylists[0].playlistUrl
    assert.ok(video.streamingPlaylists[0].files.length >= 2, 'several renditions')
    const page = await browser.newPage()
    const errors = []
    page.on('pageerror', (error) => errors.push(String(error)))
    await page.goto(`${instance.base}/api/v1/config`)
    await page.setContent('<!doctype html><video id="v" muted playsinline width="640"></video>')
    await page.addScriptTag({ path: join(here, 'node_modules', 'hls.js', 'dist', 'hls.min.js') })
    const result = await page.evaluate(async (url) => {
      const element = document.getElementById('v')
      // eslint-disable-next-line no-undef
      if (!Hls.isSupported()) return { error: 'MSE not supported' }
      // eslint-disable-next-line no-undef
      const hls = new Hls({ startLevel: 0 })
      const switched = []
      const fatal = []
      // eslint-disable-next-line no-undef
      hls.on(Hls.Events.LEVEL_SWITCHED, (_, data) => switched.push(data.level))
      // eslint-disable-next-line no-undef
      hls.on(Hls.Events.ERROR, (_, data) => { if (data.fatal) fatal.push(data.details) })
      hls.loadSource(url)
      hls.attachMedia(element)
      await new Promise((resolve) => element.addEventListener('loadedmetadata', resolve, { once: true }))
      await element.play()
      const started = Date.now()
      while (element.currentTime < 1.0 && Date.now() - started < 20000 && fatal.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      const playedTo = element.currentTime
      const target = hls.levels.length - 1
      hls.currentLevel = target
      const waitStart = Date.now()
      while (!switched.includes(target) && Date.now() - waitStart < 20000 && fatal.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      return { playedTo, levels: hls.levels.map((l) => l.height), switched, fatal, target, width: element.videoWidth }
    }, master)
    mkdirSync(join(here, 'screenshots'), { recursive: true })
    await page.screenshot({ path: join(here, 'screenshots', 'hls-playback.png') })
    assert.equal(result.error, undefined, result.error)
    assert.deepEqual(result.fatal, [], `fatal hls.js errors: ${result.fatal}`)
    assert.ok(result.playedTo >= 1.0, `currentTime advanced to ${result.playedTo}`)
    assert.ok(result.levels.length >= 2, `levels: ${result.levels}`)
    assert.ok(result.switched.includes(result.target), `switched to level ${result.target}: ${result.switched}`)
    assert.ok(result.width > 0, 'frames decoded')
    assert.deepEqual(errors, [])
  } finally {
    await browser.close()
    instance.stop()
  }
})
