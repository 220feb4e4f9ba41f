// Backups in the browser: an instance publishes a video and is backed up
// (`kinora backup create`); its database and storage are destroyed; `kinora backup restore`
// puts them back; once it runs again, the old video's watch page plays it in headless
// Chromium, with its thumbnail, as before.
//
// Needs the debug binaries and Chromium, like the other tests here.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureWebBuild, launchBrowser, runKinora, startInstance, uploadAndWait } from './instance.mjs'

test('an instance destroyed and restored from its backup plays its old video', { timeout: 400000 }, async () => {
  const webRoot = ensureWebBuild()
  const instance = await startInstance({ webRoot })
  const browser = await launchBrowser()
  const backups = mkdtempSync(join(tmpdir(), 'kinora-backups-'))
  const backup = join(backups, 'backup')
  try {
    const video = await uploadAndWait(instance, 'video_short.mp4', { privacy: '1' })
    const thumbnailBefore = Buffer.from(await (await fetch(`${instance.base}${video.thumbnailPath}`)).arrayBuffer())
    assert.match(runKinora(['--config', instance.config, 'backup', 'create', '--to', backup]), /backup written/)

    await instance.halt()
    for (const name of ['kinora.db', 'kinora.db-wal', 'kinora.db-shm', 'storage']) {
      rmSync(join(instance.dir, name), { recursive: true, force: true })
    }
    assert.match(runKinora(['--config', instance.config, 'backup', 'restore', '--from', backup]), /restored/)
    await instance.resume()

    const page = await browser.newPage()
    await page.goto(`${instance.base}/w/${video.shortUUID}`)
    await page.getByTestId('player-video').waitFor()
    assert.equal(await page.getByTestId('video-title').textContent(), video.name)
    await page.getByTestId('player-play').click()
    await page.waitForFunction(() => document.querySelector('[data-testid=player-video]').currentTime >= 1, null, { timeout: 30000 })
    assert.equal(await page.getByTestId('player').getAttribute('data-engine'), 'hls.js')
    const thumbnailAfter = Buffer.from(await (await fetch(`${instance.base}${video.thumbnailPath}`)).arrayBuffer())
    assert.ok(thumbnailAfter.equals(thumbnailBefore), 'the same thumbnail, byte for byte')
  } finally {
    await browser.close()
    instance.stop()
    rmSync(backups, { recursive: true, force: true })
  }
})
