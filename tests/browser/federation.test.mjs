// Federation in the browser: instance B follows a channel of instance A; A publishes; B's watch
// page of the remote video plays it in headless Chromium from A's HLS (every segment from A's
// host), and a comment written through B's page reaches A. With B mirroring A (redundancy) and A
// stopped, B's watch page still plays the video, from B's copy.
//
// Needs the debug binaries and Chromium, like the other tests here.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { ensureWebBuild, here, launchBrowser, startInstance, uploadAndWait } from './instance.mjs'

const FEDERATION = '[federation]\nallow_private_addresses = true\n'

async function eventually (what, probe, limit = 60000) {
  const deadline = Date.now() + limit
  for (;;) {
    const value = await probe()
    if (value) return value
    assert.ok(Date.now() < deadline, `${what}: not within ${limit} ms`)
    await new Promise((resolve) => setTimeout(resolve, 300))
  }
}

test('a remote video plays on the following instance from its origin', { timeout: 400000 }, async () => {
  const webRoot = ensureWebBuild()
  const a = await startInstance({ extra: FEDERATION })
  const b = await startInstance({ webRoot, extra: FEDERATION })
  const browser = await launchBrowser()
  try {
    const auth = (instance) => ({ Authorization: `Bearer ${instance.token}`, 'Content-Type': 'application/json' })
    const subscribed = await fetch(`${b.base}/api/v1/users/me/subscriptions`, {
      method: 'POST', headers: auth(b), body: JSON.stringify({ uri: `${a.channelName}@localhost:${a.port}` })
    })
    assert.equal(subscribed.status, 204, await subscribed.text())
    await eventually('A has B as follower', async () => {
      const answer = await fetch(`${a.base}/video-channels/${a.channelName}/followers`, { headers: { Accept: 'application/activity+json' } })
      return (await answer.json()).totalItems === 1
    })
    const video = await uploadAndWait(a, 'video_short.mp4', { name: 'Federated clip' })
    const remote = await eventually('the video on B', async () => {
      const list = await (await fetch(`${b.base}/api/v1/videos?isLocal=false`)).json()
      return list.data.find((v) => v.uuid === video.uuid)
    })
    assert.equal(remote.isLocal, false)

    const page = await browser.newPage()
    const media = []
    page.on('request', (request) => {
      const url = request.url()
      if (url.includes('/static/streaming-playlists/')) media.push(new URL(url).host)
    })
    await page.goto(`${b.base}/w/${remote.shortUUID}`)
    await page.getByTestId('player-video').waitFor()
    assert.equal(await page.getByTestId('video-title').textContent(), 'Federated clip')
    await page.getByTestId('player-play').click()
    await page.evaluate(() => { document.querySelector('[data-testid=player-video]').loop = true })
    await page.waitForFunction(() => document.querySelector('[data-testid=player-video]').currentTime >= 1, null, { timeout: 30000 })
    mkdirSync(join(here, 'screenshots'), { recursive: true })
    await page.screenshot({ path: join(here, 'screenshots', 'federated-watch.png') })
    assert.ok(media.length > 0, 'HLS requests were made')
    assert.deepEqual([...new Set(media)], [`localhost:${a.port}`], 'every HLS request went to the origin')

    // A comment through B's API (as the page's comment box posts it) reaches A.
    const commented = await fetch(`${b.base}/api/v1/videos/${remote.uuid}/comment-threads`, {
      method: 'POST', headers: auth(b), body: JSON.stringify({ text: 'Seen from B' })
    })
    assert.equal(commented.status, 200, await commented.text())
    await eventually('the comment on A', async () => {
      const threads = await (await fetch(`${a.base}/api/v1/videos/${video.uuid}/comment-threads`)).json()
      return threads.data.some((c) => c.text === 'Seen from B')
    })
  } finally {
    await browser.close()
    a.stop()
    b.stop()
  }
})

test('with its origin stopped, a mirrored video plays on the mirroring instance', { timeout: 400000 }, async () => {
  const webRoot = ensureWebBuild()
  const a = await startInstance({ extra: FEDERATION })
  const b = await startInstance({ webRoot, extra: FEDERATION })
  const browser = await launchBrowser()
  let aStopped = false
  try {
    const auth = (instance) => ({ Authorization: `Bearer ${instance.token}`, 'Content-Type': 'application/json' })
    const hostA = `localhost:${a.port}`
    const followed = await fetch(`${b.base}/api/v1/server/following`, { method: 'POST', headers: auth(b), body: JSON.stringify({ hosts: [hostA] }) })
    assert.equal(followed.status, 204, await followed.text())
    await eventually('A accepts B', async () => {
      const list = await (await fetch(`${b.base}/api/v1/server/following`, { headers: auth(b) })).json()
      return list.data?.[0]?.state === 'accepted'
    })
    const mirrored = await fetch(`${b.base}/api/v1/server/redundancy/${hostA}`, { method: 'PUT', headers: auth(b), body: JSON.stringify({ redundancyAllowed: true }) })
    assert.equal(mirrored.status, 204, await mirrored.text())

    const video = await uploadAndWait(a, 'video_short.mp4', { name: 'Mirrored clip' })
    const mirrorBase = `${b.base}/static/redundancy/hls/${video.uuid}`
    const remote = await eventually('B mirrors the video', async () => {
      const details = await (await fetch(`${b.base}/api/v1/videos/${video.uuid}`)).json()
      return details.streamingPlaylists?.[0]?.redundancies?.some((r) => r.baseUrl === mirrorBase) ? details : null
    }, 120000)
    assert.ok(remote.streamingPlaylists[0].playlistUrl.startsWith(a.base), 'the origin stays the first source')

    a.stop()
    aStopped = true
    await eventually('A is down', async () => {
      try { await fetch(`${a.base}/api/v1/config`); return false } catch { return true }
    })

    const page = await browser.newPage()
    const media = []
    page.on('requestfinished', async (request) => {
      const url = request.url()
      if (url.includes('/static/')) {
        const response = await request.response()
        if (response && response.status() < 400) media.push(url)
      }
    })
    await page.goto(`${b.base}/w/${remote.shortUUID}`)
    await page.getByTestId('player-video').waitFor()
    assert.equal(await page.getByTestId('video-title').textContent(), 'Mirrored clip')
    await page.getByTestId('player-play').click()
    await page.evaluate(() => { document.querySelector('[data-testid=player-video]').loop = true })
    await page.waitForFunction(() => document.querySelector('[data-testid=player-video]').currentTime >= 1, null, { timeout: 45000 })
    const source = await page.getByTestId('player').getAttribute('data-source')
    assert.ok(source.startsWith(`${mirrorBase}/`), `playing from ${source}`)
    mkdirSync(join(here, 'screenshots'), { recursive: true })
    await page.screenshot({ path: join(here, 'screenshots', 'mirrored-watch.png') })
    const segments = media.filter((url) => url.endsWith('.mp4'))
    assert.ok(segments.length > 0, 'segments were loaded')
    assert.ok(segments.every((url) => url.startsWith(`${mirrorBase}/`)), `every segment from the mirror: ${segments}`)
  } finally {
    await browser.close()
    if (!aStopped) a.stop()
    b.stop()
  }
})
