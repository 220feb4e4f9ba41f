// The upload page after a video failed transcoding (issue 14), in headless Chromium against a
// real `kinora serve`: a truncated MP4 passes the upload's content check, uploads through the
// page, and the transcoder refuses it. The page must then stop its progress bar, say
// "Transcoding failed" with the reason (never "will be playable once processed"), and offer a
// delete button that deletes the video. No CSP violation may happen meanwhile.
//
// Needs the debug binaries (`cargo build -p kinora-server -p kinora-transcoder --bins`) and
// Chromium; the front end is built first when web/dist is older than its sources.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureWebBuild, fixtures, launchBrowser, startInstance } from './instance.mjs'

/** The first 20,000 bytes of video_short.mp4: an MP4 head, but no `moov`, so it cannot play. */
function truncatedMp4 () {
  const path = join(mkdtempSync(join(tmpdir(), 'kinora-truncated-')), 'broken.mp4')
  writeFileSync(path, readFileSync(join(fixtures, 'video_short.mp4')).subarray(0, 20000))
  return path
}

async function myVideos (instance) {
  const response = await fetch(`${instance.base}/api/v1/users/me/videos`, { headers: { Authorization: `Bearer ${instance.token}` } })
  return (await response.json()).total
}

test('a video that failed transcoding shows the failure and can be deleted from the upload page', { timeout: 300000 }, async () => {
  const webRoot = ensureWebBuild()
  const instance = await startInstance({ webRoot })
  const browser = await launchBrowser()
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const violations = []
  await context.exposeBinding('__cspViolation', (_, report) => violations.push(report))
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      // eslint-disable-next-line no-undef
      __cspViolation({ directive: event.effectiveDirective, blocked: event.blockedURI })
    })
  })
  const page = await context.newPage()
  page.setDefaultTimeout(20000)
  const pageErrors = []
  page.on('pageerror', (error) => pageErrors.push(String(error)))
  page.on('console', (message) => { if (/Content.Security.Policy/i.test(message.text())) violations.push({ console: message.text() }) })
  try {
    await page.goto(`${instance.base}/login`)
    await page.getByTestId('login-username').fill(instance.username)
    await page.getByTestId('login-password').fill(instance.password)
    await page.getByTestId('login-submit').click()
    await page.getByTestId('user-menu').waitFor()

    await page.goto(`${instance.base}/videos/upload`)
    await page.getByTestId('upload-file').setInputFiles(truncatedMp4())
    await page.getByTestId('upload-name').fill('Broken upload')
    await page.getByTestId('upload-submit').click()
    await page.waitForFunction(() => document.querySelector('[data-testid=upload-panel]')?.dataset.state === 'done', null, { timeout: 60000 })
    assert.equal(await myVideos(instance), 1, 'the upload was accepted (it looks like an MP4)')

    const status = page.getByTestId('transcode-status')
    await status.filter({ hasText: 'Transcoding failed' }).waitFor({ timeout: 120000 })
    const text = await status.textContent()
    assert.match(text, /^Transcoding failed: .+/, `the reason is shown: ${text}`)
    assert.ok(await status.evaluate((element) => element.classList.contains('error')))
    // The bar no longer animates, and nothing promises playback.
    const bar = page.getByTestId('transcode-progress')
    assert.equal(await bar.isVisible(), false, 'the progress bar is gone')
    assert.equal(await bar.evaluate((element) => element.classList.contains('progress-indeterminate')), false)
    const panelText = await page.getByTestId('upload-panel').textContent()
    assert.doesNotMatch(panelText, /once processed/, panelText)
    assert.match(panelText, /will not be playable/)

    // Deleting it from here removes the video.
    await page.getByTestId('delete-video').click()
    await page.getByTestId('delete-status').filter({ hasText: 'The video was deleted.' }).waitFor()
    assert.equal(await myVideos(instance), 0, 'the video is deleted')
    await page.getByTestId('upload-another').waitFor()

    assert.deepEqual(pageErrors, [], 'no script errors')
    assert.deepEqual(violations, [], 'no CSP violations')
  } finally {
    await browser.close()
    instance.stop()
  }
})
