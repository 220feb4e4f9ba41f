// Peer-to-peer sharing on a live (issue 20): `kinora serve` with its RTMP ingest, the ffmpeg CLI
// broadcasting a 320×180 picture, and two headless Chromium viewers on the live's watch page,
// each in its own process. Neither has the segments to come before the broadcaster sends them:
// each viewer loads some of them over HTTP and the other takes those from it over WebRTC, every
// one checked against the live's growing segments-sha256 JSON (read again when a segment is newer
// than the viewer's copy). Both announce only the live's swarm, named as the server names it
// (PeerTube's `pt-v2-<uuid>-main-default-180`, recomputed here), on the live's own tracker.
//
// Runs only inside the namespace of netns.sh (`npm run test:p2p`, as ./scripts/test does):
//   unshare -rn ./netns.sh node --test p2p-live-viewers.mjs

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { apiCall, broadcastTo, ensureWebBuild, freePort, startInstance } from './instance.mjs'
import { openViewer, play, stats, swarmInfoHash, waitForStats } from './viewers.mjs'

async function waitForLive (instance, uuid) {
  const started = Date.now()
  while (Date.now() - started < 60000) {
    const video = await apiCall(instance, instance.token, `/videos/${uuid}`)
    if (video.state.id === 1 && video.streamingPlaylists.length === 1) return video
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  throw new Error('the live did not go on the air')
}

test('two Chromium viewers of a live share its segments over WebRTC, each checked', { timeout: 600000 }, async (t) => {
  const webRoot = ensureWebBuild()
  const rtmpPort = await freePort()
  const instance = await startInstance({ webRoot, extra: `[live]\nenabled = true\nrtmp_listen = "127.0.0.1:${rtmpPort}"\n` })
  const viewers = []
  let broadcaster = null
  try {
    const created = await apiCall(instance, instance.token, '/videos/live', {
      method: 'POST',
      json: { name: 'Shared live', channelId: instance.channel, privacy: 1, permanentLive: false, saveReplay: false }
    })
    const uuid = created.video.uuid
    const live = await apiCall(instance, instance.token, `/videos/live/${uuid}`)
    broadcaster = broadcastTo(live, { seconds: 240, size: '320x180' })
    const video = await waitForLive(instance, uuid)
    assert.ok(video.streamingPlaylists[0].segmentsSha256Url, 'a live on the air has segment hashes')
    // The viewers play PeerTube's five segments behind the edge once the live has them (at its
    // very start hls.js can only play at the edge, where every segment is needed at once and
    // comes from the server): what comes before the player needs it is what peers share.
    const media = video.streamingPlaylists[0].playlistUrl.replace('master.m3u8', '0.m3u8')
    for (const started = Date.now(); ;) {
      const listed = (await (await fetch(media)).text()).split('\n').filter((line) => line.endsWith('.ts')).length
      if (listed >= 7) break
      assert.ok(Date.now() - started < 90000, `the live lists ${listed} segments`)
      await new Promise((resolve) => setTimeout(resolve, 1000))
    }
    const expected = new Set([swarmInfoHash(uuid, 'main', 180)])
    const tracker = `ws://localhost:${instance.port}/tracker/socket`
    const watch = `${instance.base}/w/${video.shortUUID}`

    const first = await openViewer(watch)
    viewers.push(first)
    await play(first)
    const second = await openViewer(watch)
    viewers.push(second)
    await play(second)
    const shared = (s) => s.p2pSegments >= 2
    const got = await waitForStats(second, shared, 150000)
    const gave = await stats(first)
    t.diagnostic(`first viewer: ${JSON.stringify(gave)}`)
    t.diagnostic(`second viewer: ${JSON.stringify(got)}`)
    assert.equal(got.state, 'on', got.text)
    assert.ok(got.p2pSegments >= 2, `segments from the first viewer: ${JSON.stringify(got)}`)
    assert.ok(got.p2pBytes > 0)
    assert.ok(gave.uploadedBytes > 0, `the first viewer uploaded: ${JSON.stringify(gave)}`)
    for (const viewer of [got, gave]) {
      assert.equal(viewer.rejected, 0, `no segment refused: ${JSON.stringify(viewer)}`)
      assert.ok(viewer.checked >= viewer.p2pSegments, `every peer segment was checked: ${JSON.stringify(viewer)}`)
    }
    // Both still play the live.
    for (const viewer of [first, second]) {
      const before = (await stats(viewer)).currentTime
      const later = await waitForStats(viewer, (s) => s.currentTime >= before + 2, 30000)
      assert.ok(later.currentTime >= before + 2, `still playing: ${JSON.stringify(later)}`)
      assert.deepEqual(viewer.errors, [])
      assert.ok(viewer.sockets.length >= 1, 'a tracker socket')
      for (const socket of viewer.sockets) {
        assert.equal(socket.url, tracker, 'only the live\'s own tracker')
        assert.ok(socket.infoHashes.size >= 1)
        for (const hash of socket.infoHashes) assert.ok(expected.has(hash), `announced ${hash}, expected ${[...expected]}`)
      }
    }
    await second.page.screenshot({ path: new URL('./screenshots/p2p-live-second-viewer.png', import.meta.url).pathname }).catch(() => {})
  } finally {
    for (const viewer of viewers) await viewer.close().catch(() => {})
    broadcaster?.kill('SIGKILL')
    instance.stop()
  }
})
