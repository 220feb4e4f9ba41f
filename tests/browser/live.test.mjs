// A live on the watch page (issue 20), in headless Chromium: before its broadcast the page says
// it has not started; the ffmpeg CLI broadcasts to the RTMP ingest (`kinora serve` with
// `[live] enabled` starts it); the page notices, shows the LIVE badge and hls.js plays the live
// playlist (currentTime advances); once the broadcaster stops the live has ended and the page
// says so. Screenshots land in screenshots/live-*.png.
//
// Needs the debug binaries (`cargo build --workspace --bins`), Chromium and the ffmpeg CLI; the
// front end is built first when web/dist is older than its sources.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { apiCall, ensureWebBuild, freePort, launchBrowser, screenshots, startInstance } from './instance.mjs'

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
    const created = await apiCall(instance, instance.token, '/videos/live', { method: 'POST', json: { name: 'Browser live', channelId: instance.channel } })
    const live = await apiCall(instance, instance.token, `/videos/live/${created.video.uuid}`)
    const page = await browser.newPage()
    const errors = []
    page.on('pageerror', (error) => errors.push(String(error)))
    await page.goto(`${instance.base}/w/${created.video.shortUUID}`)
    await page.getByTestId('live-status').waitFor()
    assert.match(await page.getByTestId('live-status').textContent(), /has not started yet/)
    assert.equal(await page.getByTestId('live-badge').textContent(), 'Live')
    await page.screenshot({ path: join(screenshots, 'live-waiting.png') })

    broadcaster = spawn('ffmpeg', [
      '-v', 'error', '-re',
      '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25:duration=120',
      '-f', 'lavfi', '-i', 'sine=frequency=440:duration=120',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25', '-pix_fmt', 'yuv420p',
      '-c:a', 'aac', '-b:a', '64k',
      '-f', 'flv', `${live.rtmpUrl.replace('localhost', '127.0.0.1')}/${live.streamKey}`
    ], { stdio: ['ignore', 'ignore', 'inherit'] })
    const exited = new Promise((resolve) => broadcaster.once('exit', resolve))
    await waitForState(instance, created.video.uuid, 1)

    // The page starts the player by itself once the live is on the air.
    await page.getByTestId('player-video').waitFor({ timeout: 30000 })
    await page.getByTestId('player-play').click().catch(() => {})
    await page.waitForFunction(() => document.querySelector('[data-testid=player-video]')?.currentTime >= 2, null, { timeout: 60000 })
    assert.equal(await page.getByTestId('player').getAttribute('data-engine'), 'hls.js')
    await page.reload()
    assert.equal(await page.getByTestId('live-badge').textContent(), 'LIVE')
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
