// The watch page's Download menu in headless Chromium against a real `kinora serve`: a viewer
// picks a rendition and saves a plain MP4 (the browser's download), which ffprobe reads with
// its video and audio; after the owner turns downloads off the menu is gone for others and
// still there for the owner.
//
// Needs the debug binaries (`cargo build -p kinora-server --bins`) and Chromium; the front end
// is built first when web/dist is older than its sources.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { apiCall, createUser, ensureWebBuild, launchBrowser, startInstance, uploadAs } from './instance.mjs'

test('a viewer downloads a rendition from the watch page', { timeout: 900000 }, async () => {
  const webRoot = ensureWebBuild()
  const instance = await startInstance({ webRoot })
  const browser = await launchBrowser()
  try {
    const creator = await createUser(instance, 'creator')
    const video = await uploadAs(instance, creator, '60fps_720p_small.mp4', { name: 'Download film' })
    const files = video.streamingPlaylists[0].files
    assert.ok(files.length >= 2, 'a ladder')
    const context = await browser.newContext({ acceptDownloads: true })
    const page = await context.newPage()
    page.setDefaultTimeout(20000)
    const errors = []
    page.on('pageerror', (error) => errors.push(String(error)))
    await page.goto(`${instance.base}/w/${video.shortUUID}`)
    await page.getByTestId('download-menu').locator('summary').click()
    const lowest = files.reduce((a, b) => (a.resolution.id < b.resolution.id ? a : b))
    await page.getByTestId('download-rendition').selectOption(String(lowest.id))
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-link').click()])
    assert.match(download.suggestedFilename(), new RegExp(`^Download film-${lowest.resolution.id}p\\.mp4$`))
    const saved = join(mkdtempSync(join(tmpdir(), 'kinora-download-')), 'film.mp4')
    await download.saveAs(saved)
    const streams = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,height', '-of', 'csv=p=0', saved]).toString()
    assert.match(streams, new RegExp(`video,${lowest.height}`))
    assert.match(streams, /audio/)

    // Downloads off: the menu is gone for a viewer, still there for the owner.
    await apiCall(instance, creator.token, `/videos/${video.uuid}`, { method: 'PUT', json: { downloadEnabled: false } })
    await page.reload()
    await page.getByTestId('video-title').waitFor()
    assert.equal(await page.getByTestId('download-menu').count(), 0)
    await page.goto(`${instance.base}/login`)
    await page.getByTestId('login-username').fill(creator.username)
    await page.getByTestId('login-password').fill(creator.password)
    await page.getByTestId('login-submit').click()
    await page.getByTestId('user-menu').waitFor()
    await page.goto(`${instance.base}/w/${video.shortUUID}`)
    await page.getByTestId('download-menu').waitFor()
    assert.deepEqual(errors, [])
  } finally {
    await browser.close()
    await instance.stop()
  }
})
